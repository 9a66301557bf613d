// src/upload/origin.ts
// Is a write request from one of our own pages? The defence against a web page elsewhere making
// the visitor's browser write into this server (cross-site request forgery). Pure: headers only.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * True when the request names no other site. Browsers send Origin with every cross-origin
 * POST (Fetch §3.1; `null` from sandboxed or privacy-stripped contexts, refused here too), so
 * a form on another site is recognised; lacking Origin, the Referer's origin is compared.
 * With neither (curl, scripts), no browser page is involved and the request goes ahead.
 * Ours means the scheme and the Host the request was sent to (RFC 9110 §7.2).
 */
export function isSameOrigin(headers: IncomingHttpHeaders, scheme: 'http' | 'https'): boolean {
  const claimed = headers.origin ?? headers.referer;
  if (claimed === undefined) return true;
  const host = headers.host;
  if (host === undefined || host === '') return false;
  // Both through URL, so that case and a default port (`:80`) don't make a difference.
  const own = originOf(`${scheme}://${host}`);
  return own !== INVALID && originOf(claimed) === own;
}

const INVALID = 'invalid';

/** `scheme://host[:port]` of a URL, or INVALID when it is not one (`null` included). */
function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return INVALID;
  }
}
