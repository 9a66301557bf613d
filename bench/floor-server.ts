// bench/floor-server.ts
// What node:http itself costs per 404, as a yardstick for serve-here's: every request gets the
// same plain-text 404 from memory, with the headers serve-here's carries, and the answers are
// written together after each poll phase as serve-here writes them (see src/batch.ts). No
// parsing, no stat, no page. The bench's readiness probe gets a 200. Not a server for real use.
//
// It takes serve-here's arguments, so the bench can run it in serve-here's place:
//   npm run build && BENCH_BIN=dist/bench/floor-server.js npm run bench -- --only notfound --soak 0 --servers serve-here
import { createServer, type ServerResponse } from 'node:http';
import { ERROR_CSP } from '../src/serve/error-page.js';
import { DEFAULT_TIMEOUTS } from '../src/serve/server.js';

const portFlag = process.argv.indexOf('--port');
const port = portFlag === -1 ? 0 : Number(process.argv[portFlag + 1]);

const BODY = '404 Not Found\n';
/** The bench's readiness probe (bench/servers.ts) waits for a 200 from this path. */
const PROBE_PATH = '/small.txt';

let pending: ServerResponse[] = [];

function answerPending(): void {
  const batch = pending;
  pending = [];
  for (const res of batch) {
    // A fresh list each time: writeHead is handed a new array per response in serve-here too.
    res.writeHead(404, [
      'Cache-Control',
      'no-cache',
      'Content-Security-Policy',
      ERROR_CSP,
      'Content-Type',
      'text/plain; charset=utf-8',
      'Content-Length',
      String(BODY.length),
      'X-Content-Type-Options',
      'nosniff',
    ]);
  }
  for (const res of batch) res.end(BODY);
}

// serve-here's connection limits (src/serve/server.ts), so Node's timer work is the same too.
const limits = {
  headersTimeout: DEFAULT_TIMEOUTS.headersMs,
  requestTimeout: DEFAULT_TIMEOUTS.requestMs,
  keepAliveTimeout: DEFAULT_TIMEOUTS.keepAliveMs,
  connectionsCheckingInterval: DEFAULT_TIMEOUTS.checkIntervalMs,
};
const server = createServer(limits, (req, res) => {
  if (req.url === PROBE_PATH) {
    res.writeHead(200, { 'Content-Length': '2' }).end('ok');
    return;
  }
  if (pending.length === 0) setImmediate(answerPending);
  pending.push(res);
});

server.setTimeout(DEFAULT_TIMEOUTS.idleSocketMs);
server.listen(port, '127.0.0.1');
