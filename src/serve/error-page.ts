// src/serve/error-page.ts
// Renders refusals: a small page in the listing's look for browsers, plain text for everyone
// else, or the root's own 404.html. Never a path on disk, an error message or a stack.
import { type ServerResponse, STATUS_CODES } from 'node:http';
import { escapeHtml, renderPage } from '../http/html.js';
import type { Exchange } from './exchange.js';
import type { HeaderList } from './headers.js';
import { sendText } from './send-whole.js';

/** Headers that describe a file; a status page replaces them. */
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

/** Status pages run no script and load nothing; inline styles only. */
export const ERROR_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

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
  // On the plain-text page too: a browser that ignores the Content-Type still runs nothing.
  const head: HeaderList = ['Cache-Control', 'no-cache', 'Content-Security-Policy', ERROR_CSP];
  for (const [name, value] of Object.entries(headers)) head.push(name, value);
  const reason = STATUS_CODES[status] ?? 'Error';
  if (acceptsHtml(req.headers.accept)) {
    head.push('Content-Type', 'text/html; charset=utf-8');
    sendText(exchange, status, head, renderErrorHtml(status, reason, req.url ?? '/'));
  } else {
    head.push('Content-Type', 'text/plain; charset=utf-8');
    sendText(exchange, status, head, `${status} ${reason}\n`);
  }
}

/** Sends a 404 whose body is the root's own 404.html (already read by the caller). */
export function sendCustomNotFound(exchange: Exchange, html: Buffer): void {
  dropFileHeaders(exchange.res);
  const { live } = exchange.config;
  const page = live === undefined ? html : live.inject(html);
  sendText(exchange, 404, ['Content-Type', 'text/html; charset=utf-8', 'Cache-Control', 'no-cache'], page);
}

/**
 * Removes what a streamed file response had set before it failed (see startStreamedHead in
 * send-file.ts); every other answer keeps its headers in a HeaderList until it is sent.
 */
function dropFileHeaders(res: ServerResponse): void {
  if (res.getHeaderNames().length === 0) return;
  for (const name of FILE_HEADERS) res.removeHeader(name);
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
