// src/upload/conditions.ts
// Whether a write may replace what is at its name: the server's overwrite setting and the
// request's If-Match / If-None-Match (RFC 9110 §13.1.1, §13.1.2). Pure: no I/O.
import type { IncomingHttpHeaders } from 'node:http';

/** What a write may do about the name it targets. */
export type WriteDecision =
  /** Store; `replace` says the name exists and will be replaced (only with overwrite on). */
  | { readonly kind: 'store'; readonly replace: boolean }
  /** 409: the name exists and nothing may be overwritten. */
  | { readonly kind: 'exists' }
  /** 412: a precondition the client sent is false. */
  | { readonly kind: 'precondition-failed' };

/**
 * Decides a write to a name whose current entity tag is `existing` (undefined when the name is
 * free). Without `overwrite`, every write behaves as if it carried `If-None-Match: *`, and an
 * existing name is a conflict (409) whatever the client sends.
 */
export function decideWrite(
  headers: IncomingHttpHeaders,
  existing: string | undefined,
  overwrite: boolean,
): WriteDecision {
  const ifMatch = headers['if-match'];
  // §13.1.1: If-Match is false when there is no current representation, or no tag matches
  // strongly; a write that meets a false precondition gets 412.
  if (ifMatch !== undefined && (existing === undefined || !listMatches(ifMatch, existing, true))) {
    return existing !== undefined && !overwrite ? { kind: 'exists' } : { kind: 'precondition-failed' };
  }
  const ifNoneMatch = headers['if-none-match'];
  // §13.1.2: false when the name exists and the header is `*` or lists its tag (weakly).
  if (ifNoneMatch !== undefined && existing !== undefined && listMatches(ifNoneMatch, existing, false)) {
    return overwrite ? { kind: 'precondition-failed' } : { kind: 'exists' };
  }
  if (existing === undefined) return { kind: 'store', replace: false };
  return overwrite ? { kind: 'store', replace: true } : { kind: 'exists' };
}

/** `*`, or a comma-separated list of entity tags one of which matches `etag`. */
function listMatches(header: string, etag: string, strong: boolean): boolean {
  if (header.trim() === '*') return true;
  const tags = header.match(/(?:W\/)?"[^"]*"/g) ?? [];
  // §8.8.3.2: strong comparison needs both tags strong; weak comparison ignores W/.
  if (strong) return !etag.startsWith('W/') && tags.some((tag) => tag === etag);
  const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
  return tags.some((tag) => opaque(tag) === opaque(etag));
}
