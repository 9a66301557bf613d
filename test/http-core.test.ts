// test/http-core.test.ts
// End to end over real HTTP: content types, the headers of every file response, preconditions,
// ranges (multipart byte for byte), HEAD, OPTIONS/405, error pages, index files, refusals,
// and what happens to descriptors and connections when downloads are aborted or files change.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { appendFile, chmod, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type TestContext, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { formatHttpDate } from '../src/http/conditional.js';
import { httpErrorFromFs } from '../src/http/errors.js';
import type { ResponseLogEntry } from '../src/serve/options.js';
import { get, makeTree, type Reply, rawGet, serve } from './helpers.js';
import { unprivileged } from './unprivileged.js';

/** 1,000 bytes: A–Z repeated, so every offset has a predictable byte. */
const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => 65 + (i % 26)));

async function site(t: TestContext, options: Parameters<typeof serve>[1] = {}) {
  const root = await makeTree(t, {
    'index.html': '<h1>home</h1>\n',
    'data.txt': DATA,
    'empty.txt': '',
    'a.txt': 'file a\n',
    'b.txt': 'file b\n',
    'dir/index.html': '<p>dir index</p>\n',
    'both/index.html': 'index.html wins\n',
    'both/index.htm': 'index.htm loses\n',
    'htm-only/index.htm': 'index.htm only\n',
    'no-index/x.txt': 'x\n',
  });
  const server = await serve(t, { root, ...options });
  return { root, port: server.port };
}

function headerOf(reply: Reply, name: string): string | undefined {
  const value = reply.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

// --- Content-Type -----------------------------------------------------------------------

const CONTENT_TYPES: readonly [file: string, type: string][] = [
  ['page.html', 'text/html; charset=utf-8'],
  ['page.htm', 'text/html; charset=utf-8'],
  ['style.css', 'text/css; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['module.mjs', 'text/javascript; charset=utf-8'],
  ['data.json', 'application/json; charset=utf-8'],
  ['logo.svg', 'image/svg+xml; charset=utf-8'],
  ['notes.md', 'text/markdown; charset=utf-8'],
  ['notes.txt', 'text/plain; charset=utf-8'],
  ['feed.xml', 'application/xml; charset=utf-8'],
  ['site.webmanifest', 'application/manifest+json; charset=utf-8'],
  ['UPPER.TXT', 'text/plain; charset=utf-8'],
  ['module.wasm', 'application/wasm'],
  ['photo.png', 'image/png'],
  ['clip.mp4', 'video/mp4'],
  ['archive.unknownext', 'application/octet-stream'],
  ['Makefile', 'application/octet-stream'],
  ['trailing-dot.', 'application/octet-stream'],
];

for (const [file, type] of CONTENT_TYPES) {
  test(`GET /${file} is sent as ${type}`, async (t) => {
    const root = await makeTree(t, { [file]: 'x' });
    const { port } = await serve(t, { root });
    const reply = await get(port, `/${encodeURIComponent(file)}`);
    assert.equal(reply.status, 200);
    assert.equal(headerOf(reply, 'content-type'), type);
  });
}

// --- Headers of a file response -------------------------------------------------------------

test('GET /data.txt sends length, validators, ranges, nosniff and no-cache', async (t) => {
  const { root, port } = await site(t);
  const reply = await get(port, '/data.txt');
  const info = await stat(join(root, 'data.txt'));
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body, DATA);
  assert.equal(headerOf(reply, 'content-length'), '1000');
  assert.equal(headerOf(reply, 'last-modified'), formatHttpDate(info.mtimeMs));
  assert.match(headerOf(reply, 'etag') ?? '', /^"[0-9a-z]+-[0-9a-z]+-[0-9a-z]+"$/, 'a strong ETag');
  assert.equal(headerOf(reply, 'accept-ranges'), 'bytes');
  assert.equal(headerOf(reply, 'x-content-type-options'), 'nosniff');
  assert.equal(headerOf(reply, 'cache-control'), 'no-cache');
});

test('GET /data.txt with --cache 3600 sends max-age=3600, and so does its 304', async (t) => {
  const { port } = await site(t, { cache: 3600 });
  const reply = await get(port, '/data.txt');
  assert.match(headerOf(reply, 'cache-control') ?? '', /(^|[ ,])max-age=3600($|,)/);
  const again = await get(port, '/data.txt', { 'if-none-match': headerOf(reply, 'etag') ?? '' });
  assert.equal(again.status, 304);
  assert.match(headerOf(again, 'cache-control') ?? '', /(^|[ ,])max-age=3600($|,)/);
});

test('the ETag changes when the file changes, and the next request sees the new bytes', async (t) => {
  const { root, port } = await site(t);
  const before = await get(port, '/a.txt');
  await writeFile(join(root, 'a.txt'), 'file a, edited\n');
  const after = await get(port, '/a.txt');
  assert.equal(after.text, 'file a, edited\n');
  assert.notEqual(headerOf(after, 'etag'), headerOf(before, 'etag'));
  const revalidated = await get(port, '/a.txt', { 'if-none-match': headerOf(before, 'etag') ?? '' });
  assert.equal(revalidated.status, 200, 'an old ETag must not get a 304');
});

// --- Preconditions ----------------------------------------------------------------------------

test('GET with a matching If-None-Match is 304 with validators and Cache-Control, no body or type', async (t) => {
  const { port } = await site(t);
  const first = await get(port, '/data.txt');
  const reply = await get(port, '/data.txt', { 'if-none-match': headerOf(first, 'etag') ?? '' });
  assert.equal(reply.status, 304);
  assert.equal(reply.body.length, 0);
  assert.equal(headerOf(reply, 'etag'), headerOf(first, 'etag'));
  assert.equal(headerOf(reply, 'last-modified'), headerOf(first, 'last-modified'));
  assert.equal(headerOf(reply, 'cache-control'), 'no-cache');
  assert.equal(headerOf(reply, 'content-type'), undefined);
  assert.equal(headerOf(reply, 'content-length'), undefined);
  assert.equal(headerOf(reply, 'content-range'), undefined);
});

const PRECONDITION_CASES: readonly [
  name: string,
  headers: (v: Validators) => Record<string, string>,
  want: number,
][] = [
  ['If-None-Match: *', () => ({ 'if-none-match': '*' }), 304],
  ['If-None-Match with the weak form of the ETag', (v) => ({ 'if-none-match': `W/${v.etag}` }), 304],
  ['If-None-Match with another ETag', () => ({ 'if-none-match': '"nope"' }), 200],
  ['If-Modified-Since equal to Last-Modified', (v) => ({ 'if-modified-since': v.lastModified }), 304],
  ['If-Modified-Since a day earlier', (v) => ({ 'if-modified-since': v.dayBefore }), 200],
  ['If-Modified-Since that is garbage', () => ({ 'if-modified-since': '9999' }), 200],
  [
    'If-None-Match that misses beside a matching If-Modified-Since',
    (v) => ({ 'if-none-match': '"nope"', 'if-modified-since': v.lastModified }),
    200,
  ],
  ['If-Match with the ETag', (v) => ({ 'if-match': v.etag }), 200],
  ['If-Match with another ETag', () => ({ 'if-match': '"nope"' }), 412],
  ['If-Match with the weak form of the ETag', (v) => ({ 'if-match': `W/${v.etag}` }), 412],
  ['If-Unmodified-Since a day earlier', (v) => ({ 'if-unmodified-since': v.dayBefore }), 412],
  ['If-Unmodified-Since equal to Last-Modified', (v) => ({ 'if-unmodified-since': v.lastModified }), 200],
  ['If-Unmodified-Since that is garbage', () => ({ 'if-unmodified-since': 'soon' }), 200],
];

interface Validators {
  readonly etag: string;
  readonly lastModified: string;
  readonly dayBefore: string;
}

for (const [name, headers, want] of PRECONDITION_CASES) {
  test(`GET /data.txt with ${name} answers ${want}`, async (t) => {
    const { port } = await site(t);
    const first = await get(port, '/data.txt');
    const lastModified = headerOf(first, 'last-modified') ?? '';
    const validators: Validators = {
      etag: headerOf(first, 'etag') ?? '',
      lastModified,
      dayBefore: formatHttpDate(Date.parse(lastModified) - 86_400_000),
    };
    const reply = await get(port, '/data.txt', headers(validators));
    assert.equal(reply.status, want);
    if (want === 200) assert.deepEqual(reply.body, DATA);
    if (want === 412) {
      assert.ok(!reply.body.includes(DATA.subarray(0, 26)), 'a 412 carries no file bytes');
      assert.equal(headerOf(reply, 'content-range'), undefined, 'only a 416 has Content-Range');
      assert.equal(headerOf(reply, 'etag'), undefined);
    }
  });
}

test('HEAD with a matching If-None-Match is 304 too', async (t) => {
  const { port } = await site(t);
  const first = await get(port, '/data.txt');
  const reply = await get(port, '/data.txt', { 'if-none-match': headerOf(first, 'etag') ?? '' }, 'HEAD');
  assert.equal(reply.status, 304);
});

// --- Ranges -----------------------------------------------------------------------------------

const SINGLE_RANGES: readonly [range: string, start: number, end: number][] = [
  ['bytes=0-9', 0, 9],
  ['bytes=0-', 0, 999],
  ['bytes=0-1', 0, 1],
  ['bytes=-10', 990, 999],
  ['bytes=990-', 990, 999],
  ['bytes=500-5000', 500, 999],
  ['bytes=0-5,3-8', 0, 8],
];

for (const [range, start, end] of SINGLE_RANGES) {
  test(`GET /data.txt with Range: ${range} is 206 with exactly bytes ${start}-${end}`, async (t) => {
    const { port } = await site(t);
    const reply = await get(port, '/data.txt', { range });
    assert.equal(reply.status, 206);
    assert.equal(headerOf(reply, 'content-range'), `bytes ${start}-${end}/1000`);
    assert.equal(headerOf(reply, 'content-length'), String(end - start + 1));
    assert.equal(headerOf(reply, 'content-type'), 'text/plain; charset=utf-8');
    assert.deepEqual(reply.body, DATA.subarray(start, end + 1));
  });
}

for (const range of ['bytes=1000-', 'bytes=1000-2000', 'bytes=-0', 'bytes=5000-6000,7000-']) {
  test(`GET /data.txt with Range: ${range} is 416 with Content-Range: bytes */1000`, async (t) => {
    const { port } = await site(t);
    const reply = await get(port, '/data.txt', { range });
    assert.equal(reply.status, 416);
    assert.equal(headerOf(reply, 'content-range'), 'bytes */1000');
    assert.equal(headerOf(reply, 'content-security-policy')?.includes("default-src 'none'"), true);
    assert.ok(!reply.body.includes(DATA.subarray(0, 26)), 'a 416 carries no file bytes');
  });
}

for (const range of ['bytes=100-50', 'items=0-9', 'bytes=abc', 'bytes=0-1,x', 'bytes=0-5,3-8,100-110']) {
  test(`GET /data.txt with Range: ${range} ignores the range and sends 200 whole`, async (t) => {
    const { port } = await site(t);
    const reply = await get(port, '/data.txt', { range });
    assert.equal(reply.status, 200);
    assert.equal(headerOf(reply, 'content-range'), undefined);
    assert.deepEqual(reply.body, DATA);
  });
}

test('GET /data.txt with Range: bytes=500-509,0-9,990- is multipart/byteranges, exact to the byte', async (t) => {
  const { port } = await site(t);
  const reply = await get(port, '/data.txt', { range: 'bytes=500-509,0-9,990-' });
  assert.equal(reply.status, 206);
  const type = headerOf(reply, 'content-type') ?? '';
  const boundary = /^multipart\/byteranges; boundary=([0-9A-Za-z'()+_,\-./:=?]{1,70})$/.exec(type)?.[1];
  assert.ok(boundary !== undefined, `bad Content-Type ${type}`);
  assert.equal(
    headerOf(reply, 'content-range'),
    undefined,
    'the parts carry Content-Range, not the response',
  );
  const part = (start: number, end: number, first: boolean): Buffer =>
    Buffer.concat([
      Buffer.from(
        `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Range: bytes ${start}-${end}/1000\r\n\r\n`,
      ),
      DATA.subarray(start, end + 1),
    ]);
  const expected = Buffer.concat([
    part(0, 9, true),
    part(500, 509, false),
    part(990, 999, false),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  assert.equal(reply.body.toString('latin1'), expected.toString('latin1'));
  assert.equal(headerOf(reply, 'content-length'), String(expected.length));
});

test('GET with more than 64 ranges is answered 200 with the whole file', async (t) => {
  const root = await makeTree(t, { 'big.bin': Buffer.alloc(100_000, 7) });
  const { port } = await serve(t, { root });
  const range = `bytes=${Array.from({ length: 65 }, (_, i) => `${i * 1000}-${i * 1000 + 1}`).join(',')}`;
  const reply = await get(port, '/big.bin', { range });
  assert.equal(reply.status, 200);
  assert.equal(reply.body.length, 100_000);
});

test('If-Range with the current ETag or date honours the Range; anything else sends 200 whole', async (t) => {
  const { port } = await site(t);
  const first = await get(port, '/data.txt');
  const etag = headerOf(first, 'etag') ?? '';
  const lastModified = headerOf(first, 'last-modified') ?? '';
  const cases: [string, number][] = [
    [etag, 206],
    [lastModified, 206],
    ['"another"', 200],
    [`W/${etag}`, 200],
    [formatHttpDate(Date.parse(lastModified) - 1000), 200],
    ['garbage', 200],
  ];
  for (const [ifRange, want] of cases) {
    const reply = await get(port, '/data.txt', { range: 'bytes=0-9', 'if-range': ifRange });
    assert.equal(reply.status, want, `If-Range: ${ifRange}`);
    assert.equal(reply.body.length, want === 206 ? 10 : 1000);
  }
});

test('GET /empty.txt with a Range is 200 with an empty body', async (t) => {
  const { port } = await site(t);
  for (const range of ['bytes=0-', 'bytes=0-0', 'bytes=-1']) {
    const reply = await get(port, '/empty.txt', { range });
    assert.equal(reply.status, 200, range);
    assert.equal(headerOf(reply, 'content-length'), '0');
    assert.equal(reply.body.length, 0);
  }
});

// --- HEAD, OPTIONS, other methods ---------------------------------------------------------------

const HEAD_CASES: readonly [path: string, headers: Record<string, string>][] = [
  ['/data.txt', {}],
  ['/data.txt', { range: 'bytes=0-9' }],
  ['/data.txt', { range: 'bytes=2000-' }],
  ['/empty.txt', {}],
  ['/dir/', {}],
  ['/dir', {}],
  ['/missing.txt', {}],
  ['/missing.txt', { accept: 'text/html' }],
  ['/%zz', {}],
];

for (const [path, headers] of HEAD_CASES) {
  test(`HEAD ${path} ${JSON.stringify(headers)} has the same status and headers as GET, and no body`, async (t) => {
    const { port } = await site(t);
    const getReply = await get(port, path, headers);
    const headReply = await get(port, path, headers, 'HEAD');
    assert.equal(headReply.status, getReply.status);
    assert.equal(headReply.body.length, 0);
    const { date: _getDate, ...getHeaders } = getReply.headers;
    const { date: _headDate, ...headHeaders } = headReply.headers;
    assert.deepEqual(headHeaders, getHeaders);
  });
}

test('OPTIONS /data.txt is 204 with Allow: GET, HEAD, OPTIONS and no body', async (t) => {
  const { port } = await site(t);
  for (const path of ['/data.txt', '*', '/missing']) {
    const reply = await get(port, path, {}, 'OPTIONS');
    assert.equal(reply.status, 204, path);
    assert.equal(headerOf(reply, 'allow'), 'GET, HEAD, OPTIONS');
    assert.equal(reply.body.length, 0);
  }
});

for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'TRACE']) {
  test(`${method} /data.txt is 405 with Allow and never the file`, async (t) => {
    const { port } = await site(t);
    const reply = await get(port, '/data.txt', { range: 'bytes=0-25' }, method);
    assert.equal(reply.status, 405);
    assert.equal(headerOf(reply, 'allow'), 'GET, HEAD, OPTIONS');
    assert.ok(!reply.body.includes(DATA.subarray(0, 26)));
    assert.equal(headerOf(reply, 'etag'), undefined);
  });
}

test('405, 400 and 414 are decided without touching the disk', async (t) => {
  // The served folder does not exist: any disk lookup that misses reports it through onError.
  const base = await makeTree(t, {});
  const errors: unknown[] = [];
  const { port } = await serve(t, { root: join(base, 'gone'), onError: (error) => errors.push(error) });
  assert.equal((await get(port, '/x.txt', {}, 'POST')).status, 405);
  assert.equal((await get(port, '/x.txt', {}, 'DELETE')).status, 405);
  assert.equal((await rawGet(port, '/%zz')).status, 400);
  assert.equal((await rawGet(port, '/../x')).status, 400);
  assert.equal((await rawGet(port, `/${'a'.repeat(9000)}`)).status, 414);
  assert.equal((await get(port, '/x.txt', {}, 'OPTIONS')).status, 204);
  assert.equal(errors.length, 0, 'a refusal looked at the disk');
  // The probe works: a GET does look, and reports the missing folder.
  assert.equal((await get(port, '/x.txt')).status, 404);
  assert.equal(errors.length, 1);
});

// --- Error pages ---------------------------------------------------------------------------------

test('a 404 for a browser is an HTML page with CSP and nosniff; for curl it is plain text', async (t) => {
  const { port } = await site(t);
  const html = await get(port, '/missing.txt', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
  assert.equal(html.status, 404);
  assert.equal(headerOf(html, 'content-type'), 'text/html; charset=utf-8');
  assert.match(html.text, /^<!doctype html>/);
  assert.match(headerOf(html, 'content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(headerOf(html, 'x-content-type-options'), 'nosniff');
  const plain = await get(port, '/missing.txt', { accept: '*/*' });
  assert.equal(plain.status, 404);
  assert.equal(headerOf(plain, 'content-type'), 'text/plain; charset=utf-8');
  assert.equal(plain.text, '404 Not Found\n');
  assert.match(headerOf(plain, 'content-security-policy') ?? '', /default-src 'none'/);
  assert.equal(headerOf(plain, 'x-content-type-options'), 'nosniff');
});

test('an error page escapes the echoed path', async (t) => {
  const { port } = await site(t);
  const request = [
    'GET /<script>alert("x")</script>\'.txt HTTP/1.1',
    'Host: localhost',
    'Accept: text/html',
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  const { rawRequest } = await import('./helpers.js');
  const reply = await rawRequest(port, request);
  assert.match(reply, /^HTTP\/1\.1 404 /);
  assert.ok(!reply.includes('<script>'), 'the path was echoed unescaped');
  assert.ok(reply.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;.txt'));
});

test('an error page never contains the folder path on disk', async (t) => {
  const { root, port } = await site(t);
  for (const path of ['/missing.txt', '/%zz', '/data.txt/', '/no-index/x.txt/y']) {
    const reply = await get(port, path, { accept: 'text/html' });
    assert.ok(!reply.text.includes(root), `${path} leaks the root`);
  }
});

test('a root 404.html is the body of every 404, and the status stays 404', async (t) => {
  const root = await makeTree(t, { '404.html': '<h1>custom not found</h1>\n', '.env': 'X=1' });
  const { port } = await serve(t, { root });
  for (const path of ['/missing.txt', '/.env', '/deep/missing/']) {
    const reply = await get(port, path, { accept: 'text/html' });
    assert.equal(reply.status, 404, path);
    assert.equal(reply.text, '<h1>custom not found</h1>\n');
    assert.equal(headerOf(reply, 'content-type'), 'text/html; charset=utf-8');
  }
  const head = await get(port, '/missing.txt', {}, 'HEAD');
  assert.equal(head.status, 404);
  assert.equal(head.body.length, 0);
});

// --- Folders, index files, queries ------------------------------------------------------------

test('GET /dir redirects to /dir/ and keeps the query', async (t) => {
  const { port } = await site(t);
  const reply = await get(port, '/dir?x=1&y=%2F');
  assert.equal(reply.status, 301);
  assert.equal(headerOf(reply, 'location'), '/dir/?x=1&y=%2F');
});

test('GET /a/./b style paths redirect to the canonical path and keep the query', async (t) => {
  const { port } = await site(t);
  for (const [path, location] of [
    ['/dir/./index.html?q', '/dir/index.html?q'],
    ['/dir//index.html', '/dir/index.html'],
    ['/no-index/../dir/', '/dir/'],
    ['/dir%2Findex.html', '/dir/index.html'],
    ['/dir%2F.%2Findex.html?a=b', '/dir/index.html?a=b'],
  ]) {
    const reply = await rawGet(port, path ?? '');
    assert.equal(reply.status, 301, path);
    assert.match(
      reply.reply,
      new RegExp(`\\r\\nLocation: ${(location ?? '').replace(/[?.]/g, '\\$&')}\\r\\n`, 'i'),
    );
  }
});

test('a folder serves index.html before index.htm, and index.htm alone', async (t) => {
  const { port } = await site(t);
  assert.equal((await get(port, '/both/')).text, 'index.html wins\n');
  const htm = await get(port, '/htm-only/');
  assert.equal(htm.text, 'index.htm only\n');
  assert.equal(headerOf(htm, 'content-type'), 'text/html; charset=utf-8');
});

test('--no-listing answers 404 for a folder without an index, and still serves index.html', async (t) => {
  const { port } = await site(t, { listing: false });
  assert.equal((await get(port, '/no-index/')).status, 404);
  assert.equal((await get(port, '/dir/')).text, '<p>dir index</p>\n');
  const listed = await site(t);
  assert.equal((await get(listed.port, '/no-index/')).status, 200, 'the listing is on by default');
});

test('the query string never picks the file', async (t) => {
  const { port } = await site(t);
  assert.equal((await get(port, '/a.txt?b.txt')).text, 'file a\n');
  assert.equal((await get(port, '/a.txt?file=/b.txt')).text, 'file a\n');
  assert.equal((await get(port, '/?a.txt')).text, '<h1>home</h1>\n');
  assert.equal((await get(port, '/dir/?../a.txt')).text, '<p>dir index</p>\n');
});

test('GET /data.txt/ (a file with a trailing slash) is 404', async (t) => {
  const { port } = await site(t);
  assert.equal((await get(port, '/data.txt/')).status, 404);
  assert.equal((await get(port, '/data.txt/x')).status, 404);
});

test('a request-target over 8 KiB is 414', async (t) => {
  const { port } = await site(t);
  const { status, reply } = await rawGet(port, `/${'a'.repeat(8200)}`);
  assert.equal(status, 414);
  assert.ok(!reply.includes('a'.repeat(300)), 'the page echoes the whole target');
});

test('an absolute-form request is served by its path', async (t) => {
  const { port } = await site(t);
  const { status, reply } = await rawGet(port, 'http://another.example/a.txt');
  assert.equal(status, 200);
  assert.ok(reply.endsWith('\r\n\r\nfile a\n'));
});

// --- File-system refusals ----------------------------------------------------------------------

/**
 * Starts a server that cannot read what it shouldn't: in-process, or, when the tests run as
 * root (who may read anything), in a child process running a readable copy of the server as
 * the unprivileged user 65534 (test/unprivileged.ts). Undefined when that can't be arranged:
 * the test has been marked skipped, with the reason.
 */
async function serveUnprivileged(t: TestContext, root: string): Promise<number | undefined> {
  const as = await unprivileged(t);
  if (as.kind === 'skip') {
    t.skip(as.reason);
    return undefined;
  }
  if (as.kind === 'self') return (await serve(t, { root })).port;
  const script = `
    const { startServer } = await import(process.argv[1]);
    const server = await startServer({ root: process.argv[2], host: '127.0.0.1', port: 0 });
    process.stdout.write(server.port + '\\n');`;
  const serverModule = pathToFileURL(join(as.project, 'dist/src/serve/server.js')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, serverModule, root], {
    uid: as.uid,
    gid: as.uid,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill();
      await once(child, 'exit');
    }
  });
  for await (const line of createInterface({ input: child.stdout })) return Number(line);
  throw new Error('the unprivileged server did not start');
}

test('a file the server may not read is 403, as is a file in a folder it may not enter', async (t) => {
  const root = await makeTree(t, {
    'locked.txt': 'no entry\n',
    // Bigger than the small-file cache, so a compressed answer would stream.
    'locked-big.txt': 'no entry\n'.repeat(40_000),
    'locked-dir/inside.txt': 'no entry either\n',
    'open.txt': 'fine\n',
  });
  // Its parent, the temporary folder, is left alone: serveUnprivileged skips when user 65534
  // can't reach it.
  await chmod(root, 0o755);
  await chmod(join(root, 'locked.txt'), 0o000);
  await chmod(join(root, 'locked-big.txt'), 0o000);
  await chmod(join(root, 'locked-dir'), 0o000);
  const port = await serveUnprivileged(t, root);
  if (port === undefined) return;
  assert.equal((await get(port, '/open.txt')).text, 'fine\n', 'the unprivileged server reads the root');
  const locked = await get(port, '/locked.txt');
  assert.equal(locked.status, 403);
  assert.ok(!locked.text.includes('no entry'));
  assert.equal((await get(port, '/locked.txt', {}, 'HEAD')).status, 403);
  const gzip = { 'Accept-Encoding': 'gzip' };
  assert.equal((await get(port, '/locked-big.txt', gzip)).status, 403);
  assert.equal((await get(port, '/locked-big.txt', gzip, 'HEAD')).status, 403, 'HEAD answers as GET would');
  assert.equal((await get(port, '/locked-dir/inside.txt')).status, 403);
  assert.equal((await get(port, '/locked-dir/')).status, 403, 'a folder it may not list');
});

const FS_ERRORS: readonly [code: string, status: number][] = [
  ['ENOENT', 404],
  ['ENOTDIR', 404],
  ['ENAMETOOLONG', 404],
  ['ELOOP', 404],
  ['EACCES', 403],
  ['EPERM', 403],
  ['EMFILE', 503],
  ['ENFILE', 503],
  ['EIO', 500],
  ['EISDIR', 500],
];

for (const [code, status] of FS_ERRORS) {
  test(`a file-system error ${code} maps to ${status} without its message`, () => {
    const cause = Object.assign(new Error(`${code}: open '/home/me/secret/path'`), { code });
    const error = httpErrorFromFs(cause);
    assert.equal(error.status, status);
    assert.ok(!error.message.includes('/home/me'));
    if (status === 503) assert.equal(error.headers['Retry-After'], '1');
  });
}

test('a name longer than the file system allows is 404', async (t) => {
  const { port } = await site(t);
  assert.equal((await get(port, `/${'n'.repeat(300)}.txt`)).status, 404);
});

// --- Aborted downloads and files that change -------------------------------------------------------

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * Waits until `done()` holds, for at most `turns` passes. Each pass is one round trip through
 * the thread pool (a stat), so file closes queued there before it get their chance to finish:
 * the wait follows the server's progress rather than the clock.
 */
async function eventually(done: () => boolean, turns = 5_000): Promise<boolean> {
  for (let i = 0; i < turns; i++) {
    if (done()) return true;
    await stat(process.cwd());
  }
  return done();
}

/** Sends a GET, waits for the first bytes of the reply, then drops the connection. */
async function abortAfterFirstBytes(port: number, path: string): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  await once(socket, 'data');
  socket.destroy();
  await once(socket, 'close');
}

test('100 aborted downloads leave the number of open descriptors where it was', async (t) => {
  let fdDir = true;
  try {
    readdirSync('/proc/self/fd');
  } catch {
    fdDir = false;
  }
  if (!fdDir) {
    t.skip('needs /proc/self/fd (Linux)');
    return;
  }
  const root = await makeTree(t, { 'big.bin': '' });
  await truncate(join(root, 'big.bin'), 8 * 1024 * 1024);
  const finished: ResponseLogEntry[] = [];
  const { port } = await serve(t, { root, onResponse: (entry) => finished.push(entry) });
  // Warm up: the first request may open descriptors the process keeps (thread pool, io_uring).
  assert.equal((await get(port, '/big.bin')).body.length, 8 * 1024 * 1024);
  assert.ok(await eventually(() => finished.length === 1));
  const baseline = openDescriptors();

  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 10 }, () => abortAfterFirstBytes(port, '/big.bin')));
  }
  assert.ok(
    await eventually(() => finished.length === 101),
    `only ${finished.length - 1} of 100 responses closed`,
  );
  assert.equal(
    finished.slice(1).every((entry) => entry.status === 200 && entry.bytes === undefined),
    true,
    'every aborted download is logged as aborted',
  );
  const released = await eventually(() => openDescriptors() <= baseline);
  assert.ok(released, `open descriptors: ${openDescriptors()}, before: ${baseline}`);
});

/** Reads a whole raw reply, tolerating a reset at the end; `onFirst` runs after the first chunk. */
async function readWholeReply(port: number, path: string, onFirst: () => Promise<void>): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of socket) {
      chunks.push(chunk as Buffer);
      if (chunks.length === 1) await onFirst();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') throw error;
  }
  return Buffer.concat(chunks);
}

function splitReply(reply: Buffer): { head: string; body: Buffer; length: number } {
  const end = reply.indexOf('\r\n\r\n');
  const head = reply.subarray(0, end).toString('latin1');
  const length = Number(/\r\nContent-Length: (\d+)/i.exec(head)?.[1] ?? Number.NaN);
  return { head, body: reply.subarray(end + 4), length };
}

test('a file truncated during a download closes the connection; the next request sees the new size', async (t) => {
  const root = await makeTree(t, { 'big.bin': '' });
  const big = join(root, 'big.bin');
  const size = 64 * 1024 * 1024;
  await truncate(big, size);
  const { port } = await serve(t, { root });
  // The client stops reading after the first chunk, so the server is held back by
  // backpressure far before the end when the file shrinks to 1,000 bytes.
  const reply = await readWholeReply(port, '/big.bin', () => truncate(big, 1000));
  const { head, body, length } = splitReply(reply);
  assert.match(head, /^HTTP\/1\.1 200 /);
  assert.equal(length, size);
  assert.ok(body.length < size, 'the connection was closed before the promised length');
  assert.equal(reply.toString('latin1').split('HTTP/1.1 ').length - 1, 1, 'exactly one status line');
  const next = await get(port, '/big.bin');
  assert.equal(next.status, 200);
  assert.equal(headerOf(next, 'content-length'), '1000');
  assert.equal(next.body.length, 1000);
});

test('a file that grows during a download sends exactly the promised bytes', async (t) => {
  const original = Buffer.alloc(4 * 1024 * 1024, 'o');
  const root = await makeTree(t, { 'grow.bin': original });
  const path = join(root, 'grow.bin');
  const { port } = await serve(t, { root });
  const reply = await readWholeReply(port, '/grow.bin', () => appendFile(path, 'GROWN'));
  const { body, length } = splitReply(reply);
  assert.equal(length, original.length);
  assert.equal(body.length, original.length);
  assert.ok(!body.includes('GROWN'));
  assert.equal((await get(port, '/grow.bin')).body.length, original.length + 5);
});

test('a file replaced during a download finishes with the old bytes; the next request gets the new', async (t) => {
  const original = Buffer.alloc(4 * 1024 * 1024, 'o');
  const root = await makeTree(t, { 'swap.bin': original, 'next.bin': 'the new file\n' });
  const { port } = await serve(t, { root });
  const reply = await readWholeReply(port, '/swap.bin', () =>
    rename(join(root, 'next.bin'), join(root, 'swap.bin')),
  );
  const { body, length } = splitReply(reply);
  assert.equal(length, original.length);
  assert.deepEqual(body, original);
  assert.equal((await get(port, '/swap.bin')).text, 'the new file\n');
});
