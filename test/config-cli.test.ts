// test/config-cli.test.ts
// The config file from the command line: every mistake is one line and exit 1, serve-here.json
// is read from the root, flags win over the file, and a serve.json written for `serve` in a
// realistic project layout works unchanged with --config.
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

/** [file content (undefined: no file), --config argument, expected stderr line]. */
const failures: readonly (readonly [string | undefined, string, string])[] = [
  [undefined, 'missing.json', 'serve-here: cannot read the config file missing.json: no such file'],
  [
    '{"cache": 60,}',
    'bad.json',
    'serve-here: bad.json: not valid JSON: Expected double-quoted property name (line 1, column 14)',
  ],
  ['', 'empty.json', 'serve-here: empty.json: not valid JSON: Unexpected end of JSON input'],
  ['{"a": }', 'token.json', "serve-here: token.json: not valid JSON: Unexpected token '}'"],
  [
    '{\n  "port": 80\n  "cache": 1\n}',
    'comma.json',
    "serve-here: comma.json: not valid JSON: Expected ',' or '}' after property value (line 3, column 3)",
  ],
  ['[]', 'list.json', 'serve-here: list.json: expected an object (a JSON file starting with {), got a list'],
  ['{"prot": 80}', 'typo.json', 'serve-here: typo.json: prot: unknown key; did you mean "port"?'],
  [
    '{"cache": "1h"}',
    'type.json',
    'serve-here: type.json: cache: expected a whole number of seconds, got the text "1h"',
  ],
  [
    '{"redirects": [{"source": "/a", "destination": "/b", "type": 200}]}',
    'status.json',
    'serve-here: status.json: redirects[0].type: expected a redirect status: 301, 302, 303, 307, 308, got 200',
  ],
  [
    '{"headers": [{"source": "/a", "headers": [{"key": "X-A"}]}]}',
    'headers.json',
    'serve-here: headers.json: headers[0].headers[0].value: expected a header value, but it is missing',
  ],
  [
    '{"rewrites": [{"source": "/a/:id", "destination": "/b/:name"}]}',
    'params.json',
    'serve-here: params.json: rewrites[0].destination: expected only parameters the source captures, but :name is not one',
  ],
];

for (const [content, name, line] of failures) {
  test(`serve-here --config ${name} exits 1 with: ${line}`, async (t) => {
    const base = await makeTree(t, content === undefined ? { 'www/': '' } : { 'www/': '', [name]: content });
    const { code, stdout, stderr } = await runCli(['www', '--config', name, '-p', '0'], { cwd: base });
    assert.equal(code, 1);
    assert.equal(stderr, `${line}\n`);
    assert.equal(stdout, '');
  });
}

test('a serve-here.json that is wrong stops the start with its name and key path', async (t) => {
  const base = await makeTree(t, { 'serve-here.json': '{"spa": 1}' });
  const { code, stderr } = await runCli(['.', '-p', '0'], { cwd: base });
  assert.equal(code, 1);
  assert.equal(
    stderr,
    'serve-here: serve-here.json: spa: expected true, false or a file path such as index.html, got 1\n',
  );
});

test('a config file that is a folder, or unreadable, is one line and exit 1', async (t) => {
  const base = await makeTree(t, { 'conf/': '', 'locked.json': '{}' });
  const folder = await runCli(['.', '--config', 'conf', '-p', '0'], { cwd: base });
  assert.equal(folder.code, 1);
  assert.equal(folder.stderr, 'serve-here: cannot read the config file conf: it is a folder\n');
  if (process.getuid?.() === 0) return; // root reads anything
  await chmod(join(base, 'locked.json'), 0o000);
  const locked = await runCli(['.', '--config', 'locked.json', '-p', '0'], { cwd: base });
  assert.equal(locked.code, 1);
  assert.equal(locked.stderr, 'serve-here: cannot read the config file locked.json: permission denied\n');
});

test('serve-here.json in the root is read, and never served', async (t) => {
  const base = await makeTree(t, {
    'serve-here.json': JSON.stringify({ cors: true, cache: 60, header: ['X-From: file'] }),
    'a.txt': 'A',
  });
  const { port } = await startServing(t, ['.', '-p', '0'], { cwd: base });
  const reply = await get(port, '/a.txt');
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.equal(reply.headers['cache-control'], 'public, max-age=60');
  assert.equal(reply.headers['x-from'], 'file');
  assert.equal((await get(port, '/serve-here.json')).status, 404);
});

test('flags on the command line win over the file', async (t) => {
  const base = await makeTree(t, {
    'site.json': JSON.stringify({
      port: 1,
      cache: 60,
      cleanUrls: true,
      spa: 'app.html',
      header: ['X-A: file', 'X-B: file'],
      quiet: false,
    }),
    'www/about.html': 'ABOUT',
    'www/app.html': 'APP',
    'www/other.html': 'OTHER',
  });
  const { port, cli } = await startServing(
    t,
    [
      'www',
      '--config',
      'site.json',
      '-p',
      '0',
      '--cache',
      '5',
      '--no-clean-urls',
      '--spa',
      'other.html',
      '--header',
      'X-A: cli',
      '-q',
    ],
    { cwd: base },
  );
  const about = await get(port, '/about', { accept: 'text/html' });
  assert.equal(about.text, 'OTHER'); // no clean URL, and the command line's SPA page
  assert.equal(about.headers['cache-control'], 'no-cache'); // the SPA page always revalidates
  const page = await get(port, '/about.html');
  assert.equal(page.headers['cache-control'], 'public, max-age=5');
  assert.equal(page.headers['x-a'], 'cli');
  assert.equal(page.headers['x-b'], 'file');
  assert.doesNotMatch(cli.stdout(), /GET \/about/); // -q
});

test("the file's port is used without -p or $PORT; $PORT wins over it", async (t) => {
  const base = await makeTree(t, { 'serve-here.json': '{"port": 0}', 'a.txt': 'A' });
  const fromFile = await startServing(t, ['.'], { cwd: base });
  assert.notEqual(fromFile.port, 8000);
  assert.equal((await get(fromFile.port, '/a.txt')).text, 'A');
  // Port 1 needs administrator rights: the start only succeeds because $PORT wins.
  await writeFile(join(base, 'serve-here.json'), '{"port": 1}');
  const fromEnv = await startServing(t, ['.'], { cwd: base, env: { PORT: '0' } });
  assert.notEqual(fromEnv.port, 1);
  assert.equal((await get(fromEnv.port, '/a.txt')).text, 'A');
});

test('a serve.json from a serve project works unchanged with --config', async (t) => {
  // The layout of a typical static site built into dist/, with serve.json next to package.json.
  const base = await makeTree(t, {
    'package.json': '{"name": "site", "scripts": {"start": "serve"}}',
    'src/index.md': '# source',
    'dist/index.html': '<h1>Home</h1>',
    'dist/about.html': '<h1>About</h1>',
    'dist/blog/hello-world.html': '<h1>Hello</h1>',
    'dist/projects/edit.html': '<h1>Edit</h1>',
    'dist/assets/app.3f2a1c.js': 'console.log(1)',
    'dist/assets/logo.png': 'PNG',
    'dist/.DS_Store': 'junk',
    'dist/drafts/next.html': '<h1>Draft</h1>',
    'dist/404.html': '<h1>Not here</h1>',
  });
  const serveJson = {
    public: 'dist',
    cleanUrls: true,
    rewrites: [
      { source: '/projects/:id/edit', destination: '/projects/edit.html' },
      { source: 'app/**', destination: '/index.html' },
    ],
    redirects: [
      { source: '/posts/:slug', destination: '/blog/:slug' },
      { source: '/old-about', destination: '/about', type: 302 },
    ],
    headers: [
      {
        source: 'assets/**',
        headers: [{ key: 'Cache-Control', value: 'public, max-age=31536000, immutable' }],
      },
      { source: '**/*.@(jpg|jpeg|gif|png)', headers: [{ key: 'X-Image', value: '1' }] },
    ],
    directoryListing: false,
    unlisted: ['.DS_Store', 'drafts'],
    etag: true,
    symlinks: true,
  };
  await writeFile(join(base, 'serve.json'), JSON.stringify(serveJson, null, 2));
  const { port, cli } = await startServing(t, ['--config', 'serve.json', '-p', '0'], { cwd: base });
  assert.match(cli.stdout(), /serving \.\/dist at/);

  const expect = async (
    path: string,
    status: number,
    check?: (r: Awaited<ReturnType<typeof get>>) => void,
  ) => {
    const reply = await get(port, path);
    assert.equal(reply.status, status, `${path}: ${reply.text}`);
    check?.(reply);
  };
  await expect('/', 200, (r) => assert.equal(r.text, '<h1>Home</h1>'));
  await expect('/about', 200, (r) => assert.equal(r.text, '<h1>About</h1>'));
  await expect('/blog/hello-world', 200, (r) => assert.equal(r.text, '<h1>Hello</h1>'));
  await expect('/posts/hello-world', 301, (r) => assert.equal(r.headers.location, '/blog/hello-world'));
  await expect('/old-about', 302, (r) => assert.equal(r.headers.location, '/about'));
  await expect('/projects/42/edit', 200, (r) => assert.equal(r.text, '<h1>Edit</h1>'));
  await expect('/app/settings/profile', 200, (r) => assert.equal(r.text, '<h1>Home</h1>'));
  await expect('/assets/app.3f2a1c.js', 200, (r) =>
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable'),
  );
  await expect('/assets/logo.png', 200, (r) => assert.equal(r.headers['x-image'], '1'));
  await expect('/assets/', 404);
  await expect('/.DS_Store', 404);
  await expect('/drafts/next.html', 404, (r) => assert.equal(r.text, '<h1>Not here</h1>'));
  await expect('/serve.json', 404);
  await expect('/package.json', 404);
});

test('a --config file inside the served folder is not served', async (t) => {
  const base = await makeTree(t, { 'www/site.json': '{"cors": true}', 'www/a.txt': 'A' });
  const { port } = await startServing(t, ['www', '--config', 'www/site.json', '-p', '0'], { cwd: base });
  assert.equal((await get(port, '/a.txt')).headers['access-control-allow-origin'], '*');
  assert.equal((await get(port, '/site.json')).status, 404);
  assert.equal((await get(port, '/SITE.JSON')).status, 404);
  const listing = await get(port, '/?format=json');
  assert.doesNotMatch(listing.text, /site\.json/);
});

test("a folder on the command line wins over the file's public folder", async (t) => {
  const base = await makeTree(t, {
    'serve.json': '{"public": "dist", "listing": false}',
    'dist/a.txt': 'DIST',
    'other/a.txt': 'OTHER',
    'other/sub/b.txt': 'B',
  });
  const { port, cli } = await startServing(t, ['other', '--config', 'serve.json', '-p', '0'], { cwd: base });
  assert.match(cli.stdout(), /serving \.\/other at/);
  assert.equal((await get(port, '/a.txt')).text, 'OTHER');
  assert.equal((await get(port, '/sub/')).status, 404); // listing: false from the file
});
