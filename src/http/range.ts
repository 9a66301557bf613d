// src/http/range.ts
// Parses a Range header against a representation's size (RFC 9110 §14.1–§14.2).
// Pure: no I/O. Returns the satisfiable ranges merged and sorted, 'unsatisfiable' (→ 416)
// or 'ignore' (→ 200 with the whole representation).

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export type RangeResult =
  | { readonly kind: 'ranges'; readonly ranges: readonly ByteRange[] }
  | { readonly kind: 'unsatisfiable' }
  | { readonly kind: 'ignore' };

/** More parts than this is not a real client; we answer 200 instead (see below). */
const MAX_RANGES = 64;
/** Roughly what each multipart/byteranges part adds in boundary and headers. */
const PART_OVERHEAD = 100;
const IGNORE: RangeResult = { kind: 'ignore' };
const DIGITS = /^\d+$/;

/**
 * parseRange('bytes=0-4', 10)   → ranges [{0,4}]
 * parseRange('bytes=-3', 10)    → ranges [{7,9}]
 * parseRange('bytes=8-', 10)    → ranges [{8,9}]
 * parseRange('bytes=10-', 10)   → unsatisfiable
 * parseRange('bytes=5-1', 10)   → ignore (invalid syntax: RFC 9110 §14.1.1 says last ≥ first)
 * parseRange('items=0-1', 10)   → ignore (unknown unit)
 */
export function parseRange(header: string, size: number): RangeResult {
  const eq = header.indexOf('=');
  if (eq === -1) return IGNORE;
  // Range units are case-insensitive (RFC 9110 §14.1).
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return IGNORE;
  // An empty representation has no bytes to select; like Go and nginx, send it whole.
  if (size === 0) return IGNORE;

  const specs = header.slice(eq + 1).split(',');
  if (specs.length > MAX_RANGES) return IGNORE;

  const satisfiable: ByteRange[] = [];
  let sawSpec = false;
  for (const raw of specs) {
    const spec = raw.trim();
    // RFC 9110 §5.6.1: empty list elements are allowed and ignored.
    if (spec === '') continue;
    sawSpec = true;
    const dash = spec.indexOf('-');
    if (dash === -1) return IGNORE;
    const first = spec.slice(0, dash).trim();
    const last = spec.slice(dash + 1).trim();

    if (first === '') {
      // suffix-byte-range-spec: the last N bytes.
      if (!DIGITS.test(last)) return IGNORE;
      const length = Number(last);
      if (length > 0) satisfiable.push({ start: Math.max(0, size - length), end: size - 1 });
      continue;
    }
    if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return IGNORE;
    const start = Number(first);
    // Only a written last-pos can be before first-pos (§14.1.1); `bytes=SIZE-` is merely
    // unsatisfiable, so it gets a 416 below, not the whole file.
    if (last !== '' && Number(last) < start) return IGNORE;
    const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
    if (start < size) satisfiable.push({ start, end });
  }
  if (!sawSpec) return IGNORE;
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };

  const ranges = coalesce(satisfiable);
  // RFC 9110 §14.3 lets a server ignore ranges that look like an attack: many small or
  // overlapping parts would make the response larger than the file itself.
  const total = ranges.reduce((sum, r) => sum + (r.end - r.start + 1), 0);
  if (ranges.length < satisfiable.length && satisfiable.length > 2) return IGNORE;
  if (ranges.length > 1 && total + ranges.length * PART_OVERHEAD > size) return IGNORE;
  return { kind: 'ranges', ranges };
}

/** Sorts ranges and merges those that overlap or touch. */
function coalesce(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: ByteRange[] = [];
  for (const range of sorted) {
    const previous = merged.at(-1);
    if (previous !== undefined && range.start <= previous.end + 1) {
      merged[merged.length - 1] = { start: previous.start, end: Math.max(previous.end, range.end) };
    } else {
      merged.push(range);
    }
  }
  return merged;
}
