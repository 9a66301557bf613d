// test/fallback.test.ts
// What answers a missing path: clean URLs (`/about` → about.html) and the single-page-app page,
// and what never does (existing files and folders, assets, non-HTML clients, dotfiles).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasExtension, spaSegments } from '../src/serve/fallback.js';
import type { ServeOptions } from '../src/serve/options.js';
import { get, makeTree, serve, type TreeSpec } from './helpers.js';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

const SITE: TreeSpec = {
  'index.html': '<h1>app shell</h1>',
  'about.html': '<h1>about</h1>',
  'docs/intro.html': '<h1>intro</h1>',
  'real.txt': 'real file\n',
  'assets/': '',
};

async function site(
  t: Parameters<typeof makeTree>[0],
  options: ServeOptions = {},
  spec: TreeSpec = SITE,
): Promise<number> {
  const root = await makeTree(t, spec);
  const { port } = await serve(t, { root, ...options });
  return port;
}

for (const [name, want] of [
  ['about', false],
  ['app.js', true],
  ['archive.tar.gz', true],
  ['.env', false],
  ['v1.', false],
  ['v1.2', true],
] as const) {
  test(`hasExtension(${JSON.stringify(name)}) is ${want}`, () => {
    assert.equal(hasExtension(name), want);
  });
}

for (const [spa, want] of [
  ['index.html', ['index.html']],
  ['/app/shell.html', ['app', 'shell.html']],
  ['./200.html', ['200.html']],
  ['app\\shell.html', ['app', 'shell.html']],
  ['../outside.html', undefined],
  ['app/../../x.html', undefined],
  ['/', undefined],
] as const) {
  test(`spaSegments(${JSON.stringify(spa)}) is ${JSON.stringify(want)}`, () => {
    assert.deepEqual(spaSegments(spa), want);
  });
}

// --- Clean URLs ---

test('GET /about serves about.html with status 200 and no redirect', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/about');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.location, undefined);
  assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(reply.text, '<h1>about</h1>');
});

test('GET /about?tab=2 serves about.html and ignores the query', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/about?tab=2');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, '<h1>about</h1>');
});

test('GET /about.html keeps working as itself, without a redirect', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/about.html');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, '<h1>about</h1>');
});

test('GET /docs/intro serves docs/intro.html', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/docs/intro');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, '<h1>intro</h1>');
});

test('HEAD /about has the headers of about.html and no body', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/about', {}, 'HEAD');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-length'], String('<h1>about</h1>'.length));
  assert.equal(reply.body.length, 0);
});

test('GET /about/ with a trailing slash is 404 when only about.html exists', async (t) => {
  const port = await site(t);
  const reply = await get(port, '/about/');
  assert.equal(reply.status, 404);
});

test('GET /about redirects to the existing folder /about/ instead of about.html', async (t) => {
  const port = await site(t, {}, { 'about.html': 'page', 'about/index.html': 'folder' });
  const reply = await get(port, '/about');
  assert.equal(reply.status, 301);
  assert.equal(reply.headers.location, '/about/');
  assert.equal((await get(port, '/about/')).text, 'folder');
});

test('GET /about serves an existing file named about, not about.html', async (t) => {
  const port = await site(t, {}, { about: 'plain file', 'about.html': 'page' });
  const reply = await get(port, '/about');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'plain file');
});

test('GET /about is 404 with cleanUrls: false (--no-clean-urls)', async (t) => {
  const port = await site(t, { cleanUrls: false });
  assert.equal((await get(port, '/about')).status, 404);
});

test('GET /about.txt does not look for about.txt.html', async (t) => {
  const port = await site(t, {}, { 'about.txt.html': 'nope' });
  assert.equal((await get(port, '/about.txt')).status, 404);
});

test('GET /about ignores an about.html symlink that points outside the root', async (t) => {
  const outside = await makeTree(t, { 'secret.html': 'secret' });
  const port = await site(t, {}, { 'about.html': { symlink: join(outside, 'secret.html') } });
  const reply = await get(port, '/about');
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /secret/);
});

test('GET /.hidden is 404 even when .hidden.html exists', async (t) => {
  const port = await site(t, {}, { '.hidden.html': 'hidden page' });
  const reply = await get(port, '/.hidden');
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /hidden page/);
});

// --- Single-page apps ---

test('GET /users/42 with --spa and Accept: text/html serves index.html, 200, no-cache', async (t) => {
  const port = await site(t, { spa: true, cache: 3600 });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 200);
  assert.equal(reply.headers.location, undefined);
  assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(reply.headers['cache-control'], 'no-cache');
  assert.equal(reply.text, '<h1>app shell</h1>');
});

test('GET /users/ with a trailing slash and --spa serves index.html', async (t) => {
  const port = await site(t, { spa: true });
  const reply = await get(port, '/users/', HTML);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, '<h1>app shell</h1>');
});

test('HEAD /users/42 with --spa has the page headers and no body', async (t) => {
  const port = await site(t, { spa: true });
  const reply = await get(port, '/users/42', HTML, 'HEAD');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-length'], String('<h1>app shell</h1>'.length));
  assert.equal(reply.body.length, 0);
});

test('GET /users/42 with --spa and the page ETag in If-None-Match answers 304', async (t) => {
  const port = await site(t, { spa: true });
  const first = await get(port, '/users/42', HTML);
  const again = await get(port, '/users/42', { ...HTML, 'if-none-match': first.headers.etag ?? '' });
  assert.equal(again.status, 304);
});

test('GET /real.txt with --spa serves the real file, not the app page', async (t) => {
  const port = await site(t, { spa: true });
  const reply = await get(port, '/real.txt', HTML);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'real file\n');
});

test('GET /about with --spa serves about.html: clean URLs come first', async (t) => {
  const port = await site(t, { spa: true });
  assert.equal((await get(port, '/about', HTML)).text, '<h1>about</h1>');
});

for (const path of ['/app.js', '/img/x.png', '/missing/style.css']) {
  test(`GET ${path} with --spa is still 404: a missing asset is not a page`, async (t) => {
    const port = await site(t, { spa: true });
    const reply = await get(port, path, HTML);
    assert.equal(reply.status, 404);
    assert.doesNotMatch(reply.text, /app shell/);
  });
}

for (const accept of ['application/json', '*/*', undefined]) {
  test(`GET /users/42 with --spa and Accept: ${accept ?? '(none)'} is 404`, async (t) => {
    const port = await site(t, { spa: true });
    const reply = await get(port, '/users/42', accept === undefined ? {} : { accept });
    assert.equal(reply.status, 404);
  });
}

test('POST /users/42 with --spa is 405, not the app page', async (t) => {
  const port = await site(t, { spa: true });
  const reply = await get(port, '/users/42', HTML, 'POST');
  assert.equal(reply.status, 405);
});

test('GET /users/42 with --spa 200.html serves 200.html', async (t) => {
  const port = await site(t, { spa: '200.html' }, { ...SITE, '200.html': 'two hundred' });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'two hundred');
});

test('GET /users/42 with --spa is 404 when the fallback file is missing', async (t) => {
  const port = await site(t, { spa: 'shell.html' });
  assert.equal((await get(port, '/users/42', HTML)).status, 404);
});

test('GET /users/42 with --spa ../outside.html is 404: the fallback must be under the root', async (t) => {
  const parent = await makeTree(t, { 'outside.html': 'outside', 'site/index.html': 'inside' });
  const { port } = await serve(t, {
    root: join(parent, 'site'),
    spa: '../outside.html',
    followSymlinks: true,
  });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /outside/);
});

test('GET /.secret with --spa is 404, not the app page (dotfile rule first)', async (t) => {
  const port = await site(t, { spa: true });
  const reply = await get(port, '/.secret', HTML);
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /app shell/);
});

test('GET /users/42 with --spa .shell.html is 404 while dotfiles are hidden', async (t) => {
  const port = await site(t, { spa: '.shell.html' }, { ...SITE, '.shell.html': 'hidden shell' });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /hidden shell/);
});

test('GET /users/42 with --spa .shell.html and --dotfiles serves the shell', async (t) => {
  const port = await site(
    t,
    { spa: '.shell.html', dotfiles: true },
    { ...SITE, '.shell.html': 'hidden shell' },
  );
  assert.equal((await get(port, '/users/42', HTML)).text, 'hidden shell');
});

test('GET /users/42 with --spa is 404 when index.html links outside the root', async (t) => {
  const outside = await makeTree(t, { 'secret.html': 'secret' });
  const port = await site(t, { spa: true }, { 'index.html': { symlink: join(outside, 'secret.html') } });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /secret/);
});

test('GET /assets/ with --spa and --no-listing is 404: the folder exists, so no fallback', async (t) => {
  const port = await site(t, { spa: true, listing: false });
  const reply = await get(port, '/assets/', HTML);
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, /app shell/);
});

test('GET /users/42 with --spa and --no-listing still serves the app page', async (t) => {
  const port = await site(t, { spa: true, listing: false });
  assert.equal((await get(port, '/users/42', HTML)).text, '<h1>app shell</h1>');
});

test('GET /users/42 without --spa is 404 with the root 404.html', async (t) => {
  const port = await site(t, {}, { ...SITE, '404.html': 'custom not found' });
  const reply = await get(port, '/users/42', HTML);
  assert.equal(reply.status, 404);
  assert.equal(reply.text, 'custom not found');
});
