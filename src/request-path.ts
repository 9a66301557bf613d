// src/request-path.ts
// Turns a request-target into decoded path segments, or refuses it. Pure: no I/O.
// This is the first half of the resolver's choke point; resolve.ts does the file-system half.
import { HttpError } from './http/errors.js';

export interface RequestPath {
  /** Decoded segments with no '', '.' or '..' left; [] is the root. */
  readonly segments: readonly string[];
  /** Whether the path names a folder (ends in '/'). */
  readonly trailingSlash: boolean;
  /** The raw query including its '?', or ''. Never used to pick a file. */
  readonly query: string;
  /**
   * False when the raw path had empty, '.' or '..' segments, or an encoded slash or a
   * backslash: the handler then redirects to the canonical spelling.
   */
  readonly canonical: boolean;
}

/** Longest request-target we accept; longer gets 414 (RFC 9110 §15.5.15). */
export const MAX_TARGET_LENGTH = 8192;

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * Parses an origin-form (`/a/b?q`) or absolute-form (`http://host/a/b?q`, RFC 9112 §3.2.2)
 * request-target. Throws HttpError 400 for a malformed escape, invalid UTF-8, a NUL byte,
 * or a '..' that would climb above the root; 414 when the target is too long.
 */
export function parseRequestPath(target: string): RequestPath {
  if (target.length > MAX_TARGET_LENGTH) throw new HttpError(414);
  let rest = target;
  if (!rest.startsWith('/')) {
    const authority = ABSOLUTE_FORM.exec(rest);
    if (authority === null) throw new HttpError(400);
    rest = rest.slice(authority[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const questionMark = rest.indexOf('?');
  const query = questionMark === -1 ? '' : rest.slice(questionMark);
  const rawPath = questionMark === -1 ? rest : rest.slice(0, questionMark);

  const segments: string[] = [];
  let canonical = true;
  let trailingSlash = false;
  // Split the raw path first, so that the canonical check can see which slashes were encoded.
  const rawSegments = rawPath.split('/');
  for (let i = 1; i < rawSegments.length; i++) {
    const decoded = decodeSegment(rawSegments[i] ?? '');
    // A decoded '/' or '\' is a separator too (browsers treat '\' as '/'), but not a canonical
    // one: the handler redirects to the spelling with plain slashes. The price, chosen on
    // purpose: a file with a backslash in its name can't be reached (it could not be on Windows).
    // That is also what keeps `/\evil.example` and `/%2F%2Fevil.example` from ever becoming a
    // Location of `//evil.example`: segments are never empty, so the path starts with one '/'.
    const pieces = decoded.includes('/') || decoded.includes('\\') ? decoded.split(/[/\\]/) : [decoded];
    if (pieces.length > 1) canonical = false;
    const isLastRaw = i === rawSegments.length - 1;
    for (let j = 0; j < pieces.length; j++) {
      const piece = pieces[j] ?? '';
      const isLast = isLastRaw && j === pieces.length - 1;
      trailingSlash = isLast && (piece === '' || piece === '.' || piece === '..');
      if (piece === '' || piece === '.') {
        if (!(isLast && piece === '')) canonical = false;
        continue;
      }
      if (piece === '..') {
        canonical = false;
        // Climbing above the root is never a file we could serve: 400 like Go's FileServer.
        if (segments.pop() === undefined) throw new HttpError(400);
        continue;
      }
      segments.push(piece);
    }
  }
  if (segments.length === 0) trailingSlash = true;
  return { segments, trailingSlash, query, canonical };
}

function decodeSegment(raw: string): string {
  let decoded: string;
  try {
    decoded = raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch (error) {
    // '%zz', a truncated escape or invalid UTF-8 is the client's mistake, not ours.
    throw new HttpError(400, {}, error);
  }
  if (decoded.includes('\0')) throw new HttpError(400);
  return decoded;
}
