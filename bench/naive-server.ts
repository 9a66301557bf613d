// bench/naive-server.ts
// The "naive Node" reference: `stat`, then `createReadStream`, with just enough HTTP (ETag and
// 304, one byte range, a bare listing) to answer every benchmark scenario correctly.
// Usage: node dist/bench/naive-server.js <root> <port>. Not a server for real use.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const root = process.argv[2] ?? '.';
const port = Number(process.argv[3] ?? 0);

const TYPES: Readonly<Record<string, string>> = {
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.bin': 'application/octet-stream',
};

const server = createServer((req, res) => {
  handle(req.url ?? '/', req.headers, res).catch(() => {
    if (res.headersSent) res.destroy();
    else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
  });
});

async function handle(
  url: string,
  headers: import('node:http').IncomingHttpHeaders,
  res: import('node:http').ServerResponse,
): Promise<void> {
  const urlPath = decodeURIComponent(url.split('?', 1)[0] ?? '/');
  const filePath = join(root, normalize(urlPath));
  const stats = await stat(filePath);
  if (stats.isDirectory()) {
    const names = await readdir(filePath);
    const items = names.map((n) => `<li><a href="${encodeURIComponent(n)}">${n}</a></li>`).join('\n');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(`<ul>\n${items}\n</ul>\n`);
    return;
  }
  const etag = `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  if (headers['if-none-match'] === etag) {
    res.writeHead(304, { ETag: etag }).end();
    return;
  }
  const type = TYPES[extname(filePath)] ?? 'application/octet-stream';
  const range = /^bytes=(\d+)-(\d+)$/.exec(headers.range ?? '');
  if (range !== null && Number(range[2]) < stats.size) {
    const start = Number(range[1]);
    const end = Number(range[2]);
    res.writeHead(206, {
      'Content-Type': type,
      'Content-Length': end - start + 1,
      'Content-Range': `bytes ${start}-${end}/${stats.size}`,
      ETag: etag,
    });
    createReadStream(filePath, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': stats.size, ETag: etag });
  createReadStream(filePath).pipe(res);
}

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
