// src/proxy/match.ts
// Proxy rule sources: which request paths a pattern such as `/api/**` takes. Pure: patterns
// are compiled once at start-up and matched against a request's decoded path segments.

/**
 * A compiled source pattern. Segments are compared whole, after percent-decoding:
 * - `/api` is that path only (with or without a trailing slash);
 * - `/api/*` is one segment under it (`/api/users`, not `/api` nor `/api/users/7`);
 * - `/api/**` is `/api` and everything under it, at any depth;
 * - `*` inside a segment is any run of characters but `/` (`/data/*.json`).
 */
export type SourcePattern = readonly SegmentPattern[];

type SegmentPattern = { readonly kind: 'any-depth' } | { readonly kind: 'segment'; readonly test: RegExp };

/** The pattern, or why it can't be one (a phrase to follow the quoted source). */
export type SourceParse =
  | { readonly kind: 'pattern'; readonly pattern: SourcePattern }
  | { readonly kind: 'invalid'; readonly reason: string };

export function parseSource(source: string): SourceParse {
  if (!source.startsWith('/')) return { kind: 'invalid', reason: 'must start with /' };
  if (/[?#]/.test(source)) return { kind: 'invalid', reason: 'must be a path, without ? or #' };
  if (/(^|\/):/.test(source)) {
    return { kind: 'invalid', reason: 'uses a :parameter; proxy sources take * and ** only' };
  }
  const pattern: SegmentPattern[] = [];
  for (const segment of source.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return { kind: 'invalid', reason: 'must not contain ..' };
    if (segment === '**') pattern.push({ kind: 'any-depth' });
    else if (segment.includes('**')) return { kind: 'invalid', reason: 'takes ** only as a whole segment' };
    else pattern.push({ kind: 'segment', test: segmentRegExp(segment) });
  }
  return { kind: 'pattern', pattern };
}

/** True when the decoded `segments` of a request path are taken by `pattern`. */
export function matchesSource(pattern: SourcePattern, segments: readonly string[]): boolean {
  return matchFrom(pattern, 0, segments, 0);
}

function matchFrom(pattern: SourcePattern, p: number, segments: readonly string[], s: number): boolean {
  const part = pattern[p];
  if (part === undefined) return s === segments.length;
  if (part.kind === 'any-depth') {
    // Zero or more segments: try the shortest first.
    for (let skip = s; skip <= segments.length; skip++) {
      if (matchFrom(pattern, p + 1, segments, skip)) return true;
    }
    return false;
  }
  const segment = segments[s];
  return segment !== undefined && part.test.test(segment) && matchFrom(pattern, p + 1, segments, s + 1);
}

function segmentRegExp(segment: string): RegExp {
  const literal = segment.split('*').map((piece) => piece.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'));
  // `u` so that `*` takes whole characters, `s` so that it takes every one of them.
  return new RegExp(`^${literal.join('.*')}$`, 'su');
}
