// test/proxy-faults.test.ts
// The proxy when things go wrong: the app down (502) or slow (504) with no internal address in
// the body, the client leaving (the app's request is cancelled), request smuggling attempts
// over raw sockets (the app never sees them), and WebSocket handshakes passed through.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import type { StartOptions } from '../src/serve/server.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';
import { EXPECTED_ACCEPT, maskedTextFrame, openWebSocket, startTestApp, type TestApp } from './proxy-app.js';

interface Logged {
  readonly error: unknown;
  readonly path: string;
}

async function setUp(
  t: Parameters<typeof startTestApp>[0],
  proxy: (app: TestApp) => StartOptions['proxy'],
  extra: Partial<StartOptions> = {},
): Promise<{ app: TestApp; port: number; logged: Logged[] }> {
  const app = await startTestApp(t);
  const root = await makeTree(t, { 'index.html': '<h1>home</h1>' });
  const logged: Logged[] = [];
  const server = await serve(t, {
    root,
    proxy: proxy(app),
    onError: (error, path) => logged.push({ error, path }),
    ...extra,
  });
  return { app, port: server.port, logged };
}

/** A port where nothing listens: a server is started, its port read, and the server closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

test('the app down: 502 page for a browser and text for curl, naming no internal address', async (t) => {
  const appPort = await closedPort();
  const root = await makeTree(t, { 'index.html': 'home' });
  const logged: Logged[] = [];
  const server = await serve(t, {
    root,
    proxy: `http://127.0.0.1:${appPort}`,
    onError: (error, path) => logged.push({ error, path }),
  });
  const page = await get(server.port, '/api/users', { Accept: 'text/html' });
  assert.equal(page.status, 502);
  assert.match(page.headers['content-type'] ?? '', /^text\/html/);
  assert.match(page.text, /Bad Gateway/);
  const text = await get(server.port, '/api/users');
  assert.equal(text.status, 502);
  assert.equal(text.text, '502 Bad Gateway\n');
  for (const body of [page.text, text.text]) {
    assert.doesNotMatch(body, /127\.0\.0\.1/);
    assert.ok(!body.includes(String(appPort)));
  }
  // The log says which: the app refused the connection.
  assert.equal(logged.length, 2);
  const cause = logged[0]?.error as Error & { code?: string };
  assert.equal(cause.code, 'PROXY_UNREACHABLE');
  assert.equal(
    cause.message,
    `proxy: http://127.0.0.1:${appPort} refused the connection (is the app running?)`,
  );
  assert.equal(logged[0]?.path, '/api/users');
});

test("the app slower than the limit to answer: 504, the log says so, the app's request is closed", async (t) => {
  const { app, port, logged } = await setUp(t, (a) => a.url, { proxyTimeoutMs: 150 });
  const closed = once(app.events, 'closed');
  const reply = await get(port, '/hang');
  assert.equal(reply.status, 504);
  assert.equal(reply.text, '504 Gateway Timeout\n');
  await closed;
  const cause = logged[0]?.error as Error & { code?: string };
  assert.equal(cause.code, 'PROXY_TIMEOUT');
  assert.equal(cause.message, `proxy: ${app.url} sent no answer within 150 ms`);
});

test("the client leaving cancels the app's request", async (t) => {
  const { app, port, logged } = await setUp(t, (a) => a.url);
  const arrived = once(app.events, 'request');
  const closed = once(app.events, 'closed');
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('GET /hang HTTP/1.1\r\nHost: x\r\n\r\n');
  await arrived;
  socket.destroy();
  assert.deepEqual(await closed, ['/hang']);
  // A client that hangs up is not an error worth a log line.
  assert.deepEqual(logged, []);
});

test("a client leaving mid-download stops the app's stream", async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const arrived = once(app.events, 'request');
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write('GET /stream?mib=512 HTTP/1.1\r\nHost: x\r\n\r\n');
  const [appRequest] = (await arrived) as [IncomingMessage];
  await once(socket, 'data');
  socket.destroy();
  // The app's connection closes (reset, as it was still writing) before its 512 MiB were sent.
  const appSocket = appRequest.socket;
  appSocket.on('error', () => undefined);
  await new Promise((done) => appSocket.once('close', done));
  assert.ok(appSocket.bytesWritten < 512 * 1024 * 1024);
});

const smuggling: { name: string; request: string }[] = [
  {
    name: 'Content-Length with Transfer-Encoding',
    request:
      'POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  },
  {
    name: 'Transfer-Encoding with Content-Length after it',
    request:
      'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  },
  {
    name: 'two different Content-Lengths',
    request:
      'POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabcGET /smuggled HTTP/1.1\r\n\r\n',
  },
  {
    name: 'a bad chunk size',
    request:
      'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /smuggled HTTP/1.1\r\n\r\n',
  },
  {
    name: 'a chunk longer than its size',
    request: 'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n',
  },
  {
    name: 'Transfer-Encoding not ending in chunked',
    request: 'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  },
  {
    name: 'an obfuscated Transfer-Encoding (space before the colon)',
    request:
      'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n',
  },
  {
    name: 'a folded header line',
    request: 'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n',
  },
  {
    name: 'bare LF line ends',
    request: 'POST /api/x HTTP/1.1\nHost: x\nContent-Length: 0\nTransfer-Encoding: chunked\n\n0\n\n',
  },
  {
    name: 'no Host on HTTP/1.1',
    request: 'POST /api/x HTTP/1.1\r\nContent-Length: 0\r\n\r\n',
  },
];

for (const { name, request } of smuggling) {
  test(`request smuggling: ${name} gets 400 and never reaches the app`, async (t) => {
    const { app, port } = await setUp(t, (a) => [{ source: '/api/**', destination: a.url }]);
    const reply = await rawRequest(port, request);
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.ok(!reply.includes('"url"'), 'no answer from the app');
    // A request sent afterwards arrives, and is the first and only one the app saw.
    await get(port, '/api/after');
    assert.deepEqual(
      app.received.map((r) => r.url),
      ['/api/after'],
    );
  });
}

test('request smuggling: a request inside a body stays body, framed as the client framed it', async (t) => {
  const { app, port } = await setUp(t, (a) => [{ source: '/api/**', destination: a.url }]);
  const inner = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
  const chunked = `${inner.length.toString(16)};ext=1\r\n${inner}\r\n0\r\nX-Trailer: t\r\n\r\n`;
  const reply = await rawRequest(
    port,
    `POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`,
  );
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.deepEqual(
    app.received.map((r) => [r.url, r.body.toString()]),
    [['/api/x', inner]],
  );
});

test('a transfer coding other than chunked is refused with 501, never passed on', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const reply = await rawRequest(
    port,
    'POST /api/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 501 /);
  assert.deepEqual(app.received, []);
});

test('WebSocket: the handshake and frames pass through both ways', async (t) => {
  const { app, port } = await setUp(t, (a) => [{ source: '/ws', destination: a.url }]);
  const ws = await openWebSocket(port, '/ws');
  t.after(() => ws.socket.destroy());
  assert.equal(ws.status, 101);
  assert.match(
    ws.head,
    new RegExp(`\\r\\nSec-WebSocket-Accept: ${EXPECTED_ACCEPT.replace(/[+/]/g, '\\$&')}\\r\\n`),
  );
  ws.socket.write(maskedTextFrame('hello through the proxy'));
  assert.equal((await ws.next()).toString(), 'hello through the proxy');
  ws.socket.write(maskedTextFrame('and again'));
  assert.equal((await ws.next()).toString(), 'and again');
  const handshake = app.received[0];
  assert.equal(handshake?.url, '/ws');
  const fields = Object.fromEntries(
    (handshake?.rawHeaders ?? []).flatMap((v, i, all) =>
      i % 2 === 0 ? [[v.toLowerCase(), all[i + 1]]] : [],
    ),
  );
  assert.equal(fields.upgrade, 'websocket');
  assert.equal(fields.connection, 'Upgrade');
  assert.equal(fields['x-forwarded-for'], '127.0.0.1');
});

test('WebSocket: an app that declines the upgrade has its answer passed back', async (t) => {
  const { port } = await setUp(t, (a) => a.url);
  const ws = await openWebSocket(port, '/ws-refuse');
  t.after(() => ws.socket.destroy());
  assert.equal(ws.status, 403);
});

test('WebSocket: a handshake for a path no rule takes is answered as a plain request', async (t) => {
  const { app, port } = await setUp(t, (a) => [{ source: '/api/**', destination: a.url }]);
  const reply = await rawRequest(
    port,
    'GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.ok(reply.endsWith('<h1>home</h1>'));
  assert.deepEqual(app.received, []);
});

test('WebSocket: the app down answers the handshake with 502 and logs it', async (t) => {
  const appPort = await closedPort();
  const root = await makeTree(t, {});
  const logged: Logged[] = [];
  const server = await serve(t, {
    root,
    proxy: `http://127.0.0.1:${appPort}`,
    onError: (error, path) => logged.push({ error, path }),
  });
  const ws = await openWebSocket(server.port, '/hmr');
  t.after(() => ws.socket.destroy());
  assert.equal(ws.status, 502);
  assert.doesNotMatch(ws.head, /127\.0\.0\.1/);
  assert.equal((logged[0]?.error as { code?: string } | undefined)?.code, 'PROXY_UNREACHABLE');
  assert.equal(logged[0]?.path, '/hmr');
});
