// src/zip/rules.ts
// The pure decisions of the zip download: whether a query asks for one, the archive's name and
// its Content-Disposition, which files are deflated, and the SKIPPED.txt report. No I/O.
import { isCompressible } from '../serve/compress.js';
import { contentTypeFor } from '../serve/content-type.js';
import { escapeControl } from '../serve/log.js';

/** True when the query ('' or '?…') holds `download=zip`. Other values are ignored. */
export function isZipDownload(rawQuery: string): boolean {
  if (!rawQuery.includes('download')) return false;
  const params = new URLSearchParams(rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery);
  return params.getAll('download').includes('zip');
}

/**
 * The archive's base name (no `.zip`): the folder's own name, the root's name for `/`, and
 * `files` when there is none (a root of `/`). Also the top folder of every entry.
 */
export function archiveBaseName(segments: readonly string[], rootName: string): string {
  const name = segments.at(-1) ?? rootName;
  // A zip entry name is a '/'-separated path: a name that is empty, '.' or '..' can't be one.
  return name === '' || name === '.' || name === '..' ? 'files' : name;
}

/** RFC 8187 §3.2.1 attr-char: what may stay unencoded in `filename*`. */
const ATTR_CHAR = /^[A-Za-z0-9!#$&+.^_`|~-]$/;

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 §4.1, §4.3): `filename` is a
 * printable-ASCII stand-in for old clients, with `"` and `\` (the quoted-string escapes) and
 * everything else outside ASCII replaced by `_`; `filename*` carries the exact name, percent-
 * encoded as RFC 8187 §3.2.3 says. No CR, LF or other control can reach the header.
 *
 * formatContentDisposition('a "b".zip') → `attachment; filename="a _b_.zip"; filename*=UTF-8''a%20%22b%22.zip`
 */
export function formatContentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  let encoded = '';
  for (const byte of Buffer.from(fileName, 'utf8')) {
    const ch = String.fromCharCode(byte);
    encoded +=
      byte < 0x80 && ATTR_CHAR.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Files smaller than this are stored: deflate's few saved bytes aren't worth its headers and time. */
const MIN_DEFLATE_SIZE = 256;

/**
 * Deflate what shrinks (text, JSON, SVG…, as compress.ts knows it); store what is already
 * compressed (images, video, audio, archives, fonts, PDF) or unknown (`.bin`), like the HTTP
 * compression of single files. Deflating a JPEG costs CPU and gains nothing.
 */
export function shouldDeflate(name: string, size: number): boolean {
  return size >= MIN_DEFLATE_SIZE && isCompressible(contentTypeFor(name));
}

/** Why a name under the folder is not in the archive. */
export type SkipReason =
  | 'unreadable'
  | 'folder unreadable'
  | 'vanished'
  | 'not a regular file'
  | 'broken link'
  | 'link to a folder already in the archive'
  | 'name contains a backslash';

export interface Skipped {
  /** The path inside the archive, '/'-separated, without the top folder. */
  readonly path: string;
  readonly reason: SkipReason;
}

/** At most this many names are kept for SKIPPED.txt; beyond, only a count (memory stays bounded). */
export const MAX_SKIPPED_LISTED = 10_000;

/**
 * SKIPPED.txt: one line per name left out, controls escaped so that a name with a newline
 * stays on its line. `more` counts names beyond MAX_SKIPPED_LISTED.
 */
export function formatSkippedReport(skipped: readonly Skipped[], more: number): string {
  const lines = skipped.map((s) => `${escapeControl(s.path)}\t${s.reason}`);
  if (more > 0) lines.push(`…and ${more} more`);
  return `serve-here left these out of the archive:\n\n${lines.join('\n')}\n`;
}

/** 'SKIPPED.txt', or 'SKIPPED-2.txt'… when the folder has a file of that name at its top. */
export function skippedEntryName(topNames: ReadonlySet<string>): string {
  let name = 'SKIPPED.txt';
  for (let n = 2; topNames.has(name); n++) name = `SKIPPED-${n}.txt`;
  return name;
}
