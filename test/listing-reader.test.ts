// test/listing-reader.test.ts
// Big folders are read in a worker thread: it must find exactly what the event-loop read
// finds (hidden names, links, sizes, dates), report the folder's own errors, hand reads back
// when it stops, and keep listings fresh over HTTP.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { httpErrorFromFs } from '../src/http/errors.js';
import type { ListingEntry } from '../src/listing/entry.js';
import type { JsonListing } from '../src/listing/formats.js';
import { EntryPacker, unpackEntries } from '../src/listing/packed.js';
import { type ReadRules, readListing } from '../src/listing/read.js';
import { FolderReader, WORKER_THRESHOLD } from '../src/listing/reader.js';
import { get, makeTree, serve, type TreeSpec } from './helpers.js';

/** A folder just big enough for the worker, with every kind of entry the reader must judge. */
async function bigFolder(t: Parameters<typeof makeTree>[0]): Promise<{ root: string; dir: string }> {
  const outside = await makeTree(t, { 'secret.txt': 'outside' });
  const spec: Record<string, TreeSpec[string]> = {
    'd/.hidden': 'h',
    'd/back\\slash': '',
    'd/日本語 ü.txt': 'utf-8',
    'd/sub/inner.txt': 'inner',
    'd/to-sub': { symlink: 'sub' },
    'd/to-outside': { symlink: join(outside, 'secret.txt') },
    'd/broken': { symlink: 'missing' },
  };
  const root = await makeTree(t, spec);
  const dir = join(root, 'd');
  // One after another: in a test, faster than thousands of promises.
  for (let i = 0; i < WORKER_THRESHOLD; i++) writeFileSync(join(dir, `file-${i}.txt`), 'x'.repeat(i));
  return { root, dir };
}

/** One big folder for the tests that only read it; removed when the file's tests end. */
let shared: Promise<{ root: string; dir: string }> | undefined;
const cleanups: (() => unknown)[] = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));
function sharedBigFolder(): Promise<{ root: string; dir: string }> {
  // makeTree registers its removal with a plain () => Promise, which runs here after all tests.
  shared ??= bigFolder({ after: (cleanup) => void cleanups.push(cleanup as () => unknown) });
  return shared;
}

const rulesFor = (root: string): ReadRules => ({
  depth: 1,
  dotfiles: false,
  followSymlinks: false,
  realRoot: root,
});

const byName = (entries: readonly ListingEntry[]): ListingEntry[] =>
  [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

test('FolderReader.read() of a big folder starts the worker, which then finds what readListing() finds', async (t) => {
  const { root, dir } = await sharedBigFolder();
  const reader = new FolderReader();
  t.after(() => reader.stop());
  const small = await makeTree(t, { 'a.txt': '' });
  await reader.read(small, rulesFor(small), 'small');
  assert.equal(reader.hasWorker, false, 'a small folder needs no worker');
  const inline = await reader.read(dir, rulesFor(root), 'd');
  assert.equal(reader.hasWorker, true, 'a big one starts it, ready for its next read');
  const inWorker = await reader.read(dir, rulesFor(root), 'd');
  assert.equal(reader.hasWorker, true);
  assert.deepEqual(byName(inWorker), byName(inline));
  assert.deepEqual(byName(inWorker), byName(await readListing(dir, rulesFor(root))));
  const names = new Set(inWorker.map((e) => e.name));
  for (const hidden of ['.hidden', 'to-outside']) assert.ok(!names.has(hidden), hidden);
  assert.ok(names.has('back\\slash'), 'a backslash is an ordinary character of a POSIX name');
  assert.deepEqual(
    byName(inWorker.filter((e) => !e.name.startsWith('file-'))).map((e) => [e.name, e.type]),
    [
      ['back\\slash', 'file'],
      ['broken', 'symlink'],
      ['sub', 'directory'],
      ['to-sub', 'directory'],
      ['日本語 ü.txt', 'file'],
    ],
  );
  assert.equal(inWorker.length, WORKER_THRESHOLD + 5);
});

test('FolderReader.read() of a big folder deleted since rejects with ENOENT from the worker, which maps to 404', async (t) => {
  const { root, dir } = await bigFolder(t);
  const reader = new FolderReader();
  t.after(() => reader.stop());
  await reader.read(dir, rulesFor(root), 'd');
  await rm(dir, { recursive: true });
  const error = await reader.read(dir, rulesFor(root), 'd').catch((e: unknown) => e);
  assert.equal(reader.hasWorker, true, 'the worker was asked');
  assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
  assert.equal(httpErrorFromFs(error).status, 404);
});

test('FolderReader.stop() while the worker reads hands the read back to the event loop, which finishes it', async (t) => {
  const { root, dir } = await sharedBigFolder();
  const reader = new FolderReader();
  t.after(() => reader.stop());
  await reader.read(dir, rulesFor(root), 'd');
  const pending = reader.read(dir, rulesFor(root), 'd');
  assert.equal(reader.hasWorker, true);
  await reader.stop();
  assert.equal((await pending).length, WORKER_THRESHOLD + 5);
  assert.equal(reader.hasWorker, false);
  assert.equal(
    (await reader.read(dir, rulesFor(root), 'd')).length,
    WORKER_THRESHOLD + 5,
    'a new worker reads',
  );
});

test('FolderReader.read() with a worker that fails to start reads on the event loop instead, from then on', async (t) => {
  const { root, dir } = await sharedBigFolder();
  const reader = new FolderReader(new URL('./no-such-worker.js', import.meta.url));
  t.after(() => reader.stop());
  const expected = byName(await readListing(dir, rulesFor(root)));
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(byName(await reader.read(dir, rulesFor(root), 'd')), expected, `read ${i + 1}`);
  }
  assert.equal(reader.hasWorker, false);
});

test('GET /d/ of a big folder shows a resized file, a new date and an added and a removed file at once', async (t) => {
  const { root, dir } = await bigFolder(t);
  const { port } = await serve(t, { root });
  const list = async (): Promise<JsonListing> =>
    JSON.parse((await get(port, '/d/?format=json')).text) as JsonListing;
  await list();
  const before = await list(); // read by the worker, and the page cached
  assert.equal(before.total, WORKER_THRESHOLD + 5);

  await writeFile(join(dir, 'file-7.txt'), 'resized');
  await utimes(join(dir, 'file-8.txt'), new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
  await writeFile(join(dir, 'added.txt'), '');
  await rm(join(dir, 'file-9.txt'));
  await mkdir(join(dir, 'new-folder'));
  const after = await list();
  const find = (name: string) => after.entries.find((e) => e.name === name);
  assert.equal(find('file-7.txt')?.size, 7);
  assert.equal(find('file-8.txt')?.mtime, '2030-01-01T00:00:00.000Z');
  assert.ok(find('added.txt'));
  assert.equal(find('file-9.txt'), undefined);
  assert.equal(find('new-folder')?.type, 'directory');
  assert.equal(after.total, before.total + 1);
});

/** Entries through EntryPacker and back, as they cross from the worker. */
function roundTrip(entries: readonly ListingEntry[]): ListingEntry[] {
  const packer = new EntryPacker();
  for (const entry of entries) packer.push(entry);
  return unpackEntries(packer.finish());
}

test('EntryPacker and unpackEntries() keep names, types and missing sizes and dates', () => {
  const entries: ListingEntry[] = [
    { name: 'a b.txt', type: 'file', size: 0, mtimeMs: 1700000000123.456 },
    { name: 'dir', type: 'directory', size: undefined, mtimeMs: -1 },
    { name: 'broken', type: 'symlink', size: undefined, mtimeMs: undefined },
    { name: '日本語 😀\n', type: 'file', size: 2 ** 40, mtimeMs: 0 },
    { name: 'back\\slash', type: 'file', size: 1, mtimeMs: 1 },
  ];
  assert.deepEqual(roundTrip(entries), entries);
  assert.deepEqual(roundTrip([]), []);
  // A name may begin with U+FEFF; a UTF-8 decoder that takes it for a byte-order mark drops it.
  const bom: ListingEntry[] = [{ name: '\uFEFFnotes.txt', type: 'file', size: 1, mtimeMs: 1 }];
  assert.deepEqual(roundTrip(bom), bom);
});

test('EntryPacker grows past its first arrays, and a later, smaller read carries nothing of an earlier one', () => {
  // 5,000 entries of 200 bytes of UTF-8 each: past the first 1,024 slots and 32 KiB of names.
  const many: ListingEntry[] = Array.from({ length: 5000 }, (_, i) => ({
    name: `${i}-${'ü'.repeat(98)}`.slice(0, 100),
    type: i % 3 === 0 ? 'directory' : 'file',
    size: i % 3 === 0 ? undefined : i * 1000,
    mtimeMs: i % 7 === 0 ? undefined : 1700000000000 + i,
  }));
  assert.deepEqual(roundTrip(many), many);
  const few: ListingEntry[] = [{ name: 'x', type: 'file', size: 2, mtimeMs: 3 }];
  assert.deepEqual(roundTrip(few), few);
  const packer = new EntryPacker();
  packer.push(few[0] as ListingEntry);
  const packed = packer.finish();
  assert.equal(packed.names.length, 1, 'exactly the bytes of this read');
  assert.equal(packed.types.length, 1);
});
