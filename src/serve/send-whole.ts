// src/serve/send-whole.ts
// Answers whose body, if any, is whole in memory: status pages, redirects, listings, 304s and
// cached small files. The head goes to writeHead in one call (see HeaderList) and the response
// ends with the rest of the batch (see batch.ts).
import { endInBatch } from './batch.js';
import type { Exchange } from './exchange.js';
import type { HeaderList } from './headers.js';

/**
 * Answers with `status`, `head` and `body` (none for HEAD, 304 or when omitted). `head` must
 * already give the body's length, if it has one; sendText adds it.
 */
export function sendWhole(
  exchange: Exchange,
  status: number,
  head: HeaderList,
  body?: string | Buffer,
): void {
  const { req, res } = exchange;
  res.writeHead(status, head);
  endInBatch(res, req.method === 'HEAD' ? undefined : body);
}

/** sendWhole with the Content-Length of `body` added to `head`. */
export function sendText(exchange: Exchange, status: number, head: HeaderList, body: string | Buffer): void {
  head.push('Content-Length', String(Buffer.byteLength(body)));
  sendWhole(exchange, status, head, body);
}
