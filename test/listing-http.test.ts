// test/listing-http.test.ts
// Folder listings end to end over HTTP: formats by Accept and ?format=, sorting and paging,
// HEAD and ETag, and which entries are hidden (dotfiles, '\' names, links out of the root),
// against real folders with broken links and sockets in them.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rm, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { httpErrorFromFs } from '../src/http/errors.js';
import type { JsonListing } from '../src/listing/formats.js';
import { readListing } from '../src/listing/read.js';
import { get, makeTree, rawGet, serve } from './helpers.js';

const HTML = { accept: 'text/html' };
const JSON_ACCEPT = { accept: 'application/json' };

async function jsonListing(port: number, path: string): Promise<JsonListing> {
  const reply = await get(port, path, JSON_ACCEPT);
  assert.equal(reply.status, 200, `${path} answered ${reply.status}`);
  return JSON.parse(reply.text) as JsonListing;
}

/** The field names in a Vary header. */
const varyList = (vary: string | undefined): string[] => (vary ?? '').split(',').map((name) => name.trim());

const listedNames = (listing: JsonListing): string[] => listing.entries.map((e) => e.name);

test('GET / with Accept: text/html sends the page with its CSP, Vary and no-cache', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a', 'sub/b.txt': 'b' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/', HTML);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(reply.headers['cache-control'], 'no-cache');
  assert.ok(varyList(reply.headers.vary).includes('Accept'));
  assert.match(String(reply.headers['content-security-policy']), /^default-src 'none'; style-src 'sha256-/);
  assert.match(String(reply.headers.etag), /^W\/"[\w-]+"$/);
  assert.equal(Number(reply.headers['content-length']), reply.body.length);
  assert.ok(reply.text.includes('<title>Index of /</title>'));
  assert.ok(reply.text.includes('<a href="sub/">'));
  assert.ok(reply.text.includes('<a href="a.txt">'));
});

test('GET /sub/ lists the folder under "Index of /sub/" with a parent link', async (t) => {
  const root = await makeTree(t, { 'sub/b.txt': 'b' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/sub/', HTML);
  assert.equal(reply.status, 200);
  assert.ok(reply.text.includes('<title>Index of /sub/</title>'));
  assert.ok(reply.text.includes('<a href="../"><i class="i up"></i>'));
});

const formatCases: readonly [string, Record<string, string>, string, boolean][] = [
  ['/', JSON_ACCEPT, 'application/json; charset=utf-8', true],
  ['/?format=json', HTML, 'application/json; charset=utf-8', false],
  ['/', { accept: 'text/plain' }, 'text/plain; charset=utf-8', true],
  ['/?format=text', {}, 'text/plain; charset=utf-8', false],
  ['/?format=html', JSON_ACCEPT, 'text/html; charset=utf-8', false],
  ['/', { accept: '*/*' }, 'text/html; charset=utf-8', true],
  ['/?format=yaml', { accept: 'text/plain' }, 'text/plain; charset=utf-8', true],
];

for (const [path, headers, type, varies] of formatCases) {
  test(`GET ${path} with ${JSON.stringify(headers)} answers ${type}${varies ? ' and Vary: Accept' : ''}`, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'a' });
    const { port } = await serve(t, { root });
    const reply = await get(port, path, headers);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], type);
    assert.equal(varyList(reply.headers.vary).includes('Accept'), varies);
  });
}

test('GET /sub/ as JSON gives path, total and entries with type, size, mtime and url', async (t) => {
  const root = await makeTree(t, { 'sub/f 1.txt': 'hello', 'sub/inner/x': 'x' });
  const when = new Date('2024-02-03T04:05:06.000Z');
  await utimes(join(root, 'sub/f 1.txt'), when, when);
  await utimes(join(root, 'sub/inner'), when, when);
  const { port } = await serve(t, { root });
  const listing = await jsonListing(port, '/sub/');
  assert.deepEqual(listing, {
    path: '/sub/',
    total: 2,
    offset: 0,
    limit: null,
    entries: [
      { name: 'inner', type: 'directory', size: null, mtime: when.toISOString(), url: '/sub/inner/' },
      { name: 'f 1.txt', type: 'file', size: 5, mtime: when.toISOString(), url: '/sub/f%201.txt' },
    ],
  });
});

test('GET / as text lists one name per line, folders ending in a slash', async (t) => {
  const root = await makeTree(t, { 'b.txt': '', 'a/': '', file10: '', file2: '' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/', { accept: 'text/plain' });
  assert.equal(reply.text, 'a/\nb.txt\nfile2\nfile10\n');
});

const sortCases: readonly [string, string[]][] = [
  ['', ['d', 'big', 'mid', 'small']],
  ['?sort=name&order=desc', ['d', 'small', 'mid', 'big']],
  ['?sort=size&order=desc', ['d', 'big', 'mid', 'small']],
  ['?sort=size&order=asc', ['d', 'small', 'mid', 'big']],
  ['?sort=date&order=asc', ['d', 'mid', 'small', 'big']],
  ['?sort=date&order=desc', ['d', 'big', 'small', 'mid']],
  ['?sort=bogus&order=sideways', ['d', 'big', 'mid', 'small']],
];

for (const [query, expected] of sortCases) {
  test(`GET /${query} as JSON sorts ${expected.join(', ')}`, async (t) => {
    const root = await makeTree(t, { 'd/': '', small: 'x', mid: 'x'.repeat(10), big: 'x'.repeat(100) });
    const times: Record<string, number> = { small: 2000, mid: 1000, big: 3000 };
    for (const [name, seconds] of Object.entries(times)) {
      await utimes(join(root, name), seconds, seconds);
    }
    const { port } = await serve(t, { root });
    assert.deepEqual(listedNames(await jsonListing(port, `/${query}`)), expected);
  });
}

const pagingCases: readonly [string, string[], number | null][] = [
  ['?limit=2', ['f1', 'f2'], 2],
  ['?limit=2&offset=2', ['f3', 'f4'], 2],
  ['?offset=3', ['f4', 'f5'], null],
  ['?offset=99', [], null],
  ['?limit=0&offset=-5', ['f1', 'f2', 'f3', 'f4', 'f5'], null],
  ['?limit=abc&offset=%', ['f1', 'f2', 'f3', 'f4', 'f5'], null],
  ['?limit=all', ['f1', 'f2', 'f3', 'f4', 'f5'], null],
];

for (const [query, expected, limit] of pagingCases) {
  test(`GET /${query} as JSON pages to ${JSON.stringify(expected)}`, async (t) => {
    const root = await makeTree(t, { f1: '', f2: '', f3: '', f4: '', f5: '' });
    const { port } = await serve(t, { root });
    const listing = await jsonListing(port, `/${query}`);
    assert.deepEqual(listedNames(listing), expected);
    assert.equal(listing.total, 5);
    assert.equal(listing.limit, limit);
  });
}

test('GET /?limit=2&offset=2 as HTML shows a pager with previous, next and show-all', async (t) => {
  const root = await makeTree(t, { f1: '', f2: '', f3: '', f4: '', f5: '' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/?limit=2&offset=2', HTML);
  assert.equal(reply.status, 200);
  assert.ok(reply.text.includes('Entries 3–4 of 5'));
  assert.ok(reply.text.includes('<a href="?sort=name&amp;order=asc&amp;limit=2">← Previous</a>'));
  assert.ok(reply.text.includes('<a href="?sort=name&amp;order=asc&amp;limit=2&amp;offset=4">Next →</a>'));
  assert.ok(reply.text.includes('<a href="?sort=name&amp;order=asc&amp;limit=all">Show all 5</a>'));
  assert.ok(reply.text.includes('<a href="f3">') && !reply.text.includes('<a href="f1">'));
  assert.ok(reply.text.includes('5 files, 0 B'), 'the footer counts the whole folder');
});

test('GET / of 10,001 entries as HTML pages at 10,000 and JSON lists them all', async (t) => {
  const spec: Record<string, string> = {};
  for (let i = 0; i < 10_001; i++) spec[`f${i}`] = '';
  const root = await makeTree(t, spec);
  const { port } = await serve(t, { root });
  const html = await get(port, '/', HTML);
  assert.equal(html.text.match(/<tr class="e">/g)?.length, 10_000);
  assert.ok(html.text.includes('Entries 1–10,000 of 10,001'));
  assert.equal((await jsonListing(port, '/')).entries.length, 10_001);
});

test('HEAD / sends the same headers as GET and no body', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const [head, getReply] = await Promise.all([get(port, '/', HTML, 'HEAD'), get(port, '/', HTML)]);
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const name of [
    'content-type',
    'content-length',
    'etag',
    'vary',
    'cache-control',
    'content-security-policy',
  ]) {
    assert.equal(head.headers[name], getReply.headers[name], name);
  }
});

test('GET / with the listing ETag in If-None-Match answers 304, and a new file changes it', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const first = await get(port, '/', HTML);
  const again = await get(port, '/', { ...HTML, 'if-none-match': String(first.headers.etag) });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  await writeFile(join(root, 'b.txt'), 'new');
  const changed = await get(port, '/', { ...HTML, 'if-none-match': String(first.headers.etag) });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, first.headers.etag);
});

test('GET / with If-Match that does not match answers 412', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/', { ...HTML, 'if-match': '"nope"' });
  assert.equal(reply.status, 412);
});

const codings: readonly [string, (body: Buffer) => Buffer][] = [
  ['br', brotliDecompressSync],
  ['gzip', gunzipSync],
];

for (const [coding, decode] of codings) {
  test(`GET / with Accept-Encoding: ${coding} sends the same listing compressed, with its own ETag`, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'a', 'b.txt': 'b' });
    const { port } = await serve(t, { root });
    const plain = await get(port, '/', HTML);
    const packed = await get(port, '/', { ...HTML, 'accept-encoding': coding });
    assert.equal(packed.status, 200);
    assert.equal(packed.headers['content-encoding'], coding);
    assert.equal(Number(packed.headers['content-length']), packed.body.length);
    assert.ok(packed.body.length < plain.body.length / 2);
    assert.equal(decode(packed.body).toString('utf8'), plain.text);
    assert.match(String(packed.headers.vary), /Accept-Encoding/);
    assert.notEqual(packed.headers.etag, plain.headers.etag);
    const again = await get(port, '/', {
      ...HTML,
      'accept-encoding': coding,
      'if-none-match': String(packed.headers.etag),
    });
    assert.equal(again.status, 304);
  });
}

test('GET / with compression off sends the listing as is, without Vary: Accept-Encoding', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root, compress: false });
  const reply = await get(port, '/', { ...HTML, 'accept-encoding': 'br, gzip' });
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.doesNotMatch(String(reply.headers.vary), /Accept-Encoding/);
  assert.ok(reply.text.includes('<a href="a.txt">'));
});

// --- What is hidden -----------------------------------------------------------------------------

test('GET / hides dotfiles but shows /.well-known/', async (t) => {
  const root = await makeTree(t, {
    '.env': 'SECRET=1',
    '.git/config': '',
    '.well-known/security.txt': '',
    'sub/.hidden': '',
    'sub/.well-known/x': '',
    'sub/shown.txt': '',
    'shown.txt': '',
  });
  const { port } = await serve(t, { root });
  assert.deepEqual(listedNames(await jsonListing(port, '/')), ['.well-known', 'sub', 'shown.txt']);
  assert.deepEqual(listedNames(await jsonListing(port, '/sub/')), ['shown.txt']);
  const html = await get(port, '/', HTML);
  assert.ok(!html.text.includes('.env') && !html.text.includes('.git'));
});

test('GET / with dotfiles on lists dotfiles', async (t) => {
  const root = await makeTree(t, { '.env': '', 'sub/.hidden': '' });
  const { port } = await serve(t, { root, dotfiles: true });
  assert.deepEqual(listedNames(await jsonListing(port, '/')), ['sub', '.env']);
  assert.deepEqual(listedNames(await jsonListing(port, '/sub/')), ['.hidden']);
});

test('a name with a backslash is listed in HTML, JSON and text, its link says %5C, and the link serves it', async (t) => {
  const root = await makeTree(t, {
    'a\\b.txt': 'back\n',
    '\\evil.example/inner.txt': 'inner\n',
    'plain.txt': '',
  });
  const { port } = await serve(t, { root });
  const json = await jsonListing(port, '/');
  assert.deepEqual(
    json.entries.map((e) => [e.name, e.url]),
    [
      ['\\evil.example', '/%5Cevil.example/'],
      ['a\\b.txt', '/a%5Cb.txt'],
      ['plain.txt', '/plain.txt'],
    ],
  );
  const html = (await get(port, '/', HTML)).text;
  assert.ok(html.includes('<a href="a%5Cb.txt">'), 'the file links as a%5Cb.txt');
  assert.ok(html.includes('<a href="%5Cevil.example/">'), 'the folder links as %5Cevil.example/');
  assert.ok(!/href="[^"]*\\/.test(html), 'no link holds a raw backslash');
  const text = (await get(port, '/?format=text')).text;
  assert.equal(text, '\\\\evil.example/\na\\\\b.txt\nplain.txt\n', 'a backslash is written \\\\ in text');
  const file = await get(port, '/a%5Cb.txt');
  assert.equal(file.status, 200);
  assert.equal(file.text, 'back\n');
  assert.equal((await rawGet(port, '/a\\b.txt')).status, 200, 'a raw backslash names the same file');
  assert.equal((await get(port, '/%5Cevil.example/inner.txt')).text, 'inner\n');
});

test('GET / hides links out of the root and into hidden folders, shows links inside', async (t) => {
  const outside = await makeTree(t, { 'secret.txt': 'outside' });
  const root = await makeTree(t, {
    'real.txt': 'real',
    'docs/a.md': 'a',
    '.private/key': 'k',
    'to-real': { symlink: 'real.txt' },
    'to-docs': { symlink: 'docs' },
    'to-outside': { symlink: join(outside, 'secret.txt') },
    'to-outside-dir': { symlink: outside },
    'to-private': { symlink: '.private/key' },
  });
  const { port } = await serve(t, { root });
  const listing = await jsonListing(port, '/');
  assert.deepEqual(
    listing.entries.map((e) => [e.name, e.type]),
    [
      ['docs', 'directory'],
      ['to-docs', 'directory'],
      ['real.txt', 'file'],
      ['to-real', 'file'],
    ],
  );
  for (const entry of listing.entries) {
    assert.equal((await get(port, entry.url)).status, 200, `${entry.url} can be opened`);
  }
});

test('GET / with followSymlinks lists links out of the root', async (t) => {
  const outside = await makeTree(t, { 'secret.txt': 'outside' });
  const root = await makeTree(t, { 'to-outside': { symlink: join(outside, 'secret.txt') } });
  const { port } = await serve(t, { root, followSymlinks: true });
  const listing = await jsonListing(port, '/');
  assert.deepEqual(
    listing.entries.map((e) => [e.name, e.type, e.size]),
    [['to-outside', 'file', 7]],
  );
});

test('GET / with a broken link and a link loop still lists, showing them without size or date', async (t) => {
  const root = await makeTree(t, {
    'ok.txt': 'ok',
    broken: { symlink: 'missing-target' },
    loop: { symlink: 'loop' },
  });
  for (const followSymlinks of [false, true]) {
    const { port } = await serve(t, { root, followSymlinks });
    const html = await get(port, '/', HTML);
    assert.equal(html.status, 200);
    const listing = await jsonListing(port, '/');
    assert.deepEqual(
      listing.entries.map((e) => [e.name, e.type, e.size, e.mtime]),
      [
        ['broken', 'symlink', null, null],
        ['loop', 'symlink', null, null],
        ['ok.txt', 'file', 2, listing.entries[2]?.mtime],
      ],
    );
  }
});

test('GET / leaves out a Unix socket, which could never be served', async (t) => {
  const root = await makeTree(t, { 'a.txt': '' });
  const socketServer = createServer();
  socketServer.listen(join(root, 'control.sock'));
  await once(socketServer, 'listening');
  t.after(() => socketServer.close());
  const { port } = await serve(t, { root });
  assert.deepEqual(listedNames(await jsonListing(port, '/')), ['a.txt']);
});

test('GET / with listing off answers 404 for a folder without index', async (t) => {
  const root = await makeTree(t, { 'sub/a.txt': '' });
  const { port } = await serve(t, { root, listing: false });
  assert.equal((await get(port, '/sub/', HTML)).status, 404);
});

test('readListing() of a folder deleted after the stat rejects with ENOENT, which maps to 404', async (t) => {
  const root = await makeTree(t, { 'gone/a.txt': '' });
  await rm(join(root, 'gone'), { recursive: true });
  const error = await readListing(join(root, 'gone'), {
    depth: 1,
    dotfiles: false,
    followSymlinks: false,
    realRoot: root,
  }).catch((e: unknown) => e);
  assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
  assert.equal(httpErrorFromFs(error).status, 404);
});

const hostileQueries = [
  '/?sort=%ZZ',
  '/?limit=99999999999999999999',
  '/?offset=1e400',
  '/?sort=name&sort=size&order=desc&order=asc',
  '/?format=json&format=text',
  `/?${'x='.repeat(2000)}`,
];

for (const path of hostileQueries) {
  test(`GET ${path.slice(0, 60)} answers 200, never a 500`, async (t) => {
    const root = await makeTree(t, { 'a.txt': '' });
    const { port } = await serve(t, { root });
    assert.equal((await get(port, path, HTML)).status, 200);
  });
}
