// test/api.test.ts
// The programmatic API as a user imports it (`from 'serve-here'`, through package.json
// exports): the handler as a node:http listener and as Connect/Express middleware, and
// startServer()'s result.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createHandler, type Next, startServer } from 'serve-here';
import { get, makeTree } from './helpers.js';

async function listen(
  t: { after(fn: () => unknown): void },
  server: ReturnType<typeof createServer>,
): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

/** Serves `handler` behind a middleware that sets `headers` on every response first. */
function listenBehindMiddleware(
  t: { after(fn: () => unknown): void },
  handler: ReturnType<typeof createHandler>,
  headers: Readonly<Record<string, string>>,
): Promise<number> {
  return listen(
    t,
    createServer((req, res) => {
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      handler(req, res);
    }),
  );
}

test('createHandler() is a node:http request listener', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'from the handler' });
  const port = await listen(t, createServer(createHandler({ root })));
  const reply = await get(port, '/a.txt');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'from the handler');
});

test('createHandler() as middleware calls next() on a miss instead of answering 404', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'static' });
  const handler = createHandler({ root });
  const port = await listen(
    t,
    createServer((req, res) => {
      const next: Next = () => {
        res.statusCode = 418;
        res.end('next route');
      };
      handler(req, res, next);
    }),
  );
  assert.equal((await get(port, '/a.txt')).text, 'static');
  const miss = await get(port, '/not-here');
  assert.equal(miss.status, 418);
  assert.equal(miss.text, 'next route');
  const post = await get(port, '/a.txt', {}, 'POST');
  assert.equal(post.status, 418, 'other methods fall through to the next route too');
});

test('createHandler() as middleware still refuses hidden files itself', async (t) => {
  const root = await makeTree(t, { '.env': 'SECRET=1' });
  const handler = createHandler({ root });
  const port = await listen(
    t,
    createServer((req, res) => handler(req, res, () => res.end('next'))),
  );
  const reply = await get(port, '/.env');
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /SECRET/);
});

test('headers set by middleware in front of the handler are kept, and Vary is merged', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'static text', 'sub/b.txt': 'b' });
  const handler = createHandler({ root, headers: { 'X-Frame-Options': 'SAMEORIGIN' } });
  const port = await listenBehindMiddleware(t, handler, {
    Vary: 'Origin',
    'X-Request-Id': 'r-1',
    'X-Frame-Options': 'DENY',
  });
  const file = await get(port, '/a.txt', { 'accept-encoding': 'identity' });
  assert.equal(file.status, 200);
  assert.equal(file.text, 'static text');
  assert.equal(file.headers['content-length'], String('static text'.length));
  assert.equal(file.headers.vary, 'Origin, Accept-Encoding');
  assert.equal(file.headers['x-request-id'], 'r-1');
  assert.equal(file.headers['x-frame-options'], 'SAMEORIGIN', 'the --header value wins');
  assert.equal(file.headers['x-content-type-options'], 'nosniff');

  const notModified = await get(port, '/a.txt', { 'if-none-match': file.headers.etag ?? '' });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.vary, 'Origin, Accept-Encoding');
  assert.equal(notModified.headers['x-request-id'], 'r-1');

  // A status page, a redirect and a listing keep them too.
  for (const [path, status] of [
    ['/missing.txt', 404],
    ['/sub', 301],
    ['/sub/?format=json', 200],
  ] as const) {
    const reply = await get(port, path);
    assert.equal(reply.status, status, path);
    assert.equal(reply.headers['x-request-id'], 'r-1', path);
    assert.equal(reply.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(reply.headers['content-length'], String(reply.body.length), path);
  }
  const listing = await get(port, '/sub/?format=json');
  assert.equal(listing.status, 200);
  assert.equal(listing.headers.vary, 'Origin, Accept-Encoding');
  assert.equal(listing.headers['x-request-id'], 'r-1');
  assert.equal(listing.headers['content-length'], String(listing.body.length));
});

test('a status page drops file headers set in front of the handler, with or without 404.html', async (t) => {
  const plain = await makeTree(t, { 'a.txt': 'A' });
  const custom = await makeTree(t, { '404.html': '<h1>custom</h1>' });
  for (const root of [plain, custom]) {
    const handler = createHandler({ root });
    const port = await listenBehindMiddleware(t, handler, {
      ETag: '"from-middleware"',
      'Content-Encoding': 'gzip',
      'X-Request-Id': 'r-2',
    });
    const reply = await get(port, '/missing.txt');
    assert.equal(reply.status, 404);
    assert.equal(reply.headers.etag, undefined, root);
    assert.equal(reply.headers['content-encoding'], undefined, root);
    assert.equal(reply.headers['x-request-id'], 'r-2', root);
    assert.equal(reply.headers['content-length'], String(reply.body.length), root);
  }
});

test('the same handler without middleware headers sends the same head', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'static text' });
  const handler = createHandler({ root, headers: { 'X-Frame-Options': 'SAMEORIGIN' } });
  const port = await listen(t, createServer(handler));
  const file = await get(port, '/a.txt', { 'accept-encoding': 'identity' });
  assert.equal(file.headers.vary, 'Accept-Encoding');
  assert.equal(file.headers['x-frame-options'], 'SAMEORIGIN');
  assert.equal(file.headers['x-content-type-options'], 'nosniff');
  assert.equal(file.headers['content-length'], String('static text'.length));
});

test('a custom route in front of the handler answers dynamic HTML', async (t) => {
  const root = await makeTree(t, { 'index.html': '<h1>static</h1>' });
  const serveStatic = createHandler({ root });
  const port = await listen(
    t,
    createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/hello') {
        const name = (url.searchParams.get('name') ?? 'world').replace(/[&<>"']/g, '');
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(`<h1>Hello, ${name}!</h1>`);
        return;
      }
      serveStatic(req, res);
    }),
  );
  assert.equal((await get(port, '/hello?name=Ada')).text, '<h1>Hello, Ada!</h1>');
  assert.equal((await get(port, '/')).text, '<h1>static</h1>');
});

test('startServer() resolves to url, port, server and close()', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const running = await startServer({ root, port: 0, host: '127.0.0.1' });
  assert.equal(running.url, `http://127.0.0.1:${running.port}/`);
  assert.ok(running.port > 0);
  assert.equal(running.server.listening, true);
  assert.equal((await get(running.port, '/a.txt')).text, 'A');
  await running.close();
  assert.equal(running.server.listening, false);
  const refused = connect(running.port, '127.0.0.1');
  const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
  assert.equal(error.code, 'ECONNREFUSED');
});

test('startServer() rejects with EADDRINUSE when the port is taken', async (t) => {
  const root = await makeTree(t, {});
  const first = await startServer({ root, port: 0, host: '127.0.0.1' });
  t.after(() => first.close());
  await assert.rejects(startServer({ root, port: first.port, host: '127.0.0.1' }), { code: 'EADDRINUSE' });
});

test('startServer() with portFallback moves to the next free port', async (t) => {
  const root = await makeTree(t, {});
  const first = await startServer({ root, port: 0, host: '127.0.0.1' });
  t.after(() => first.close());
  const second = await startServer({ root, port: first.port, host: '127.0.0.1', portFallback: true });
  t.after(() => second.close());
  assert.ok(second.port > first.port);
});

test('startServer() close() waits for an in-flight response, then closes idle keep-alive sockets', async (t) => {
  const root = await makeTree(t, { 'big.bin': Buffer.alloc(4 * 1024 * 1024, 3) });
  const running = await startServer({ root, port: 0, host: '127.0.0.1' });
  const { request } = await import('node:http');
  const req = request({ host: '127.0.0.1', port: running.port, path: '/big.bin' });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.pause();
  const closed = running.close();
  let received = 0;
  res.resume();
  for await (const chunk of res) received += (chunk as Buffer).length;
  assert.equal(received, 4 * 1024 * 1024);
  await closed;
  assert.equal(running.server.listening, false);
  t.after(() => running.server.closeAllConnections());
});

test('createHandler() as middleware adds none of its headers to a response it passes on', async (t) => {
  const root = await makeTree(t, {});
  const handler = createHandler({ root, cors: true, isolate: true, headers: { 'X-Mine': 'yes' } });
  const port = await listen(
    t,
    createServer((req, res) => handler(req, res, () => res.end('next'))),
  );
  const reply = await get(port, '/api/thing');
  assert.equal(reply.text, 'next');
  for (const name of [
    'x-content-type-options',
    'access-control-allow-origin',
    'cross-origin-opener-policy',
    'x-mine',
  ]) {
    assert.equal(reply.headers[name], undefined, name);
  }
});

test('createHandler({ cors: true }) as middleware answers a CORS preflight itself', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const handler = createHandler({ root, cors: true });
  const port = await listen(
    t,
    createServer((req, res) => handler(req, res, () => res.end('next'))),
  );
  const reply = await get(
    port,
    '/a.txt',
    {
      Origin: 'http://example.test',
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'range',
    },
    'OPTIONS',
  );
  assert.equal(reply.status, 204);
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.match(String(reply.headers['access-control-allow-headers']), /Range/);
});
