// src/upload/reply.ts
// The answers to uploads: per-file outcomes as JSON (for the listing page's script), as a small
// HTML page (for a form sent without script) or as plain text (curl). Names are escaped.

import { escapeHtml, renderPage } from '../http/html.js';
import type { Exchange } from '../serve/exchange.js';
import type { HeaderList } from '../serve/headers.js';
import { sendText } from '../serve/send-whole.js';

/** What became of one file or folder of a request. */
export interface ItemResult {
  readonly name: string;
  readonly status: number;
  /** One sentence for a person: what happened, or why not. */
  readonly message: string;
  /** The stored file's or folder's URL path, when it was created. */
  readonly location?: string;
  readonly bytes?: number;
}

/** A results page runs nothing and loads nothing. */
const RESULT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/**
 * Sends `results` with `status`, in the format the client accepts. `back` is the folder's
 * URL, linked from the HTML page so that a form sent without script leads back.
 */
export function sendResults(
  exchange: Exchange,
  status: number,
  results: readonly ItemResult[],
  options: { readonly back: string; readonly head?: HeaderList },
): void {
  const accept = exchange.req.headers.accept ?? '';
  const head: HeaderList = ['Cache-Control', 'no-store', ...(options.head ?? [])];
  const created = results.length === 1 ? results[0]?.location : undefined;
  // RFC 9110 §15.3.2: a 201 names what it created; with several, the body lists them.
  if (status === 201 && created !== undefined) head.push('Location', created);
  if (/\bapplication\/json\b/i.test(accept)) {
    head.push('Content-Type', 'application/json; charset=utf-8');
    sendText(exchange, status, head, `${JSON.stringify({ status, results })}\n`);
  } else if (/\btext\/html\b/i.test(accept)) {
    head.push('Content-Type', 'text/html; charset=utf-8', 'Content-Security-Policy', RESULT_CSP);
    sendText(exchange, status, head, renderResultsHtml(status, results, options.back));
  } else {
    head.push('Content-Type', 'text/plain; charset=utf-8');
    sendText(exchange, status, head, results.map((r) => `${r.status} ${r.message}\n`).join(''));
  }
}

function renderResultsHtml(status: number, results: readonly ItemResult[], back: string): string {
  const items = results
    .map((r) => `<li class="${r.status < 300 ? 'ok' : 'no'}">${escapeHtml(r.message)}</li>`)
    .join('\n');
  return renderPage({
    title: status < 300 ? 'Uploaded' : 'Upload failed',
    css: 'li{margin:6px 0}.ok::marker{content:"✓ "}.no::marker{content:"✗ ";color:#d0463b}',
    body: `<main>
<h1>${status < 300 ? 'Done' : 'Not everything was stored'}</h1>
<ul>
${items}
</ul>
<p><a href="${escapeHtml(back)}">Back to the folder</a></p>
</main>`,
  });
}
