// test/proxy.test.ts
// --proxy and proxy rules end to end: a real app (test/proxy-app.ts) behind a real server.
// Methods, paths, queries, bodies both ways, forwarded and hop-by-hop fields, the app's
// redirects, the order against files, and 405 kept when no proxy is on.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import type { StartOptions } from '../src/serve/server.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';
import { startTestApp, type TestApp } from './proxy-app.js';

interface Echo {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly bodyLength: number;
  readonly bodySha256: string;
  readonly body: string;
}

async function setUp(
  t: Parameters<typeof startTestApp>[0],
  proxy: (app: TestApp) => StartOptions['proxy'],
  extra: Partial<StartOptions> = {},
): Promise<{ app: TestApp; port: number }> {
  const app = await startTestApp(t);
  const root = await makeTree(t, {
    'index.html': '<h1>home</h1>',
    'api/data.json': '{"from":"disk"}',
    'about.html': 'about page',
  });
  const server = await serve(t, { root, proxy: proxy(app), ...extra });
  return { app, port: server.port };
}

/** Sends `body` (or nothing) with `method` and reads the whole reply. */
async function send(
  port: number,
  method: string,
  path: string,
  options: { body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; rawHeaders: string[]; body: Buffer }> {
  // Content-Length given explicitly: Node's client sends a DELETE or OPTIONS body unframed.
  const length =
    options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) };
  const headers = { ...length, ...options.headers };
  const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    rawHeaders: res.rawHeaders,
    body: Buffer.concat(chunks),
  };
}

function echo(body: Buffer): Echo {
  return JSON.parse(body.toString('utf8')) as Echo;
}

test('--proxy: a file still answers; a missing path goes to the app with its query', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const file = await get(port, '/index.html');
  assert.equal(file.text, '<h1>home</h1>');
  const missing = await get(port, '/users/7?tab=posts&x=%20y');
  assert.equal(missing.status, 200);
  assert.equal(missing.headers['x-served-by'], 'app');
  assert.deepEqual(
    { method: echo(missing.body).method, url: echo(missing.body).url },
    { method: 'GET', url: '/users/7?tab=posts&x=%20y' },
  );
  // A name with an extension (never a clean URL or SPA page) goes to the app too.
  assert.equal(echo((await get(port, '/api/missing.json')).body).url, '/api/missing.json');
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/users/7?tab=posts&x=%20y', '/api/missing.json'],
  );
});

test('--proxy: clean URLs answer before the app; the app answers before the SPA page', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url, { spa: true });
  assert.equal((await get(port, '/about')).text, 'about page');
  const route = await get(port, '/dashboard', { Accept: 'text/html' });
  assert.equal(echo(route.body).url, '/dashboard');
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/dashboard'],
  );
});

test('--proxy: POST with a body reaches the app whole, and its answer comes back', async (t) => {
  const { port } = await setUp(t, (a) => a.url);
  const reply = await send(port, 'POST', '/api/login?next=%2F', {
    body: '{"user":"ada"}',
    headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(reply.status, 200);
  const seen = echo(reply.body);
  assert.deepEqual(
    {
      method: seen.method,
      url: seen.url,
      body: seen.body,
      type: seen.headers['content-type'],
      length: seen.headers['content-length'],
    },
    {
      method: 'POST',
      url: '/api/login?next=%2F',
      body: '{"user":"ada"}',
      type: 'application/json',
      length: '14',
    },
  );
});

test('--proxy: files never answer other methods, even on a file path (PUT, DELETE, PATCH, OPTIONS)', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const reply = await send(port, method, '/index.html', { body: 'x' });
    assert.equal(reply.status, 200, method);
    assert.equal(echo(reply.body).method, method);
  }
  assert.equal(app.received.length, 4);
});

test('--proxy: HEAD passes through and gets no body', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const reply = await send(port, 'HEAD', '/nothing-here');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['x-served-by'], 'app');
  assert.equal(reply.body.length, 0);
  assert.equal(app.received[0]?.method, 'HEAD');
});

test('--proxy: an 8 MiB upload is streamed to the app byte for byte, chunked as it came', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false });
  const piece = Buffer.alloc(256 * 1024);
  const hash = createHash('sha256');
  for (let i = 0; i < 32; i++) {
    piece.fill(i);
    hash.update(piece);
    if (!req.write(piece)) await once(req, 'drain');
  }
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const seen = echo(Buffer.concat(chunks));
  assert.equal(seen.bodyLength, 8 * 1024 * 1024);
  assert.equal(seen.bodySha256, hash.digest('hex'));
  assert.equal(seen.headers['transfer-encoding'], 'chunked');
  assert.equal(app.received[0]?.body.length, 8 * 1024 * 1024);
});

test('--proxy: a 16 MiB answer from the app is streamed to the client whole', async (t) => {
  const { port } = await setUp(t, (a) => a.url);
  const reply = await send(port, 'GET', '/stream?mib=16');
  assert.equal(reply.status, 200);
  assert.equal(reply.body.length, 16 * 1024 * 1024);
  assert.ok(reply.body.every((byte) => byte === 0x78));
});

test("--proxy: X-Forwarded-For is appended to, -Proto and -Host are set; Host is the app's", async (t) => {
  const { app, port } = await setUp(t, (a) => a.url);
  const reply = await get(port, '/who', {
    Host: 'site.test:8000',
    'X-Forwarded-For': '203.0.113.9',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Host': 'evil.example',
  });
  const { headers } = echo(reply.body);
  assert.deepEqual(
    {
      host: headers.host,
      for: headers['x-forwarded-for'],
      proto: headers['x-forwarded-proto'],
      forwardedHost: headers['x-forwarded-host'],
    },
    {
      host: `127.0.0.1:${app.port}`,
      for: '203.0.113.9, 127.0.0.1',
      proto: 'http',
      forwardedHost: 'site.test:8000',
    },
  );
});

test("--proxy: hop-by-hop fields are dropped both ways; repeated Set-Cookie and the app's own head pass", async (t) => {
  const { port } = await setUp(t, (a) => a.url);
  const sent = await get(port, '/who', {
    Connection: 'keep-alive, X-Client-Private',
    'X-Client-Private': 'secret',
    'Keep-Alive': 'timeout=9',
    'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
    TE: 'trailers',
  });
  const { headers } = echo(sent.body);
  for (const name of ['x-client-private', 'keep-alive', 'proxy-authorization', 'te']) {
    assert.equal(headers[name], undefined, name);
  }
  const back = await send(port, 'GET', '/hop');
  assert.equal(back.body.toString(), 'hop');
  assert.equal(back.headers['x-app-private'], undefined);
  assert.equal(back.headers['proxy-authenticate'], undefined);
  assert.deepEqual(back.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(back.headers['cache-control'], 'max-age=60');
  // The app's answer is the app's: serve-here adds none of its own fields to it.
  assert.equal(back.headers['x-content-type-options'], undefined);
});

test("--proxy: the app's redirect passes back unchanged", async (t) => {
  const { port } = await setUp(t, (a) => a.url);
  const reply = await get(port, '/redirect');
  assert.equal(reply.status, 302);
  assert.equal(reply.headers.location, 'http://127.0.0.1:1/elsewhere?x=1');
});

test('--proxy URL/v1: the destination path goes before the request path', async (t) => {
  const { port } = await setUp(t, (a) => `${a.url}/v1/`);
  assert.equal(echo((await get(port, '/users?x=1')).body).url, '/v1/users?x=1');
});

test('proxy rules take their paths before files; other paths stay files or 404', async (t) => {
  const { app, port } = await setUp(t, (a) => [{ source: '/api/**', destination: a.url }]);
  const ruled = await get(port, '/api/data.json');
  assert.equal(echo(ruled.body).url, '/api/data.json');
  const post = await send(port, 'POST', '/api', { body: 'a=1' });
  assert.equal(echo(post.body).body, 'a=1');
  assert.equal((await get(port, '/index.html')).text, '<h1>home</h1>');
  assert.equal((await get(port, '/apix')).status, 404);
  assert.equal((await get(port, '/missing')).status, 404);
  // Without a --proxy app, files still refuse other methods.
  const refused = await send(port, 'POST', '/index.html', { body: 'x' });
  assert.equal(refused.status, 405);
  assert.equal(refused.headers.allow, 'GET, HEAD, OPTIONS');
  assert.deepEqual(
    app.received.map((r) => `${r.method} ${r.url}`),
    ['GET /api/data.json', 'POST /api'],
  );
});

test('proxy rules: the first matching rule wins, each to its own app', async (t) => {
  const other = await startTestApp(t);
  const { app, port } = await setUp(t, (a) => [
    { source: '/api/admin/**', destination: other.url },
    { source: '/api/**', destination: a.url },
  ]);
  await get(port, '/api/admin/users');
  await get(port, '/api/users');
  assert.deepEqual(
    other.received.map((r) => r.url),
    ['/api/admin/users'],
  );
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/api/users'],
  );
});

test('proxy rules match the decoded, normalised path: dot segments never reach the app', async (t) => {
  const { app, port } = await setUp(t, (a) => [{ source: '/api/**', destination: a.url }]);
  // /api/../index.html is /index.html: served as a redirect to the canonical path, never proxied.
  const climbed = await rawRequest(
    port,
    'GET /api/../index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  assert.match(climbed, /^HTTP\/1\.1 301 /);
  assert.match(climbed, /\r\nLocation: \/index\.html\r\n/);
  const doubled = await rawRequest(port, 'GET /api//users HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(doubled, /\r\nLocation: \/api\/users\r\n/);
  const post = await rawRequest(
    port,
    'POST /x/../api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
  );
  assert.match(post, /^HTTP\/1\.1 400 /);
  // An encoded name is still the same segment: /ap%69/x is /api/x.
  assert.equal(echo((await get(port, '/ap%69/x')).body).url, '/ap%69/x');
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/ap%69/x'],
  );
});

test('without a proxy, POST still gets 405 with Allow', async (t) => {
  const root = await makeTree(t, { 'index.html': 'home' });
  const server = await serve(t, { root });
  const reply = await send(server.port, 'POST', '/index.html', { body: 'x' });
  assert.equal(reply.status, 405);
  assert.equal(reply.headers.allow, 'GET, HEAD, OPTIONS');
});

test('--proxy with --cors: serve-here answers preflights, the app gets the rest', async (t) => {
  const { app, port } = await setUp(t, (a) => a.url, { cors: true });
  const preflight = await send(port, 'OPTIONS', '/api/x', {
    headers: { Origin: 'http://other.test', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.equal(app.received.length, 0);
});

test('--proxy with --no-listing: a folder without index.html goes to the app; one with it is served', async (t) => {
  const app = await startTestApp(t);
  const root = await makeTree(t, { 'docs/index.html': 'docs home', 'empty/': '' });
  const server = await serve(t, { root, proxy: app.url, listing: false });
  assert.equal((await get(server.port, '/docs/')).text, 'docs home');
  assert.equal(echo((await get(server.port, '/')).body).url, '/');
  assert.equal(echo((await get(server.port, '/empty/')).body).url, '/empty/');
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/', '/empty/'],
  );
});
