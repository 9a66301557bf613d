// src/error-page.ts
// Renders refusals: a small page in the listing's look for browsers, plain text for everyone
// else, or the root's own 404.html. Never a path on disk, an error message or a stack.
import { type ServerResponse, STATUS_CODES } from 'node:http';
import { endInBatch } from './batch.js';
import type { Exchange } from './exchange.js';
import { escapeHtml, renderPage } from './http/html.js';

/** Headers that describe a file; an error page replaces them. */
const FILE_HEADERS = [
  'Content-Type',
  'Content-Length',
  'Content-Encoding',
  'Content-Range',
  'Content-Disposition',
  'ETag',
  'Last-Modified',
  'Accept-Ranges',
  'Cache-Control',
  'Vary',
];

const ERROR_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** How long an echoed request path may get before it is cut, so the page stays small. */
const MAX_ECHO = 200;

/** Sends a status page for `status`, with `headers` (Allow, Retry-After, Content-Range…). */
export function sendErrorPage(
  exchange: Exchange,
  status: number,
  headers: Readonly<Record<string, string>>,
): void {
  const { req, res } = exchange;
  dropFileHeaders(res);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('Cache-Control', 'no-cache');
  // On the plain-text page too: a browser that ignores the Content-Type still runs nothing.
  res.setHeader('Content-Security-Policy', ERROR_CSP);

  const reason = STATUS_CODES[status] ?? 'Error';
  let body: string;
  if (acceptsHtml(req.headers.accept)) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    body = renderErrorHtml(status, reason, req.url ?? '/');
  } else {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    body = `${status} ${reason}\n`;
  }
  sendText(exchange, body);
}

/** Sends a 404 whose body is the root's own 404.html (already read by the caller). */
export function sendCustomNotFound(exchange: Exchange, html: Buffer): void {
  const { res } = exchange;
  dropFileHeaders(res);
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  sendText(exchange, html);
}

/** Removes what a file response had set before it was refused (most 404s have set nothing). */
function dropFileHeaders(res: ServerResponse): void {
  if (res.getHeaderNames().length === 0) return;
  for (const name of FILE_HEADERS) res.removeHeader(name);
}

/** Writes a complete in-memory body, or only its headers for HEAD. */
export function sendText(exchange: Exchange, body: string | Buffer): void {
  const { req, res } = exchange;
  res.setHeader('Content-Length', Buffer.byteLength(body));
  endInBatch(res, req.method === 'HEAD' ? undefined : body);
}

/** True when the client lists text/html in Accept; curl and fetch() get plain text. */
export function acceptsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

function renderErrorHtml(status: number, reason: string, url: string): string {
  const path = url.split('?', 1)[0] ?? '/';
  const shown = path.length > MAX_ECHO ? `${path.slice(0, MAX_ECHO)}…` : path;
  return renderPage({
    title: `${status} ${reason}`,
    css: '.code{font-size:3rem;font-weight:700;margin:0;color:var(--muted)}code{word-break:break-all}',
    body: `<main>
<p class="code">${status}</p>
<h1>${escapeHtml(reason)}</h1>
<p class="muted"><code>${escapeHtml(shown)}</code></p>
<p><a href="/">Go to the top folder</a></p>
</main>`,
  });
}
