// src/http/header-name.ts
// What a user-supplied header (--header, the config file's headers) may be: a token for a name
// (RFC 9110 §5.6.2), and none of the headers that frame the message, which serve-here computes.

/** A header name is an RFC 9110 §5.6.2 token. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers that frame the message; serve-here computes them, and a wrong one breaks the response. */
export const FRAMING_HEADERS: ReadonlySet<string> = new Set([
  'content-length',
  'content-encoding',
  'content-range',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
]);
