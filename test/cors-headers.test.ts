// test/cors-headers.test.ts
// Headers on every response, whatever answers it: --cors (and its preflight), --isolate and
// --header on files, ranges, 304s, listings, redirects, SPA pages and every kind of error.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import type { ServeOptions } from '../src/serve/options.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';

const TREE = {
  'index.html': '<h1>home</h1>',
  'hello.txt': 'hello, world\n',
  'about.html': '<h1>about</h1>',
  'folder/a.txt': 'a',
};

interface Case {
  readonly name: string;
  readonly path: string;
  readonly status: number;
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** Options beyond the header flags under test. */
  readonly options?: ServeOptions;
}

const CASES: readonly Case[] = [
  { name: 'a file', path: '/hello.txt', status: 200 },
  { name: 'a HEAD', path: '/hello.txt', status: 200, method: 'HEAD' },
  { name: 'a range', path: '/hello.txt', status: 206, headers: { range: 'bytes=0-4' } },
  {
    name: 'a 304',
    path: '/hello.txt',
    status: 304,
    headers: { 'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' },
  },
  { name: 'a 412', path: '/hello.txt', status: 412, headers: { 'if-match': '"nope"' } },
  { name: 'a 416', path: '/hello.txt', status: 416, headers: { range: 'bytes=999-' } },
  { name: 'a listing', path: '/folder/', status: 200 },
  { name: 'a redirect', path: '/folder', status: 301 },
  { name: 'a clean URL', path: '/about', status: 200 },
  { name: 'a 404 page', path: '/missing.txt', status: 404, headers: { accept: 'text/html' } },
  { name: 'a plain 404', path: '/missing.txt', status: 404 },
  { name: 'a dotfile 404', path: '/.env', status: 404 },
  { name: 'a 400', path: '/%zz', status: 400 },
  { name: 'a 405', path: '/hello.txt', status: 405, method: 'POST' },
  { name: 'an OPTIONS', path: '/hello.txt', status: 204, method: 'OPTIONS' },
  {
    name: 'an SPA page',
    path: '/app/route',
    status: 200,
    headers: { accept: 'text/html' },
    options: { spa: true },
  },
  { name: 'a compressed file', path: '/index.html', status: 200, headers: { 'accept-encoding': 'br' } },
  { name: 'a 404 with --no-listing', path: '/folder/', status: 404, options: { listing: false } },
];

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'Content-Length, Content-Range, ETag, Accept-Ranges, Content-Encoding, Last-Modified',
};
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};
const CUSTOM = { 'x-served-by': 'serve-here test', 'x-frame-options': 'DENY' };
const CUSTOM_OPTION = { 'X-Served-By': 'serve-here test', 'X-Frame-Options': 'DENY' };

async function request(t: Parameters<typeof makeTree>[0], c: Case, options: ServeOptions) {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root, ...c.options, ...options });
  const reply = await get(port, c.path, { origin: 'http://other.example', ...c.headers }, c.method);
  assert.equal(reply.status, c.status, `${c.method ?? 'GET'} ${c.path}`);
  return reply;
}

function assertHas(headers: IncomingHttpHeaders, expected: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(expected)) assert.equal(headers[name], value, name);
}

function assertLacks(headers: IncomingHttpHeaders, names: readonly string[]): void {
  for (const name of names) assert.equal(headers[name], undefined, name);
}

for (const c of CASES) {
  test(`${c.name} (${c.method ?? 'GET'} ${c.path}) with --cors carries Allow-Origin: * and exposes headers`, async (t) => {
    const reply = await request(t, c, { cors: true });
    assertHas(reply.headers, CORS);
    assertLacks(reply.headers, ['access-control-allow-credentials', ...Object.keys(ISOLATION)]);
  });

  test(`${c.name} (${c.method ?? 'GET'} ${c.path}) with --isolate carries COOP, COEP and CORP`, async (t) => {
    const reply = await request(t, c, { isolate: true });
    assertHas(reply.headers, ISOLATION);
    assertLacks(reply.headers, Object.keys(CORS));
  });

  test(`${c.name} (${c.method ?? 'GET'} ${c.path}) with --header carries the custom headers`, async (t) => {
    const reply = await request(t, c, { headers: CUSTOM_OPTION });
    assertHas(reply.headers, CUSTOM);
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  });

  test(`${c.name} (${c.method ?? 'GET'} ${c.path}) without flags has no CORS or isolation headers`, async (t) => {
    const reply = await request(t, c, {});
    assertLacks(reply.headers, [...Object.keys(CORS), ...Object.keys(ISOLATION), ...Object.keys(CUSTOM)]);
  });
}

test('a 400 for GET /../../etc/passwd (raw request) still carries --header and --cors', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root, cors: true, headers: CUSTOM_OPTION });
  const reply = await rawRequest(
    port,
    'GET /../../etc/passwd HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 400 /);
  assert.match(reply, /\r\nAccess-Control-Allow-Origin: \*\r\n/);
  assert.match(reply, /\r\nX-Served-By: serve-here test\r\n/);
});

const PREFLIGHT = {
  origin: 'http://other.example',
  'access-control-request-method': 'GET',
  'access-control-request-headers': 'range',
};

test('OPTIONS preflight for a Range GET with --cors answers 204 allowing GET, HEAD and Range', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root, cors: true });
  const reply = await get(port, '/hello.txt', PREFLIGHT, 'OPTIONS');
  assert.equal(reply.status, 204);
  assert.equal(reply.body.length, 0);
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  const methods = (reply.headers['access-control-allow-methods'] ?? '').split(/,\s*/);
  assert.ok(methods.includes('GET') && methods.includes('HEAD'), methods.join());
  const allowed = (reply.headers['access-control-allow-headers'] ?? '').toLowerCase().split(/,\s*/);
  for (const name of ['range', 'if-none-match', 'if-modified-since']) {
    assert.ok(allowed.includes(name), `${name} in ${allowed.join()}`);
  }
  assert.equal(reply.headers['access-control-max-age'], '600');
  assert.equal(reply.headers['access-control-allow-credentials'], undefined);
});

test('the Range GET after a --cors preflight answers 206 with Content-Range exposed', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root, cors: true });
  const reply = await get(port, '/hello.txt', { origin: 'http://other.example', range: 'bytes=7-11' });
  assert.equal(reply.status, 206);
  assert.equal(reply.text, 'world');
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.match(reply.headers['access-control-expose-headers'] ?? '', /\bContent-Range\b/);
});

test('OPTIONS preflight without --cors is a plain 204 with Allow and no CORS headers', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root });
  const reply = await get(port, '/hello.txt', PREFLIGHT, 'OPTIONS');
  assert.equal(reply.status, 204);
  assert.equal(reply.headers.allow, 'GET, HEAD, OPTIONS');
  assertLacks(reply.headers, [
    'access-control-allow-origin',
    'access-control-allow-methods',
    'access-control-allow-headers',
    'access-control-max-age',
  ]);
});

test('OPTIONS without Origin with --cors is a plain 204, not a preflight answer', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root, cors: true });
  const reply = await get(port, '/hello.txt', {}, 'OPTIONS');
  assert.equal(reply.status, 204);
  assert.equal(reply.headers.allow, 'GET, HEAD, OPTIONS');
  assert.equal(reply.headers['access-control-allow-methods'], undefined);
});

test('--header with the same name as a --cors header replaces it', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, {
    root,
    cors: true,
    headers: { 'Access-Control-Allow-Origin': 'http://app.example' },
  });
  const reply = await get(port, '/hello.txt');
  assert.equal(reply.headers['access-control-allow-origin'], 'http://app.example');
});

test('--header Cache-Control wins over the Cache-Control serve-here sets, on files and on 404s', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A', 'dir/': '' });
  const { port } = await serve(t, {
    root,
    headers: { 'Cache-Control': 'max-age=60', 'Content-Type': 'text/x-mine' },
  });
  for (const path of ['/a.txt', '/missing', '/dir/']) {
    const reply = await get(port, path);
    assert.equal(reply.headers['cache-control'], 'max-age=60', path);
    assert.equal(reply.headers['content-type'], 'text/x-mine', path);
  }
  const notModified = await get(port, '/a.txt', {
    'If-None-Match': (await get(port, '/a.txt')).headers.etag ?? '',
  });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers['cache-control'], 'max-age=60');
});
