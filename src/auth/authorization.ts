// src/auth/authorization.ts
// Reads the Authorization request header of the Basic scheme (RFC 7617) into a user and a
// password. Pure: no socket. Any shape it does not understand is 'malformed', never a throw.

export type Authorization =
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'basic'; readonly user: string; readonly password: string };

/** RFC 9110 §11.2: `auth-scheme 1*SP token68`; the scheme is case-insensitive. */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

// ignoreBOM: a leading U+FEFF belongs to the user name ('\uFEFFann' is not 'ann'); by default
// TextDecoder would take it for a byte-order mark and drop it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Reads `Authorization: Basic <base64(user:password)>`. */
export function parseAuthorization(header: string | undefined): Authorization {
  if (header === undefined) return { kind: 'missing' };
  const match = BASIC.exec(header);
  // base64 comes in blocks of 4 characters; anything else is not what a client encoded.
  if (match === null || (match[1] as string).length % 4 !== 0) return { kind: 'malformed' };
  let decoded: string;
  try {
    // RFC 7617 §2.1: we announce charset="UTF-8", so the pair is read as UTF-8, strictly.
    decoded = UTF8.decode(Buffer.from(match[1] as string, 'base64'));
  } catch {
    return { kind: 'malformed' };
  }
  const colon = decoded.indexOf(':');
  if (colon === -1) return { kind: 'malformed' };
  return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
