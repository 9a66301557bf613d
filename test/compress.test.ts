// test/compress.test.ts
// Compression: Accept-Encoding negotiation (pure tables), which types are compressed, and end
// to end: on-the-fly brotli/gzip, precompressed siblings, ETags per representation, 304, HEAD
// and Range interplay. Every compressed body is decompressed and compared with the file.
import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { type Encoding, isCompressible, negotiateEncoding } from '../src/serve/compress.js';
import { fileCache } from '../src/serve/file-cache.js';
import { get, makeTree, serve } from './helpers.js';

const ALL: readonly Encoding[] = ['br', 'gzip', 'identity'];

const negotiation: ReadonlyArray<{ header: string | undefined; available?: Encoding[]; want: Encoding }> = [
  { header: undefined, want: 'identity' },
  { header: '', want: 'identity' },
  { header: 'br', want: 'br' },
  { header: 'gzip', want: 'gzip' },
  { header: 'gzip, br', want: 'br' },
  { header: 'br, gzip', want: 'br' },
  { header: 'gzip, deflate, br, zstd', want: 'br' },
  { header: 'br;q=0.5, gzip', want: 'gzip' },
  { header: 'gzip;q=0.9, br;q=0.8', want: 'gzip' },
  { header: 'BR;Q=1, GZIP;q=0.1', want: 'br' },
  { header: 'gzip;q=0.5', want: 'gzip' },
  { header: 'br;q=0.001', want: 'br' },
  { header: 'br;q=0, gzip;q=0', want: 'identity' },
  { header: 'br;q=0', want: 'identity' },
  { header: 'x-gzip', want: 'gzip' },
  { header: '*', want: 'br' },
  { header: '*;q=0.5, br;q=0', want: 'gzip' },
  { header: 'deflate', want: 'identity' },
  { header: 'identity;q=1, br;q=0.5', want: 'identity' },
  { header: 'br;q=garbage', want: 'br' },
  { header: ' , ;q=1, br', want: 'br' },
  { header: 'identity;q=0', want: 'identity' },
  { header: 'identity;q=0, deflate', want: 'identity' },
  { header: 'br, gzip', available: ['gzip', 'identity'], want: 'gzip' },
  { header: 'br', available: ['gzip', 'identity'], want: 'identity' },
];

for (const c of negotiation) {
  const available = c.available ?? ALL;
  test(`negotiateEncoding(${JSON.stringify(c.header)}, [${available.join(', ')}]) is ${c.want}`, () => {
    assert.equal(negotiateEncoding(c.header, available), c.want);
  });
}

const types: ReadonlyArray<[string, boolean]> = [
  ['text/html; charset=utf-8', true],
  ['text/css; charset=utf-8', true],
  ['text/javascript; charset=utf-8', true],
  ['application/json; charset=utf-8', true],
  ['application/manifest+json; charset=utf-8', true],
  ['image/svg+xml', true],
  ['application/wasm', true],
  ['application/xml', true],
  ['image/png', false],
  ['image/jpeg', false],
  ['image/webp', false],
  ['video/mp4', false],
  ['audio/mpeg', false],
  ['application/zip', false],
  ['application/gzip', false],
  ['font/woff2', false],
  ['font/woff', false],
  ['application/pdf', false],
  ['application/octet-stream', false],
];

for (const [type, want] of types) {
  test(`isCompressible(${JSON.stringify(type)}) is ${want}`, () => {
    assert.equal(isCompressible(type), want);
  });
}

/** About 4 KiB of JavaScript: above the threshold, and compressible. */
const APP_JS = Buffer.from('export const greeting = "hello, world";\n'.repeat(100));
/** Repetitive, so it would shrink a lot if it were (wrongly) compressed. */
const BIG_PNG = Buffer.alloc(4096, 0x41);

async function serveTree(
  t: Parameters<typeof makeTree>[0],
  spec: Parameters<typeof makeTree>[1],
  options: { compress?: boolean } = {},
): Promise<{ port: number; root: string }> {
  const root = await makeTree(t, spec);
  const { port } = await serve(t, { root, ...options });
  return { port, root };
}

test('GET /app.js with Accept-Encoding: br sends brotli that decodes to the file', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.equal(reply.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  // Small enough to compress whole in memory: the compressed length is known up front.
  assert.equal(reply.headers['content-length'], String(reply.body.length));
  assert.equal(reply.headers['transfer-encoding'], undefined);
  assert.ok(reply.body.length < APP_JS.length / 4, `only ${reply.body.length} bytes saved`);
  assert.deepEqual(brotliDecompressSync(reply.body), APP_JS);
});

test('GET /big.js above the 256 KiB memory limit streams brotli, chunked, and HEAD has no length', async (t) => {
  const big = Buffer.from('export const line = "a line of a large bundle";\n'.repeat(8000)); // ~380 KiB
  const { port } = await serveTree(t, { 'big.js': big });
  const reply = await get(port, '/big.js', { 'accept-encoding': 'br' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.equal(reply.headers['content-length'], undefined);
  assert.equal(reply.headers['transfer-encoding'], 'chunked');
  assert.deepEqual(brotliDecompressSync(reply.body), big);
  const head = await get(port, '/big.js', { 'accept-encoding': 'br' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-encoding'], 'br');
  assert.equal(head.headers['content-length'], undefined);
  assert.equal(head.body.length, 0);
});

test('GET /app.js with Accept-Encoding: gzip sends gzip that decodes to the file', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const reply = await get(port, '/app.js', { 'accept-encoding': 'gzip' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.deepEqual(gunzipSync(reply.body), APP_JS);
});

test('GET /app.js with Accept-Encoding: gzip;q=1, br;q=0.5 follows the q-values to gzip', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const reply = await get(port, '/app.js', { 'accept-encoding': 'gzip;q=1, br;q=0.5' });
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(reply.body), APP_JS);
});

test('GET /app.js without Accept-Encoding sends identity with Content-Length and Vary', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const reply = await get(port, '/app.js');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers['content-length'], String(APP_JS.length));
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.deepEqual(reply.body, APP_JS);
});

test('GET /app.js with only identity;q=0 acceptable still sends identity (not 406)', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const reply = await get(port, '/app.js', { 'accept-encoding': 'identity;q=0, deflate' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.deepEqual(reply.body, APP_JS);
});

test('GET /small.js under 1 KiB is not compressed but still varies on Accept-Encoding', async (t) => {
  const small = Buffer.from('console.log(1);\n'.repeat(10));
  const { port } = await serveTree(t, { 'small.js': small });
  const reply = await get(port, '/small.js', { 'accept-encoding': 'br, gzip' });
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers['content-length'], String(small.length));
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.deepEqual(reply.body, small);
});

const incompressible: ReadonlyArray<[string, Buffer]> = [
  ['/photo.png', BIG_PNG],
  ['/font.woff2', BIG_PNG],
  ['/archive.zip', BIG_PNG],
  ['/clip.mp4', BIG_PNG],
];

for (const [path, content] of incompressible) {
  test(`GET ${path} with Accept-Encoding: br, gzip is sent as stored, without Vary`, async (t) => {
    const { port } = await serveTree(t, { [path.slice(1)]: content });
    const reply = await get(port, path, { 'accept-encoding': 'br, gzip' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], undefined);
    assert.equal(reply.headers.vary, undefined);
    assert.deepEqual(reply.body, content);
  });
}

const compressible: ReadonlyArray<[string, Buffer]> = [
  ['/module.wasm', Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), BIG_PNG])],
  ['/icon.svg', Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${'<g/>'.repeat(400)}</svg>`)],
  ['/data.json', Buffer.from(JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i }))))],
  ['/site.webmanifest', Buffer.from(JSON.stringify({ name: 'x'.repeat(2000) }))],
  ['/style.css', Buffer.from('body { margin: 0; }\n'.repeat(100))],
];

for (const [path, content] of compressible) {
  test(`GET ${path} with Accept-Encoding: br is compressed and decodes to the file`, async (t) => {
    const { port } = await serveTree(t, { [path.slice(1)]: content });
    const reply = await get(port, path, { 'accept-encoding': 'br' });
    assert.equal(reply.headers['content-encoding'], 'br');
    assert.deepEqual(brotliDecompressSync(reply.body), content);
  });
}

test('GET /app.js with compress: false (--no-compress) sends identity without Vary', async (t) => {
  const { port } = await serveTree(
    t,
    { 'app.js': APP_JS, 'app.js.br': brotliCompressSync(APP_JS) },
    { compress: false },
  );
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br, gzip' });
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers.vary, undefined);
  assert.equal(reply.headers['content-length'], String(APP_JS.length));
  assert.deepEqual(reply.body, APP_JS);
});

test('GET /app.js gives identity, br and gzip three distinct ETags, only identity strong', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const tags = await Promise.all(
    ['identity', 'br', 'gzip'].map(
      async (e) => (await get(port, '/app.js', { 'accept-encoding': e })).headers.etag,
    ),
  );
  const [identity, br, gzip] = tags;
  assert.equal(new Set(tags).size, 3, `ETags: ${tags.join(' ')}`);
  assert.match(identity ?? '', /^"[^"]+"$/);
  assert.equal(br, `W/${identity?.slice(0, -1)}-br"`);
  assert.equal(gzip, `W/${identity?.slice(0, -1)}-gz"`);
});

test('GET /app.js with br and its own ETag in If-None-Match answers 304 with Vary, no body', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const first = await get(port, '/app.js', { 'accept-encoding': 'br' });
  const etag = first.headers.etag ?? '';
  const again = await get(port, '/app.js', { 'accept-encoding': 'br', 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.headers.etag, etag);
  assert.equal(again.headers.vary, 'Accept-Encoding');
  assert.equal(again.headers['content-encoding'], undefined);
  assert.equal(again.body.length, 0);
});

test('GET /app.js with br and the identity ETag in If-None-Match answers 200 with brotli', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const plain = await get(port, '/app.js');
  const reply = await get(port, '/app.js', {
    'accept-encoding': 'br',
    'if-none-match': plain.headers.etag ?? '',
  });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.deepEqual(brotliDecompressSync(reply.body), APP_JS);
});

test('HEAD /app.js with br has the same headers as GET, the compressed Content-Length included, and no body', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const head = await get(port, '/app.js', { 'accept-encoding': 'br' }, 'HEAD');
  const full = await get(port, '/app.js', { 'accept-encoding': 'br' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], String(full.body.length));
  for (const name of [
    'content-type',
    'content-encoding',
    'content-length',
    'etag',
    'vary',
    'last-modified',
    'cache-control',
  ]) {
    assert.equal(head.headers[name], full.headers[name], name);
  }
});

test('GET /app.js with Range and Accept-Encoding: br answers 206 with identity bytes', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const plain = await get(port, '/app.js');
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br', range: 'bytes=10-29' });
  assert.equal(reply.status, 206);
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers['content-range'], `bytes 10-29/${APP_JS.length}`);
  assert.equal(reply.headers['content-length'], '20');
  assert.equal(reply.headers.etag, plain.headers.etag);
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.deepEqual(reply.body, APP_JS.subarray(10, 30));
});

test('GET /app.js with If-Range (identity ETag), Range and br answers 206 identity', async (t) => {
  const { port } = await serveTree(t, { 'app.js': APP_JS });
  const plain = await get(port, '/app.js');
  const reply = await get(port, '/app.js', {
    'accept-encoding': 'br',
    range: 'bytes=-5',
    'if-range': plain.headers.etag ?? '',
  });
  assert.equal(reply.status, 206);
  assert.deepEqual(reply.body, APP_JS.subarray(-5));
});

/** A precompressed sibling that differs from what we would produce, so we can tell it apart. */
const MARKED_JS = Buffer.from(`${APP_JS.toString()}// precompressed\n`);

async function precompressedTree(
  t: Parameters<typeof makeTree>[0],
  extra: Parameters<typeof makeTree>[1] = {},
): Promise<{ port: number; root: string; br: Buffer; gz: Buffer }> {
  const br = brotliCompressSync(MARKED_JS);
  const gz = gzipSync(MARKED_JS);
  const { port, root } = await serveTree(t, { 'app.js': APP_JS, 'app.js.br': br, 'app.js.gz': gz, ...extra });
  // Siblings written by a build step are newer than the file they compress.
  const then = new Date('2024-01-01T00:00:00Z');
  const later = new Date('2024-01-01T00:01:00Z');
  await utimes(join(root, 'app.js'), then, then);
  await utimes(join(root, 'app.js.br'), later, later);
  await utimes(join(root, 'app.js.gz'), later, later);
  return { port, root, br, gz };
}

test('GET /app.js with br and an app.js.br sibling sends the sibling as-is', async (t) => {
  const { port, br } = await precompressedTree(t);
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.equal(reply.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(reply.headers['content-length'], String(br.length));
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.match(reply.headers.etag ?? '', /^"[^"]+-br"$/);
  assert.deepEqual(reply.body, br);
  assert.deepEqual(brotliDecompressSync(reply.body), MARKED_JS);
});

test('GET /app.js with only gzip accepted sends the app.js.gz sibling', async (t) => {
  const { port, gz } = await precompressedTree(t);
  const reply = await get(port, '/app.js', { 'accept-encoding': 'gzip' });
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.equal(reply.headers['content-length'], String(gz.length));
  assert.match(reply.headers.etag ?? '', /^"[^"]+-gz"$/);
  assert.deepEqual(reply.body, gz);
});

test('HEAD /app.js with br and a sibling gives the sibling Content-Length and no body', async (t) => {
  const { port, br } = await precompressedTree(t);
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br' }, 'HEAD');
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.equal(reply.headers['content-length'], String(br.length));
  assert.equal(reply.body.length, 0);
});

test('GET /app.js with br and the sibling ETag in If-None-Match answers 304', async (t) => {
  const { port } = await precompressedTree(t);
  const first = await get(port, '/app.js', { 'accept-encoding': 'br' });
  const again = await get(port, '/app.js', {
    'accept-encoding': 'br',
    'if-none-match': first.headers.etag ?? '',
  });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
});

test('GET /app.js with Range and a br sibling answers 206 from the original bytes', async (t) => {
  const { port } = await precompressedTree(t);
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br', range: 'bytes=0-9' });
  assert.equal(reply.status, 206);
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers['content-range'], `bytes 0-9/${APP_JS.length}`);
  assert.deepEqual(reply.body, APP_JS.subarray(0, 10));
});

test('GET /app.js ignores an app.js.br sibling older than app.js and compresses on the fly', async (t) => {
  const { port, root } = await precompressedTree(t);
  const newer = new Date('2024-06-01T00:00:00Z');
  await utimes(join(root, 'app.js'), newer, newer);
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br' });
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.match(reply.headers.etag ?? '', /^W\//);
  assert.deepEqual(brotliDecompressSync(reply.body), APP_JS);
});

test('GET /app.js ignores an app.js.br symlink that points outside the root', async (t) => {
  const outside = await makeTree(t, { 'secret.br': brotliCompressSync('secret') });
  const root = await makeTree(t, { 'app.js': APP_JS, 'app.js.br': { symlink: join(outside, 'secret.br') } });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/app.js', { 'accept-encoding': 'br' });
  assert.equal(reply.status, 200);
  assert.deepEqual(brotliDecompressSync(reply.body), APP_JS);
});

test('GET /tiny.js under 1 KiB with a tiny.js.gz sibling sends the sibling', async (t) => {
  const tiny = Buffer.from('console.log("tiny");\n');
  const root = await makeTree(t, { 'tiny.js': tiny, 'tiny.js.gz': gzipSync(tiny) });
  const later = new Date(Date.now() + 60_000);
  await utimes(join(root, 'tiny.js.gz'), later, later);
  const { port } = await serve(t, { root });
  const reply = await get(port, '/tiny.js', { 'accept-encoding': 'gzip' });
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.deepEqual(gunzipSync(reply.body), tiny);
});

test('GET / (index.html) with br compresses the folder index too', async (t) => {
  const html = Buffer.from(`<!doctype html><title>x</title>${'<p>hello</p>'.repeat(200)}`);
  const { port } = await serveTree(t, { 'index.html': html });
  const reply = await get(port, '/', { 'accept-encoding': 'br' });
  assert.equal(reply.headers['content-encoding'], 'br');
  assert.deepEqual(brotliDecompressSync(reply.body), html);
});

test('20 clients asking for br before the file is compressed all get the same brotli, one hanging up first', async (t) => {
  // Compressions are shared only for versions old enough to cache (settleMs); these files are new.
  fileCache.configure({ settleMs: 0 });
  t.after(() => fileCache.configure({ settleMs: 1000 }));
  const text = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i} of a stylesheet\n`).join(''));
  const { port } = await serveTree(t, { 'site.css': text });
  // The first request's client goes away at once: its read may fail, the others must not.
  const quitter = connect(port, '127.0.0.1', () => {
    quitter.end('GET /site.css HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n');
    quitter.destroy();
  });
  const replies = await Promise.all(
    Array.from({ length: 20 }, () => get(port, '/site.css', { 'accept-encoding': 'br' })),
  );
  for (const reply of replies) {
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], 'br');
    assert.deepEqual(reply.body, replies[0]?.body);
  }
  assert.deepEqual(brotliDecompressSync(replies[0]?.body ?? Buffer.alloc(0)), text);
  const later = await get(port, '/site.css', { 'accept-encoding': 'br' });
  assert.deepEqual(later.body, replies[0]?.body, 'the shared result is the one kept');
});
