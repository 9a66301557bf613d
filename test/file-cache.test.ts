// test/file-cache.test.ts
// The small-file cache: entries are used only for the exact version a fresh stat describes,
// recent writes are never cached, and the byte budget holds. Real files, real stats.
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { FileCache, fileCache } from '../src/serve/file-cache.js';
import { get, makeTree, serve } from './helpers.js';

/** Far enough after any file time in these tests for the version to count as settled. */
const LATER = Date.now() + 60_000;

test('FileCache.get() returns the bytes kept for the same version of a file', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'hello' });
  const path = join(root, 'a.txt');
  const cache = new FileCache();
  const stats = await stat(path);
  cache.set(path, stats, Buffer.from('hello'), LATER);
  assert.equal(cache.get(path, await stat(path))?.toString(), 'hello');
});

const OLD = new Date(2020, 0, 1);

/**
 * The same stats with ctime 10 s earlier: the version as a read long ago saw it. (A real
 * change in the same clock tick is exactly what settleMs keeps out of the cache.)
 */
function seenEarlier(stats: Stats): Stats {
  return Object.assign(Object.create(Object.getPrototypeOf(stats) as object) as Stats, stats, {
    ctimeMs: stats.ctimeMs - 10_000,
  });
}

const changes: ReadonlyArray<{ name: string; change: (path: string) => Promise<void> }> = [
  { name: 'a write of another size', change: (path) => writeFile(path, 'hello, world') },
  {
    name: 'a write of the same size with the old mtime put back (cp -p)',
    change: async (path) => {
      await writeFile(path, 'HELLO');
      await utimes(path, OLD, OLD);
    },
  },
  {
    name: 'a new file renamed over it',
    change: async (path) => {
      await writeFile(`${path}.new`, 'hello');
      await rename(`${path}.new`, path);
    },
  },
];

for (const { name, change } of changes) {
  test(`FileCache.get() misses after ${name}`, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'hello' });
    const path = join(root, 'a.txt');
    await utimes(path, OLD, OLD);
    const cache = new FileCache();
    cache.set(path, seenEarlier(await stat(path)), Buffer.from('hello'), LATER);
    await change(path);
    assert.equal(cache.get(path, await stat(path)), undefined);
    assert.equal(cache.totalBytes, 0);
  });
}

test('FileCache.set() ignores a file changed less than settleMs before the read', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'hello' });
  const path = join(root, 'a.txt');
  const stats = await stat(path);
  const cache = new FileCache({ settleMs: 1000 });
  cache.set(path, stats, Buffer.from('hello'), stats.ctimeMs + 999);
  assert.equal(cache.get(path, stats), undefined);
  cache.set(path, stats, Buffer.from('hello'), stats.ctimeMs + 1000);
  assert.equal(cache.get(path, stats)?.toString(), 'hello');
});

test('FileCache.set() ignores files over maxFileBytes and reads that came back short', async (t) => {
  const root = await makeTree(t, { 'big.txt': 'x'.repeat(11), 'short.txt': 'abcdef' });
  const cache = new FileCache({ maxFileBytes: 10 });
  const big = join(root, 'big.txt');
  const short = join(root, 'short.txt');
  cache.set(big, await stat(big), Buffer.from('x'.repeat(11)), LATER);
  cache.set(short, await stat(short), Buffer.from('abc'), LATER);
  assert.equal(cache.totalBytes, 0);
});

test('FileCache.set() evicts the least recently used file to stay within maxTotalBytes', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'aaaa', 'b.txt': 'bbbb', 'c.txt': 'cccc' });
  const cache = new FileCache({ maxTotalBytes: 8 });
  const [a, b, c] = ['a.txt', 'b.txt', 'c.txt'].map((n) => join(root, n)) as [string, string, string];
  const [sa, sb, sc] = await Promise.all([stat(a), stat(b), stat(c)]);
  cache.set(a, sa, Buffer.from('aaaa'), LATER);
  cache.set(b, sb, Buffer.from('bbbb'), LATER);
  cache.get(a, sa); // a is now the most recently used
  cache.set(c, sc, Buffer.from('cccc'), LATER);
  assert.deepEqual(
    [cache.get(a, sa)?.toString(), cache.get(b, sb)?.toString(), cache.get(c, sc)?.toString()],
    ['aaaa', undefined, 'cccc'],
  );
  assert.equal(cache.totalBytes, 8);
});

// End to end: the shared cache behind sendFile(). A settle time of 0 caches even fresh files,
// so every edit below changes the size (a same-size write in the same clock tick is what the
// default settle time is for).
test('GET serves an edited small file anew on the very next request', async (t) => {
  fileCache.configure({ settleMs: 0 });
  t.after(() => fileCache.configure({ settleMs: 1000 }));
  const root = await makeTree(t, { 'a.txt': 'first' });
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/a.txt')).text, 'first');
  assert.equal((await get(port, '/a.txt')).text, 'first');
  assert.ok(fileCache.totalBytes > 0, 'the first GET filled the cache');
  await writeFile(join(root, 'a.txt'), 'second version');
  const reply = await get(port, '/a.txt');
  assert.equal(reply.text, 'second version');
  assert.equal(reply.headers['content-length'], '14');
});

test('GET answers 404 for a cached small file deleted since, and 200 once it is back', async (t) => {
  fileCache.configure({ settleMs: 0 });
  t.after(() => fileCache.configure({ settleMs: 1000 }));
  const root = await makeTree(t, { 'a.txt': 'here' });
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/a.txt')).status, 200);
  await rm(join(root, 'a.txt'));
  assert.equal((await get(port, '/a.txt')).status, 404);
  await writeFile(join(root, 'a.txt'), 'back again');
  assert.equal((await get(port, '/a.txt')).text, 'back again');
});

test('GET with Range on a cached file sends exactly the bytes asked for, one part or two', async (t) => {
  fileCache.configure({ settleMs: 0 });
  t.after(() => fileCache.configure({ settleMs: 1000 }));
  const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => 48 + (i % 10)));
  const root = await makeTree(t, { 'a.bin': content });
  const { port } = await serve(t, { root });
  await get(port, '/a.bin');
  const reply = await get(port, '/a.bin', { Range: 'bytes=1-3' });
  assert.equal(reply.status, 206);
  assert.equal(reply.text, '123');
  assert.equal(reply.headers['content-range'], 'bytes 1-3/1000');
  const multi = await get(port, '/a.bin', { Range: 'bytes=0-0,995-999' });
  assert.equal(multi.status, 206);
  assert.match(multi.text, /Content-Range: bytes 0-0\/1000\r\n\r\n0\r\n/);
  assert.match(multi.text, /Content-Range: bytes 995-999\/1000\r\n\r\n56789\r\n/);
});

test('GET after a same-size edit sends the new bytes with the default settle time', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'one' });
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/a.txt')).text, 'one');
  await writeFile(join(root, 'a.txt'), 'two');
  assert.equal((await get(port, '/a.txt')).text, 'two');
});

test('GET with Accept-Encoding: br, then gzip, then br after an edit decodes to the current file', async (t) => {
  fileCache.configure({ settleMs: 0 });
  t.after(() => fileCache.configure({ settleMs: 1000 }));
  const first = 'first version of the page '.repeat(100);
  const root = await makeTree(t, { 'page.html': first });
  const { port } = await serve(t, { root });
  const br = async (): Promise<string> => {
    const reply = await get(port, '/page.html', { 'accept-encoding': 'br' });
    assert.equal(reply.headers['content-encoding'], 'br');
    return brotliDecompressSync(reply.body).toString();
  };
  assert.equal(await br(), first);
  assert.equal(await br(), first);
  const gz = await get(port, '/page.html', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), first);
  const second = 'the second, longer version of the page '.repeat(100);
  await writeFile(join(root, 'page.html'), second);
  assert.equal(await br(), second);
});
