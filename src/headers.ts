// src/headers.ts
// Headers that every response carries, whatever answers it: files, listings, redirects, errors.
// Also the CORS preflight answer. Error pages keep these; they only drop headers about a file.
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { ServeConfig } from './options.js';

/** Response headers a cross-origin script may read besides the safelisted ones (Fetch §3.2.6). */
const EXPOSED_HEADERS = 'Content-Length, Content-Range, ETag, Accept-Ranges, Content-Encoding, Last-Modified';

/** Request headers a cross-origin script may send to us: conditional and range requests. */
const ALLOWED_HEADERS = 'Range, If-None-Match, If-Modified-Since, If-Match, If-Range, Accept-Encoding';

/** The methods a static server answers; preflights for anything else will fail in the browser. */
const ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/** How long a browser may reuse a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = '600';

/**
 * Returns a writeHead that first sets the headers common to every response we answer
 * (nosniff, CORS, isolation) and then the user's --header values, so those win over anything
 * the pipeline set (Cache-Control, Content-Type, Vary…). Every response passes through
 * writeHead (`write()` and `end()` call it themselves), and a request handed to the next
 * middleware never gets our headers. The CLI refuses framing headers such as Content-Length.
 */
export function createHeadWriter(config: ServeConfig): ServerResponse['writeHead'] {
  const custom = Object.entries(config.headers);
  return function writeHeadWithCommonHeaders(this: ServerResponse, ...args: unknown[]) {
    applyCommonHeaders(this, config);
    for (const [name, value] of custom) this.setHeader(name, value);
    return (ServerResponse.prototype.writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

function applyCommonHeaders(res: ServerResponse, config: ServeConfig): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (config.cors) {
    // `*` and never Allow-Credentials: a preview server must not let other sites read its
    // files with the visitor's cookies (Fetch forbids `*` with credentials anyway).
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  }
  if (config.isolate) {
    // Together these make `self.crossOriginIsolated` true (HTML §7.1.3), which unlocks
    // SharedArrayBuffer and wasm threads. CORP lets our own isolated pages embed our files.
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  }
}

/** True for a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (Fetch §3.2.2). */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  );
}

/** Adds the preflight answer's headers; the caller sends the 204. */
export function applyPreflightHeaders(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
}
