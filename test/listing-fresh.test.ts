// test/listing-fresh.test.ts
// Listings stay exact although pages are cached: every kind of change to a folder shows in the
// very next listing, in every format and sort order; and the page cache keeps to its budget.
import assert from 'node:assert/strict';
import { mkdir, rename, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Coalescer } from '../src/listing/coalesce.js';
import type { ListingEntry } from '../src/listing/entry.js';
import type { JsonListing } from '../src/listing/formats.js';
import { PageCache, type RenderedListing, sameEntries } from '../src/listing/page-cache.js';
import { get, makeTree, serve } from './helpers.js';

const HTML = { accept: 'text/html' };
/** A fixed date, so that a change of size alone (same date) must still show. */
const WHEN = new Date('2024-05-06T07:08:09Z');

interface Row {
  readonly name: string;
  readonly type: string;
  readonly size: number | null;
  readonly mtime: string | null;
}

async function rows(port: number, query = ''): Promise<Row[]> {
  const reply = await get(port, `/d/?format=json${query}`);
  assert.equal(reply.status, 200);
  return (JSON.parse(reply.text) as JsonListing).entries.map(({ name, type, size, mtime }) => ({
    name,
    type,
    size,
    mtime,
  }));
}

/** Every page variant a client might have cached, fetched so the server caches it too. */
async function pagesOf(port: number): Promise<string[]> {
  const paths = ['/d/', '/d/?sort=size&order=desc', '/d/?sort=date', '/d/?format=text', '/d/?limit=1'];
  return Promise.all(paths.map(async (path) => (await get(port, path, HTML)).text));
}

interface Change {
  readonly what: string;
  readonly change: (dir: string) => Promise<void>;
  readonly expect: (after: Row[]) => void;
}

const find = (list: Row[], name: string): Row | undefined => list.find((row) => row.name === name);

const changes: readonly Change[] = [
  {
    what: 'an added file',
    change: (dir) => writeFile(join(dir, 'new.txt'), 'new'),
    expect: (after) => assert.equal(find(after, 'new.txt')?.size, 3),
  },
  {
    what: 'a deleted file',
    change: (dir) => unlink(join(dir, 'b.txt')),
    expect: (after) => assert.equal(find(after, 'b.txt'), undefined),
  },
  {
    what: 'a renamed file',
    change: (dir) => rename(join(dir, 'b.txt'), join(dir, 'c.txt')),
    expect: (after) => assert.deepEqual(after.map((row) => row.name).sort(), ['a.txt', 'c.txt', 'sub']),
  },
  {
    what: 'a file edited to a new size, with its date put back',
    change: async (dir) => {
      await writeFile(join(dir, 'a.txt'), 'a longer body');
      await utimes(join(dir, 'a.txt'), WHEN, WHEN);
    },
    expect: (after) => assert.deepEqual(find(after, 'a.txt'), row('a.txt', 13)),
  },
  {
    what: 'a file touched to a new date, same size',
    change: (dir) =>
      utimes(join(dir, 'a.txt'), new Date('2030-01-02T03:04:05Z'), new Date('2030-01-02T03:04:05Z')),
    expect: (after) => assert.equal(find(after, 'a.txt')?.mtime, '2030-01-02T03:04:05.000Z'),
  },
  {
    what: 'a sub-folder touched to a new date',
    change: (dir) =>
      utimes(join(dir, 'sub'), new Date('2031-01-01T00:00:00Z'), new Date('2031-01-01T00:00:00Z')),
    expect: (after) => assert.equal(find(after, 'sub')?.mtime, '2031-01-01T00:00:00.000Z'),
  },
  {
    what: 'a file replaced by a folder of the same name',
    change: async (dir) => {
      await unlink(join(dir, 'b.txt'));
      await mkdir(join(dir, 'b.txt'));
    },
    expect: (after) => assert.equal(find(after, 'b.txt')?.type, 'directory'),
  },
  {
    what: 'a file replaced by a link that points out of the root',
    change: async (dir) => {
      await unlink(join(dir, 'b.txt'));
      await symlink(process.execPath, join(dir, 'b.txt'));
    },
    expect: (after) => assert.equal(find(after, 'b.txt'), undefined),
  },
];

function row(name: string, size: number): Row {
  return { name, type: 'file', size, mtime: WHEN.toISOString() };
}

for (const { what, change, expect } of changes) {
  test(`GET /d/ right after ${what} shows the change in JSON and in every cached page`, async (t) => {
    const root = await makeTree(t, { 'd/a.txt': 'a', 'd/b.txt': 'bb', 'd/sub/': '' });
    const dir = join(root, 'd');
    for (const name of ['a.txt', 'b.txt']) await utimes(join(dir, name), WHEN, WHEN);
    const { port } = await serve(t, { root });
    const before = await rows(port);
    const pagesBefore = await pagesOf(port);
    assert.deepEqual(await pagesOf(port), pagesBefore, 'an unchanged folder gives the same pages');

    await change(dir);
    const after = await rows(port);
    expect(after);
    const pagesAfter = await pagesOf(port);
    // Each page is compared with a fresh server's, which has nothing cached.
    const fresh = await serve(t, { root });
    assert.deepEqual(pagesAfter, await pagesOf(fresh.port));
    assert.notDeepEqual(after, before);
    assert.notDeepEqual(pagesAfter.slice(0, 3), pagesBefore.slice(0, 3));
  });
}

test('GET /d/ of a folder deleted after it was listed answers 404, then 200 once it is back', async (t) => {
  const root = await makeTree(t, { 'd/a.txt': 'a' });
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/d/', HTML)).status, 200);
  await rm(join(root, 'd'), { recursive: true });
  assert.equal((await get(port, '/d/', HTML)).status, 404);
  await mkdir(join(root, 'd'));
  await writeFile(join(root, 'd', 'back.txt'), '');
  const again = await get(port, '/d/', HTML);
  assert.equal(again.status, 200);
  assert.ok(again.text.includes('back.txt') && !again.text.includes('a.txt'));
});

test('GET /d/ from 4 clients at once while a file is added: every later request sees it', async (t) => {
  const root = await makeTree(t, { 'd/a.txt': 'a' });
  const { port } = await serve(t, { root });
  for (let round = 0; round < 5; round++) {
    const name = `added-${round}.txt`;
    const during = Promise.all(Array.from({ length: 4 }, () => rows(port)));
    await writeFile(join(root, 'd', name), 'x');
    const after = await Promise.all(Array.from({ length: 4 }, () => rows(port)));
    for (const list of after) assert.ok(find(list, name), `${name} is listed`);
    await during;
  }
});

// --- The page cache itself --------------------------------------------------------------------

const entry = (name: string, size = 1, mtimeMs = 1000): ListingEntry => ({
  name,
  type: 'file',
  size,
  mtimeMs,
});

function rendered(size: number): () => Promise<RenderedListing> {
  return async () => ({ body: Buffer.alloc(size), hash: `h${size}`, encoded: new Map() });
}

const sameCases: readonly [string, ListingEntry[], ListingEntry[], boolean][] = [
  ['equal entries', [entry('a'), entry('b')], [entry('a'), entry('b')], true],
  ['another size', [entry('a', 1)], [entry('a', 2)], false],
  ['another date', [entry('a', 1, 1000)], [entry('a', 1, 1000.5)], false],
  ['another type', [entry('a')], [{ ...entry('a'), type: 'directory', size: undefined }], false],
  ['another name', [entry('a')], [entry('b')], false],
  ['one more entry', [entry('a')], [entry('a'), entry('b')], false],
  ['another order', [entry('a'), entry('b')], [entry('b'), entry('a')], false],
  ['a date that became unreadable', [entry('a')], [{ ...entry('a'), mtimeMs: undefined }], false],
];

for (const [what, a, b, same] of sameCases) {
  test(`sameEntries() with ${what} is ${same}`, () => {
    assert.equal(sameEntries(a, b), same);
  });
}

test('PageCache.page() reuses a page for equal entries and renders again when they differ', async () => {
  const cache = new PageCache(1 << 20);
  let renders = 0;
  const render = async (): Promise<RenderedListing> => {
    renders++;
    return rendered(10)();
  };
  const first = await cache.page('f', [entry('a')], 'html', render);
  assert.equal(await cache.page('f', [entry('a')], 'html', render), first);
  assert.equal(renders, 1);
  assert.notEqual(await cache.page('f', [entry('a', 2)], 'html', render), first);
  await cache.page('f', [entry('a', 2)], 'json', render);
  assert.equal(renders, 3);
});

test('PageCache keeps within its budget by dropping the least recently used folder', async () => {
  const cache = new PageCache(1200);
  const entries = [entry('a')];
  await cache.page('one', entries, 'v', rendered(400));
  await cache.page('two', entries, 'v', rendered(400));
  await cache.page('one', entries, 'v', rendered(400)); // used: 'two' is now the oldest
  await cache.page('three', entries, 'v', rendered(400));
  assert.ok(cache.bytes <= 1200, `${cache.bytes} bytes`);
  let renders = 0;
  const counting = async (): Promise<RenderedListing> => {
    renders++;
    return rendered(400)();
  };
  await cache.page('one', entries, 'v', counting);
  assert.equal(renders, 0, "'one' was kept");
  await cache.page('two', entries, 'v', counting);
  assert.equal(renders, 1, "'two' was dropped");
});

test('PageCache does not keep a page bigger than its whole budget, but still returns it', async () => {
  const cache = new PageCache(1000);
  const page = await cache.page('big', [entry('a')], 'v', rendered(5000));
  assert.equal(page.body.length, 5000);
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(cache.bytes, 0);
});

// --- Shared reads ---------------------------------------------------------------------------------

/** A task the test finishes by hand, counting how often it was started. */
function manualTasks(): { task: () => Promise<number>; started: number[]; finish: (value: number) => void } {
  const pending: ((value: number) => void)[] = [];
  const started: number[] = [];
  return {
    started,
    task: () =>
      new Promise<number>((resolve) => {
        started.push(started.length);
        pending.push(resolve);
      }),
    finish: (value) => pending.shift()?.(value),
  };
}

test('Coalescer.run() while a read runs waits for the next read, which later callers share', async () => {
  const reads = new Coalescer<number>();
  const { task, started, finish } = manualTasks();
  const first = reads.run('dir', task);
  const during = [reads.run('dir', task), reads.run('dir', task), reads.run('dir', task)];
  assert.equal(started.length, 1, 'the callers that came during the first read did not start their own');
  finish(1);
  assert.equal(await first, 1);
  await new Promise<void>((resolve) => setImmediate(resolve));
  assert.equal(started.length, 2, 'one new read started for them, after the first had finished');
  const later = reads.run('dir', task);
  finish(2);
  assert.deepEqual(await Promise.all(during), [2, 2, 2]);
  finish(3);
  assert.equal(await later, 3, 'a caller that came during the second read got a third');
  assert.equal(reads.size, 0);
});

test('Coalescer.run() for another key starts at once, and a failure reaches every sharer', async () => {
  const reads = new Coalescer<number>();
  const { task, started, finish } = manualTasks();
  const a = reads.run('a', task);
  const b = reads.run('b', task);
  assert.equal(started.length, 2);
  let fail: (error: Error) => void = () => {};
  const failing = (): Promise<number> => new Promise<number>((_, reject) => (fail = reject));
  const sharers = [reads.run('a', failing), reads.run('a', failing)];
  finish(1);
  finish(2);
  assert.deepEqual(await Promise.all([a, b]), [1, 2]);
  await new Promise<void>((resolve) => setImmediate(resolve));
  fail(Object.assign(new Error('gone'), { code: 'ENOENT' }));
  for (const sharer of sharers) await assert.rejects(sharer, { code: 'ENOENT' });
  assert.equal(reads.size, 0);
});
