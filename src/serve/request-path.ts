// src/serve/request-path.ts
// Turns a request-target into decoded path segments, or refuses it. Pure: no I/O.
// This is the first half of the resolver's choke point; resolve.ts does the file-system half.
import { HttpError } from '../http/errors.js';

export interface RequestPath {
  /** Decoded segments with no '', '.' or '..' left; [] is the root. */
  readonly segments: readonly string[];
  /** Whether the path names a folder (ends in '/'). */
  readonly trailingSlash: boolean;
  /** The raw query including its '?', or ''. Never used to pick a file. */
  readonly query: string;
  /**
   * False when the raw path had empty, '.' or '..' segments, or an encoded separator (a
   * slash; on Windows a backslash too): the handler then redirects to the canonical spelling.
   */
  readonly canonical: boolean;
}

/** Longest request-target we accept; longer gets 414 (RFC 9110 §15.5.15). */
export const MAX_TARGET_LENGTH = 8192;

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * Whose file names the segments become: on POSIX '\' is an ordinary character of a name (a
 * file may be called `a\b.txt`); on Windows it separates folders as '/' does, and ':' would
 * name a drive or an alternate data stream. Only tests pass another platform than this one's.
 */
export type PathPlatform = 'posix' | 'win32';

export const NATIVE_PLATFORM: PathPlatform = process.platform === 'win32' ? 'win32' : 'posix';

/**
 * Parses an origin-form (`/a/b?q`) or absolute-form (`http://host/a/b?q`, RFC 9112 §3.2.2)
 * request-target. Throws HttpError 400 for a malformed escape, invalid UTF-8, a NUL byte,
 * a '..' that would climb above the root, or (Windows) a ':'; 414 when the target is too long.
 */
export function parseRequestPath(target: string, platform: PathPlatform = NATIVE_PLATFORM): RequestPath {
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
    // A decoded '/' is a separator too, but not a canonical one: the handler redirects to the
    // spelling with plain slashes. On Windows so is '\' (raw or encoded; browsers send '/' for
    // it anyway). On POSIX '\' stays in the name, so `/..%5Csecret` is the file `..\secret`.
    // Either way `/\evil.example` or `/%2F%2Fevil.example` never becomes a Location of
    // `//evil.example`: segments are never empty, so a path starts with one '/', and
    // encodeUrlPath writes a '\' in a name as %5C.
    const pieces = splitDecoded(decoded, platform);
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
      // Windows reads 'c:' as a drive and 'a:b' as a stream of the file 'a'.
      if (platform === 'win32' && piece.includes(':')) throw new HttpError(400);
      segments.push(piece);
    }
  }
  if (segments.length === 0) trailingSlash = true;
  return { segments, trailingSlash, query, canonical };
}

function splitDecoded(decoded: string, platform: PathPlatform): string[] {
  if (platform === 'win32') {
    return decoded.includes('/') || decoded.includes('\\') ? decoded.split(/[/\\]/) : [decoded];
  }
  return decoded.includes('/') ? decoded.split('/') : [decoded];
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
