// test/security.test.ts
// Hostile request-targets sent byte for byte (raw sockets), against a root with a secret
// folder beside it, dotfiles and symlinks that point in and out. The secret's bytes must
// never come back, whatever the path; redirects must never name another host.
import assert from 'node:assert/strict';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
import { get, makeTree, rawGet, serve } from './helpers.js';

const SECRET = 'SECRET-9f2c41-do-not-serve';

/** /x/www is served; /x/www-secret is its sibling (a string-prefix check would admit it). */
async function makeRootBesideSecret(
  t: Parameters<typeof makeTree>[0],
): Promise<{ base: string; root: string }> {
  const base = await makeTree(t, {
    'www-secret/secret.txt': `${SECRET}\n`,
    'www-secret/nested/deep.txt': `${SECRET} deep\n`,
    'www/index.html': '<h1>home</h1>\n',
    'www/real.txt': 'real bytes\n',
    'www/docs/page.txt': 'page bytes\n',
    'www/sub/keep.txt': 'keep\n',
    'www/evil.example/': '',
    // On POSIX a backslash is part of a name: folders a Location must never turn into a host.
    'www/\\evil.example/': '',
    'www/\\\\evil.example/': '',
    'www/..\\inside.txt': 'a name starting with dot-dot backslash\n',
    'www/.env': `TOKEN=${SECRET}\n`,
    'www/.git/config': `[core]\n\t${SECRET}\n`,
    'www/.hidden-dir/inner.txt': `${SECRET} hidden\n`,
    'www/sub/.npmrc': `${SECRET} npmrc\n`,
    'www/.well-known/security.txt': 'Contact: mailto:security@example.com\n',
    'www/.well-known/.private': `${SECRET} private\n`,
    // Links that leave the root.
    'www/escape-file': { symlink: '../www-secret/secret.txt' },
    'www/escape-dir': { symlink: '../www-secret' },
    'www/escape-chain-1': { symlink: 'escape-chain-2' },
    'www/escape-chain-2': { symlink: 'sub/escape-chain-3' },
    'www/sub/escape-chain-3': { symlink: '../../www-secret/secret.txt' },
    'www/sub/escape-via-link': { symlink: '../escape-dir' },
    // Links that stay inside the root but land on a hidden name.
    'www/env-link.txt': { symlink: '.env' },
    'www/public-name': { symlink: '.hidden-dir' },
    // Links that stay inside the root and work.
    'www/inside-link.txt': { symlink: 'real.txt' },
    'www/inside-dir-link': { symlink: 'docs' },
    'www/sub/inside-up-link.txt': { symlink: '../real.txt' },
    'www/loop-a': { symlink: 'loop-b' },
    'www/loop-b': { symlink: 'loop-a' },
  });
  // An absolute link, which makeTree's relative specs can't express.
  await symlink(join(base, 'www-secret', 'secret.txt'), join(base, 'www', 'escape-absolute'));
  return { base, root: join(base, 'www') };
}

/** One tree and one server for the whole file, cleaned up once at the end. */
const cleanups: (() => unknown)[] = [];
const fileScope: Pick<TestContext, 'after'> = {
  after: (fn) => {
    if (fn !== undefined) cleanups.push(fn as () => unknown);
  },
};
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let port = 0;
let base = '';

before(async () => {
  const fixture = await makeRootBesideSecret(fileScope);
  base = fixture.base;
  ({ port } = await serve(fileScope, { root: fixture.root }));
});

/** Every one of these must come back without a byte of the secret. */
const HOSTILE_TARGETS = [
  '/../www-secret/secret.txt',
  '/..%2fwww-secret%2fsecret.txt',
  '/%2e%2e/www-secret/secret.txt',
  '/%2E%2E%2Fwww-secret%2Fsecret.txt',
  '/.%2e/www-secret/secret.txt',
  '/..\\www-secret\\secret.txt',
  '/..%5cwww-secret%5csecret.txt',
  '/sub/../../www-secret/secret.txt',
  '/sub/..%2f..%2fwww-secret/secret.txt',
  '/./../www-secret/secret.txt',
  '//../www-secret/secret.txt',
  '/sub/..\\..\\www-secret/secret.txt',
  '/../../../../../../../../../../etc/passwd',
  '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  `/..${'%c0%af'}www-secret/secret.txt`,
  'http://localhost/../www-secret/secret.txt',
  'http://localhost/%2e%2e/www-secret/secret.txt',
  '/escape-file',
  '/escape-absolute',
  '/escape-dir/secret.txt',
  '/escape-dir/nested/deep.txt',
  '/escape-dir/',
  '/escape-dir',
  '/escape-chain-1',
  '/escape-chain-2',
  '/sub/escape-chain-3',
  '/sub/escape-via-link/secret.txt',
  '/sub/escape-via-link/',
  '/inside-dir-link/../escape-dir/secret.txt',
  '/www-secret/secret.txt',
  '/.env',
  '/.git/config',
  '/%2egit/config',
  '/.git%2fconfig',
  '/env-link.txt',
  '/public-name/inner.txt',
  '/.hidden-dir/inner.txt',
  '/sub/.npmrc',
  '/.well-known/.private',
  '/.well-known/../.env',
  '/secret.txt%00.html',
  '/escape-file?/real.txt',
  '/escape-file#/real.txt',
];

for (const target of HOSTILE_TARGETS) {
  test(`GET ${target} never returns the secret's bytes`, async () => {
    const { status, reply } = await rawGet(port, target);
    assert.ok([301, 400, 404].includes(status), `got status ${status}, want 301, 400 or 404`);
    assert.ok(!reply.includes(SECRET), `the reply contains the secret:\n${reply}`);
    if (status === 301) {
      // A redirect may only lead back inside the root: follow it once and check again.
      const location = /\r\nLocation: ([^\r]*)/i.exec(reply)?.[1] ?? '';
      assert.match(location, /^\/(?![/\\])/);
      const next = await rawGet(port, location);
      assert.ok([301, 400, 404].includes(next.status), `redirect target gave ${next.status}`);
      assert.ok(!next.reply.includes(SECRET));
    }
  });
}

/** What each class of hostile path gets, per the documented choices. */
const STATUS_TABLE: readonly [target: string, status: number, why: string][] = [
  ['/../www-secret/secret.txt', 400, 'climbing above the root is a bad request'],
  ['/..%2fwww-secret%2fsecret.txt', 400, 'climbing with an encoded slash'],
  ['/..\\www-secret\\secret.txt', 404, 'on POSIX the name ..\\www-secret\\secret.txt, which is not there'],
  ['/..%5Cwww-secret%5Csecret.txt', 404, 'the same name, encoded'],
  ['http://localhost/../www-secret/secret.txt', 400, 'climbing in absolute-form'],
  ['/escape-file', 404, 'a link to a file outside the root does not exist'],
  ['/escape-absolute', 404, 'an absolute link outside the root'],
  ['/escape-dir/secret.txt', 404, 'a file inside a linked folder outside the root'],
  ['/escape-dir', 404, 'a linked folder outside the root is not even redirected'],
  ['/escape-chain-1', 404, 'a chain of links that ends outside the root'],
  ['/sub/escape-via-link/secret.txt', 404, 'a link to a link to an outside folder'],
  ['/loop-a', 404, 'a symlink loop'],
  ['/.env', 404, 'a dotfile'],
  ['/.git/config', 404, 'a file in a dot-folder'],
  ['/.git/', 404, 'a dot-folder'],
  ['/.git', 404, 'a dot-folder without its slash is not redirected'],
  ['/%2egit/config', 404, 'an encoded dot'],
  ['/env-link.txt', 404, 'a link to a dotfile'],
  ['/public-name/inner.txt', 404, 'a link to a dot-folder'],
  ['/sub/.npmrc', 404, 'a dotfile deeper down'],
  ['/.well-known/.private', 404, 'a dotfile inside .well-known'],
  ['/%00', 400, 'an encoded NUL'],
  ['/%zz', 400, 'a malformed escape'],
  ['/%C3%28', 400, 'invalid UTF-8'],
  ['/%E2%98', 400, 'truncated UTF-8'],
];

for (const [target, want, why] of STATUS_TABLE) {
  test(`GET ${target} answers ${want}: ${why}`, async () => {
    const { status } = await rawGet(port, target);
    assert.equal(status, want);
  });
}

/** Links and names that stay inside the root are served normally. */
const ALLOWED: readonly [target: string, body: string][] = [
  ['/inside-link.txt', 'real bytes\n'],
  ['/inside-dir-link/page.txt', 'page bytes\n'],
  ['/sub/inside-up-link.txt', 'real bytes\n'],
  ['/.well-known/security.txt', 'Contact: mailto:security@example.com\n'],
  ['http://localhost/real.txt?x=1', 'real bytes\n'],
  ['/sub/../real.txt', ''],
];

for (const [target, body] of ALLOWED) {
  test(`GET ${target} inside the root is served`, async () => {
    const { status, reply } = await rawGet(port, target);
    if (body === '') {
      // A dot-dot that stays inside the root is fine but not canonical: one redirect.
      assert.equal(status, 301);
      assert.match(reply, /\r\nLocation: \/real\.txt\r\n/i);
      return;
    }
    assert.equal(status, 200);
    assert.ok(reply.endsWith(`\r\n\r\n${body}`), `unexpected body in:\n${reply}`);
  });
}

test('a raw NUL, raw space, tab or raw non-ASCII byte in the target is refused with 400 (by Node)', async () => {
  for (const target of ['/real.txt\0', '/re al.txt', '/re\tal.txt', '/r\u00e9al.txt']) {
    const { status, reply } = await rawGet(port, target);
    assert.equal(status, 400, `${JSON.stringify(target)} gave ${status}`);
    assert.ok(!reply.includes('real bytes'));
  }
});

test('a root given through a symlink still refuses links that leave it', async (t) => {
  const linkedRoot = join(base, 'www-link');
  await symlink(join(base, 'www'), linkedRoot);
  const server = await serve(t, { root: linkedRoot });
  assert.equal((await rawGet(server.port, '/real.txt')).status, 200);
  const escaped = await rawGet(server.port, '/escape-file');
  assert.equal(escaped.status, 404);
  assert.ok(!escaped.reply.includes(SECRET));
});

test('--follow-symlinks serves links that leave the root, but .. still cannot climb', async (t) => {
  const server = await serve(t, { root: join(base, 'www'), followSymlinks: true });
  const linked = await rawGet(server.port, '/escape-dir/secret.txt');
  assert.equal(linked.status, 200);
  assert.ok(linked.reply.includes(SECRET));
  const climbed = await rawGet(server.port, '/../www-secret/secret.txt');
  assert.equal(climbed.status, 400);
  assert.ok(!climbed.reply.includes(SECRET));
});

test('--dotfiles serves /.env and /.git/config', async (t) => {
  const server = await serve(t, { root: join(base, 'www'), dotfiles: true });
  assert.equal((await get(server.port, '/.env')).text, `TOKEN=${SECRET}\n`);
  assert.equal((await get(server.port, '/.git/config')).status, 200);
});

test('the listing of the root shows links that stay inside and hides dotfiles and escaping links', async (t) => {
  const { root } = await makeRootBesideSecret(t);
  const server = await serve(t, { root });
  const reply = await get(server.port, '/docs/', { accept: 'text/html' });
  assert.equal(reply.status, 200, 'a folder without index.html is listed');
  await rm(join(root, 'index.html'));
  const listing = await get(server.port, '/', { accept: 'text/html' });
  assert.equal(listing.status, 200);
  for (const shown of ['inside-link.txt', 'inside-dir-link', 'real.txt', '.well-known']) {
    assert.ok(listing.text.includes(shown), `${shown} is missing from the listing`);
  }
  for (const hidden of ['escape-', '.env', '.git', '.hidden-dir', 'env-link.txt', 'public-name', SECRET]) {
    assert.ok(!listing.text.includes(hidden), `${hidden} is in the listing`);
  }
});

const OPEN_REDIRECTS = [
  '//evil.example',
  '//evil.example/',
  '///evil.example',
  '////evil.example/x',
  '/\\evil.example',
  '/\\/evil.example',
  '/%2F%2Fevil.example',
  '/%2f/evil.example',
  '/%5Cevil.example',
  '/%5C%5Cevil.example',
  '/%5C%5Cevil.example/',
  '/\\\\evil.example',
  '/%5C/evil.example',
  '/sub/..%2F%5Cevil.example',
  '/.//evil.example',
  '/sub/..//evil.example',
  '//evil.example/%2e%2e',
  '//evil.example?x=//evil.example',
  'http://localhost//evil.example',
];

for (const target of OPEN_REDIRECTS) {
  test(`GET ${target} never redirects to another host`, async () => {
    const { status, reply } = await rawGet(port, target);
    const location = /\r\nLocation: ([^\r]*)/i.exec(reply)?.[1];
    if (location === undefined) {
      // 200: a local folder of that name (such as \evil.example on POSIX), listed in place.
      assert.ok([200, 400, 404].includes(status), `got ${status} without a Location`);
      return;
    }
    assert.equal(status, 301);
    assert.match(location, /^\/(?![/\\])/, `Location ${location} could name another host`);
    assert.ok(!location.includes('\\'), `Location ${location} holds a raw backslash`);
    const resolved = new URL(location, `http://localhost:${port}/x/y`);
    assert.equal(resolved.host, `localhost:${port}`);
  });
}

test('GET //evil.example redirects to the local folder /evil.example, then to /evil.example/', async () => {
  const first = await rawGet(port, '//evil.example');
  assert.match(first.reply, /\r\nLocation: \/evil\.example\r\n/i);
  const second = await rawGet(port, '/evil.example');
  assert.equal(second.status, 301);
  assert.match(second.reply, /\r\nLocation: \/evil\.example\/\r\n/i);
});

test('on POSIX a folder named evil.example redirects to /%5Cevil.example/, which stays on this host', async () => {
  for (const target of ['/%5Cevil.example', '/\\evil.example', '/%5cevil.example']) {
    const { status, reply } = await rawGet(port, target);
    assert.equal(status, 301, target);
    assert.match(reply, /\r\nLocation: \/%5Cevil\.example\/\r\n/i, target);
  }
  const twice = await rawGet(port, '/%5C%5Cevil.example');
  assert.match(twice.reply, /\r\nLocation: \/%5C%5Cevil\.example\/\r\n/i);
  // What a browser makes of it: %5C is not a separator, so the host is still this one.
  assert.equal(new URL('/%5C%5Cevil.example/', `http://localhost:${port}/`).host, `localhost:${port}`);
  const listing = await rawGet(port, '/%5C%5Cevil.example/');
  assert.equal(listing.status, 200, 'the folder itself is listed');
});

test('on POSIX /..%5Cname is the name ..\name inside the root, never a file beside it', async (t) => {
  // A name starting with '.' is a dotfile: hidden by default, served with dotfiles on.
  assert.equal((await rawGet(port, '/..%5Cinside.txt')).status, 404);
  const { root } = await makeRootBesideSecret(t);
  const withDotfiles = (await serve(t, { root, dotfiles: true })).port;
  for (const target of ['/..%5Cinside.txt', '/..\\inside.txt']) {
    const inside = await get(withDotfiles, target);
    assert.equal(inside.status, 200, target);
    assert.equal(inside.text, 'a name starting with dot-dot backslash\n');
  }
  for (const target of [
    '/..%5Cwww-secret%5Csecret.txt',
    '/..\\www-secret\\secret.txt',
    '/..%5C..%5Cwww-secret%5Csecret.txt',
  ]) {
    const { status, reply } = await rawGet(withDotfiles, target);
    assert.equal(status, 404, target);
    assert.ok(!reply.includes(SECRET), `${target} leaked the secret`);
  }
});

test('a served path that is swapped for a link out of the root is refused on the very next request', async (t) => {
  const { base, root } = await makeRootBesideSecret(t);
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/real.txt')).text, 'real bytes\n'); // checked once, remembered
  await rm(join(root, 'real.txt'));
  await symlink(join(base, 'www-secret/secret.txt'), join(root, 'real.txt'));
  const reply = await get(port, '/real.txt');
  assert.equal(reply.status, 404);
  assert.doesNotMatch(reply.text, new RegExp(SECRET));
});

test('a served folder that is swapped for a link to a folder outside is refused on the very next request', async (t) => {
  const { root } = await makeRootBesideSecret(t);
  const twin = await makeTree(t, { 'page.txt': `${SECRET} twin\n` }); // same name, outside
  const { port } = await serve(t, { root });
  assert.equal((await get(port, '/docs/page.txt')).text, 'page bytes\n'); // checked once, remembered
  await rm(join(root, 'docs'), { recursive: true });
  await symlink(twin, join(root, 'docs'));
  for (const path of ['/docs/page.txt', '/docs/']) {
    const reply = await get(port, path);
    assert.equal(reply.status, 404, path);
    assert.doesNotMatch(reply.text, new RegExp(SECRET), path);
  }
});
