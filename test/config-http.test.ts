// test/config-http.test.ts
// Config rules over real HTTP: a table of request → expected response for redirects,
// rewrites, headers, globs and parameters, the documented order, hostile redirects and
// rewrites, and the config file that is never served or listed.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ServeOptions } from '../src/serve/options.js';
import { get, makeTree, rawGet, serve } from './helpers.js';

const TREE = {
  'outside.txt': 'OUTSIDE',
  'www/index.html': '<h1>home</h1>',
  'www/about.html': 'ABOUT',
  'www/other.html': 'OTHER',
  'www/app.html': 'APP',
  'www/old.html': 'OLD FILE',
  'www/style.css': 'body{}',
  'www/edit-project-12.html': 'EDIT 12',
  'www/docs/guide.html': 'GUIDE',
  'www/drafts/wip.html': 'WIP',
  'www/.env': 'SECRET=1',
  'www/serve-here.json': '{"cleanUrls": true}',
  'www/assets/': '',
} as const;

const RULES: ServeOptions = {
  spa: true,
  redirects: [
    { source: '/old.html', destination: '/about' },
    { source: '/blog/:year/:slug', destination: '/posts/:slug?from=:year', type: 302 },
    { source: '/go/:target', destination: '/:target', type: 307 },
    { source: '/ext/**', destination: 'https://example.com/elsewhere', type: 308 },
    { source: '/docs-old/:page', destination: 'https://docs.example.com/:page' },
  ],
  rewrites: [
    { source: '/projects/:id/edit', destination: '/edit-project-:id.html' },
    { source: '/about', destination: '/other.html' },
    { source: '/style.css', destination: '/other.html' },
    { source: '/app/**', destination: '/app.html' },
    { source: '/secret', destination: '/.env' },
    { source: '/config', destination: '/serve-here.json' },
    { source: '/gone/*', destination: '/missing.html' },
    { source: '/guide', destination: '/docs/guide.html' },
  ],
  headerRules: [
    { source: '**/*.css', headers: [{ key: 'Cache-Control', value: 'max-age=60' }] },
    { source: '**/*.html', headers: [{ key: 'X-Page', value: 'yes' }] },
    { source: '/docs/**', headers: [{ key: 'X-Docs', value: '1' }] },
  ],
  unlisted: ['drafts'],
};

interface Expected {
  readonly status: number;
  readonly location?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

const HTML = { accept: 'text/html' };

/** [path, request headers, expected]. */
const table: readonly (readonly [string, Readonly<Record<string, string>>, Expected])[] = [
  // Redirects come first, even over an existing file, with the status and query they say.
  ['/old.html', {}, { status: 301, location: '/about' }],
  ['/blog/2024/hello', {}, { status: 302, location: '/posts/hello?from=2024' }],
  ['/go/docs?x=1', {}, { status: 307, location: '/docs?x=1' }],
  ['/ext/a/b/c', {}, { status: 308, location: 'https://example.com/elsewhere' }],
  ['/docs-old/intro', {}, { status: 301, location: 'https://docs.example.com/intro' }],
  // Hostile parameters stay inside one path segment of the rule's own origin.
  ['/go/%2F%2Fevil.example', {}, { status: 307, location: '/evil.example' }],
  ['/go/a%3A%2F%2Fevil.example', {}, { status: 301, location: '/go/a%3A/evil.example' }],
  ['/go/javascript:alert(1)', {}, { status: 307, location: '/javascript%3Aalert(1)' }],
  ['/docs-old/%40evil.example', {}, { status: 301, location: 'https://docs.example.com/%40evil.example' }],
  ['/docs-old/x%3F%23y', {}, { status: 301, location: 'https://docs.example.com/x%3F%23y' }],
  // Files before rewrites; clean URLs before rewrites too.
  ['/style.css', {}, { status: 200, body: 'body{}', headers: { 'cache-control': 'max-age=60' } }],
  ['/about', {}, { status: 200, body: 'ABOUT', headers: { 'x-page': 'yes' } }],
  // Rewrites with parameters and globs; the response keeps the request's URL.
  ['/projects/12/edit', {}, { status: 200, body: 'EDIT 12', headers: { 'x-page': 'yes' } }],
  ['/projects/13/edit', HTML, { status: 200, body: '<h1>home</h1>' }],
  ['/app/deep/route', {}, { status: 200, body: 'APP' }],
  ['/guide', {}, { status: 200, body: 'GUIDE', headers: { 'x-docs': '1', 'x-page': 'yes' } }],
  // Rewrites before the SPA page; the SPA page before 404.
  ['/anything', HTML, { status: 200, body: '<h1>home</h1>' }],
  ['/anything', {}, { status: 404 }],
  ['/gone/x', HTML, { status: 200, body: '<h1>home</h1>' }],
  // A rewrite's destination is resolved like a request: dotfiles and the config file stay hidden.
  ['/secret', {}, { status: 404 }],
  ['/config', {}, { status: 404 }],
  ['/.env', {}, { status: 404 }],
  ['/serve-here.json', {}, { status: 404 }],
  ['/Serve-Here.JSON', {}, { status: 404 }],
  ['/drafts/wip.html', {}, { status: 404 }],
  ['/drafts/', {}, { status: 404 }],
  // Header rules leave other responses alone.
  [
    '/index.html',
    {},
    { status: 200, headers: { 'x-page': 'yes', 'cache-control': 'no-cache', 'x-docs': undefined } },
  ],
  ['/docs/guide.html', {}, { status: 200, headers: { 'x-docs': '1' } }],
];

for (const [path, headers, expected] of table) {
  test(`GET ${path} ${JSON.stringify(headers)} → ${expected.status} ${expected.location ?? expected.body ?? ''}`, async (t) => {
    const base = await makeTree(t, TREE);
    const server = await serve(t, { ...RULES, root: join(base, 'www') });
    const reply = await get(server.port, path, headers);
    assert.equal(reply.status, expected.status, reply.text);
    if (expected.location !== undefined) assert.equal(reply.headers.location, expected.location);
    if (expected.body !== undefined) assert.equal(reply.text, expected.body);
    for (const [name, value] of Object.entries(expected.headers ?? {}))
      assert.equal(reply.headers[name], value, name);
    assert.doesNotMatch(reply.text, /OUTSIDE|SECRET|cleanUrls/);
  });
}

test('redirect Locations never start with // or /\\, whatever the raw request path', async (t) => {
  const base = await makeTree(t, TREE);
  const server = await serve(t, { ...RULES, root: join(base, 'www') });
  const targets = [
    '/go/\\evil.example',
    '/go/%5C%5Cevil.example',
    '/go//evil.example',
    '/go/%2F%2F%2Fevil.example',
    '/go/%09evil.example',
    '/go/.%2E/%2E%2E/evil',
    '/blog/%2F%2Fevil.example/x',
    '/go/%E2%80%AEevil',
  ];
  for (const target of targets) {
    const { status, reply } = await rawGet(server.port, target);
    const location = /\r\nLocation: ([^\r]*)\r\n/i.exec(reply)?.[1];
    assert.ok(status < 500, `${target}: ${status}`);
    if (location === undefined) continue;
    assert.match(location, /^\/(?![/\\])/, `${target} → ${location}`);
    assert.equal(new URL(location, 'http://host.test').host, 'host.test', `${target} → ${location}`);
  }
});

test('rewrites cannot climb out of the root: hostile parameters get 4xx, never a file outside', async (t) => {
  const base = await makeTree(t, TREE);
  const server = await serve(t, {
    root: join(base, 'www'),
    rewrites: [
      { source: '/f/:name', destination: '/:name' },
      { source: '/up/:name', destination: '/../:name' },
    ],
  });
  for (const target of [
    '/f/..%2Foutside.txt',
    '/f/%2E%2E%2Foutside.txt',
    '/up/outside.txt',
    '/f/.env',
    '/f/%2Eenv',
  ]) {
    const { status, reply } = await rawGet(server.port, target);
    assert.ok(status >= 300 && status < 500, `${target}: ${status}`);
    assert.doesNotMatch(reply, /OUTSIDE|SECRET/, target);
  }
  assert.deepEqual((await readdir(base)).sort(), ['outside.txt', 'www']);
  assert.equal(await readFile(join(base, 'outside.txt'), 'utf8'), 'OUTSIDE');
});

test('serve-here.json is never listed nor served, even with dotfiles on or through a link', async (t) => {
  const base = await makeTree(t, {
    'www/serve-here.json': '{"port": 1}',
    'www/a.txt': 'A',
    'www/link.json': { symlink: 'serve-here.json' },
    'www/sub/serve-here.json': 'NESTED',
  });
  const server = await serve(t, { root: join(base, 'www'), dotfiles: true });
  const listing = await get(server.port, '/?format=json');
  assert.equal(listing.status, 200);
  const names = (JSON.parse(listing.text) as { entries: { name: string }[] }).entries.map((e) => e.name);
  assert.deepEqual(names.sort(), ['a.txt', 'sub']);
  assert.equal((await get(server.port, '/serve-here.json')).status, 404);
  assert.equal((await get(server.port, '/serve-here.json', {}, 'HEAD')).status, 404);
  assert.equal((await get(server.port, '/link.json')).status, 404);
  // Only the root's own config file is reserved.
  assert.equal((await get(server.port, '/sub/serve-here.json')).text, 'NESTED');
});

test('unlisted names are left out of listings and answer 404', async (t) => {
  const base = await makeTree(t, {
    'a.txt': 'A',
    '.DS_Store': 'x',
    'notes.bak': 'B',
    'docs/drafts/x.html': 'X',
    'docs/readme.txt': 'R',
  });
  const server = await serve(t, { root: base, dotfiles: true, unlisted: ['.DS_Store', '*.bak', 'drafts'] });
  const names = async (path: string): Promise<string[]> =>
    (
      JSON.parse((await get(server.port, `${path}?format=json`)).text) as { entries: { name: string }[] }
    ).entries
      .map((e) => e.name)
      .sort();
  assert.deepEqual(await names('/'), ['a.txt', 'docs']);
  assert.deepEqual(await names('/docs/'), ['readme.txt']);
  for (const path of ['/.DS_Store', '/notes.bak', '/docs/drafts/x.html', '/docs/drafts/'])
    assert.equal((await get(server.port, path)).status, 404, path);
});

test('etag: false drops the ETag header; Last-Modified still validates', async (t) => {
  const base = await makeTree(t, { 'a.txt': 'A', 'dir/b.txt': 'B' });
  const server = await serve(t, { root: base, etag: false });
  const first = await get(server.port, '/a.txt');
  assert.equal(first.status, 200);
  assert.equal(first.headers.etag, undefined);
  assert.ok(first.headers['last-modified']);
  const again = await get(server.port, '/a.txt', {
    'if-modified-since': first.headers['last-modified'] as string,
  });
  assert.equal(again.status, 304);
  assert.equal(again.headers.etag, undefined);
  assert.equal((await get(server.port, '/dir/')).headers.etag, undefined);
});

test('trailingSlash: true redirects names without an extension and serves their clean URL', async (t) => {
  const base = await makeTree(t, { 'about.html': 'ABOUT', 'style.css': 'x', 'dir/index.html': 'DIR' });
  const server = await serve(t, { root: base, trailingSlash: true });
  const about = await get(server.port, '/about?x=1');
  assert.equal(about.status, 301);
  assert.equal(about.headers.location, '/about/?x=1');
  assert.equal((await get(server.port, '/about/')).text, 'ABOUT');
  assert.equal((await get(server.port, '/style.css')).status, 200);
  assert.equal((await get(server.port, '/dir')).headers.location, '/dir/');
  assert.equal((await get(server.port, '/dir/')).text, 'DIR');
});

test('without config rules, responses carry no rule headers and redirects keep their 301', async (t) => {
  const base = await makeTree(t, { 'dir/a.txt': 'A' });
  const server = await serve(t, { root: base });
  const reply = await get(server.port, '/dir');
  assert.equal(reply.status, 301);
  assert.equal(reply.headers.location, '/dir/');
  assert.equal((await get(server.port, '/serve-here.json')).status, 404);
});
