// test/share.test.ts
// Sharing's decisions and scan, without a server: which hosts are on the network, which roots
// and names are risky, what the warnings say, the bounded scan on real folders, the QR code.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderUnicodeCompact } from 'uqr';
import {
  type ExposureSettings,
  type ExposureWarning,
  flagWarnings,
  formatExposureWarning,
  isNetworkHost,
  rootRisk,
  secretKind,
} from '../src/share/exposure.js';
import { exposureWarnings } from '../src/share/index.js';
import { lanUrl, renderQr } from '../src/share/qr.js';
import { findSecrets } from '../src/share/scan.js';
import { makeTree } from './helpers.js';

const hosts: [string | undefined, boolean][] = [
  [undefined, false],
  ['localhost', false],
  ['LOCALHOST', false],
  ['app.localhost', false],
  ['127.0.0.1', false],
  ['127.1.2.3', false],
  ['::1', false],
  ['[::1]', false],
  ['::ffff:127.0.0.1', false],
  ['::', true],
  ['0.0.0.0', true],
  ['192.168.1.5', true],
  ['10.0.0.1', true],
  ['fd00::2', true],
  ['::ffff:192.168.1.5', true],
  ['my-laptop.local', true],
  ['128.0.0.1', true],
];
for (const [host, network] of hosts) {
  test(`isNetworkHost(${JSON.stringify(host)}) is ${network}`, () => {
    assert.equal(isNetworkHost(host), network);
  });
}

const roots: [string, string, ReturnType<typeof rootRisk>][] = [
  ['/', '/home/ann', 'filesystem'],
  ['/', '', 'filesystem'],
  ['/home/ann', '/home/ann', 'home'],
  ['/home', '/home/ann', 'contains-home'],
  ['/home/ann/site', '/home/ann', undefined],
  ['/home/annex', '/home/ann', undefined],
  ['/home/an', '/home/ann', undefined],
  ['/srv/www', '/home/ann', undefined],
  ['/srv/www', '', undefined],
];
for (const [root, home, risk] of roots) {
  test(`rootRisk(${root}, home ${JSON.stringify(home)}) is ${risk}`, () => {
    assert.equal(rootRisk(root, home), risk);
  });
}

const names: [string, string | undefined][] = [
  ['id_rsa', 'an SSH private key'],
  ['id_ed25519', 'an SSH private key'],
  ['ID_ECDSA', 'an SSH private key'],
  ['id_rsa.pub', undefined],
  ['server.pem', 'a private key'],
  ['tls.KEY', 'a private key'],
  ['.env', 'environment secrets'],
  ['.env.local', 'environment secrets'],
  ['.git', 'a Git repository (its whole history and config)'],
  ['.ssh', 'SSH keys'],
  ['.aws', 'AWS credentials'],
  ['.npmrc', 'an npm token'],
  ['.netrc', 'passwords for other hosts'],
  ['env', undefined],
  ['keys.txt', undefined],
  ['monkey', undefined],
  ['index.html', undefined],
  ['.gitignore', undefined],
  ['.environment', undefined],
];
for (const [name, kind] of names) {
  test(`secretKind(${JSON.stringify(name)}) is ${JSON.stringify(kind)}`, () => {
    assert.equal(secretKind(name), kind);
  });
}

const settings: ExposureSettings = {
  root: '/srv/site',
  host: '::',
  dotfiles: false,
  followSymlinks: false,
  auth: false,
  tls: false,
  upload: false,
};

const flagCases: [Partial<ExposureSettings>, ExposureWarning['kind'][]][] = [
  [{}, []],
  [{ auth: true }, ['auth-in-clear']],
  [{ auth: true, tls: true }, []],
  [{ upload: true }, ['upload-without-auth']],
  [{ upload: true, auth: true }, ['auth-in-clear']],
  [{ upload: true, auth: true, tls: true }, []],
];
for (const [changes, kinds] of flagCases) {
  test(`flagWarnings(${JSON.stringify(changes)}) is ${JSON.stringify(kinds)}`, () => {
    assert.deepEqual(
      flagWarnings({ ...settings, ...changes }).map((w) => w.kind),
      kinds,
    );
  });
}

const lines: [ExposureWarning, RegExp[]][] = [
  [{ kind: 'root', risk: 'home', path: '/home/ann' }, [/your home folder \/home\/ann/, /--host/]],
  [{ kind: 'root', risk: 'filesystem', path: '/' }, [/whole file system \(\/\)/, /--host/]],
  [
    { kind: 'root', risk: 'contains-home', path: '/home' },
    [/\/home, which contains your home folder/, /--host/],
  ],
  [
    { kind: 'secret', path: './id_rsa', what: 'an SSH private key', dotfile: false },
    [/\.\/id_rsa/, /--host/],
  ],
  [
    { kind: 'secret', path: './.env', what: 'environment secrets', dotfile: true },
    [/\.\/\.env/, /--dotfiles/],
  ],
  [{ kind: 'more-secrets', count: 3 }, [/3 more names/]],
  [{ kind: 'auth-in-clear' }, [/--auth over plain HTTP/, /in clear/, /--https/]],
  [{ kind: 'upload-without-auth' }, [/--upload/, /without --auth/, /add --auth/]],
];
for (const [warning, patterns] of lines) {
  test(`formatExposureWarning(${warning.kind}${'path' in warning ? ` ${warning.path}` : ''}) names the path and the flag`, () => {
    const line = formatExposureWarning(warning);
    assert.equal(line.includes('\n'), false);
    for (const pattern of patterns) assert.match(line, pattern);
  });
}

const FIXTURE = {
  'index.html': '<p>hi</p>',
  id_rsa: 'key',
  'cert.pem': 'pem',
  'notes.txt': 'notes',
  '.env': 'TOKEN=1',
  '.git/config': '[core]',
  '.hidden/id_rsa': 'key',
  '.well-known/site.key': 'key',
  'sub/server.key': 'key',
  'sub/.npmrc': '//registry/:_authToken=x',
  'sub/deeper/id_ed25519': 'third level: not scanned',
};

async function fixture(t: Parameters<typeof makeTree>[0]): Promise<string> {
  const outside = await makeTree(t, { 'stolen.pem': 'key', 'keys/id_rsa': 'key' });
  return makeTree(t, {
    ...FIXTURE,
    'linked.pem': { symlink: join(outside, 'stolen.pem') },
    'linked-keys': { symlink: join(outside, 'keys') },
    'inside-link.pem': { symlink: 'cert.pem' },
  });
}

const scans: [string, { dotfiles: boolean; followSymlinks: boolean }, string[]][] = [
  [
    'served names only',
    { dotfiles: false, followSymlinks: false },
    ['.well-known/site.key', 'cert.pem', 'id_rsa', 'inside-link.pem', 'sub/server.key'],
  ],
  [
    'dotfiles too with --dotfiles',
    { dotfiles: true, followSymlinks: false },
    [
      '.env',
      '.git',
      '.hidden/id_rsa',
      '.well-known/site.key',
      'cert.pem',
      'id_rsa',
      'inside-link.pem',
      'sub/.npmrc',
      'sub/server.key',
    ],
  ],
  [
    'links out of the folder with --follow-symlinks',
    { dotfiles: false, followSymlinks: true },
    [
      '.well-known/site.key',
      'cert.pem',
      'id_rsa',
      'inside-link.pem',
      'linked-keys/id_rsa',
      'linked.pem',
      'sub/server.key',
    ],
  ],
];
for (const [label, policy, expected] of scans) {
  test(`findSecrets() finds ${label}, within two levels`, async (t) => {
    const root = await fixture(t);
    const found = await findSecrets(root, policy);
    assert.deepEqual(found.map((f) => f.path).sort(), expected);
    const env = found.find((f) => f.path === '.env');
    if (env !== undefined) assert.equal(env.dotfile, true);
  });
}

test('findSecrets() stops after its budget of entries', async (t) => {
  const root = await makeTree(t, {});
  for (let i = 0; i < 30; i++) {
    await mkdir(join(root, `d${i}`));
    await writeFile(join(root, `d${i}`, 'a.pem'), 'key');
  }
  assert.equal((await findSecrets(root, { dotfiles: false, followSymlinks: false })).length, 30);
  // 20 entries are spent on the first level: the second is never read.
  assert.deepEqual(await findSecrets(root, { dotfiles: false, followSymlinks: false }, 20), []);
  const some = await findSecrets(root, { dotfiles: false, followSymlinks: false }, 40);
  assert.equal(some.length, 10);
});

test('findSecrets() of a folder that cannot be read finds nothing and does not throw', async (t) => {
  const root = await makeTree(t, {});
  assert.deepEqual(await findSecrets(join(root, 'missing'), { dotfiles: false, followSymlinks: false }), []);
});

test('exposureWarnings() says nothing on loopback, whatever the folder holds', async (t) => {
  const root = await fixture(t);
  for (const host of [undefined, 'localhost', '127.0.0.1', '::1']) {
    assert.deepEqual(await exposureWarnings({ ...settings, root, host, auth: true }, './site', root), []);
  }
});

test('exposureWarnings() says nothing for a clean folder on the network', async (t) => {
  const root = await makeTree(t, { 'index.html': 'hi', 'app.js': '', 'img/logo.png': '' });
  assert.deepEqual(await exposureWarnings({ ...settings, root }, './site', '/home/nobody-here'), []);
});

test('exposureWarnings() names each secret under the folder as the user typed it', async (t) => {
  const root = await fixture(t);
  const warnings = await exposureWarnings({ ...settings, root }, './site', '/home/nobody-here');
  assert.equal(warnings.length, 5);
  assert.ok(warnings.some((w) => w.startsWith('./site/id_rsa looks like an SSH private key')));
  assert.ok(warnings.some((w) => w.startsWith('./site/sub/server.key looks like a private key')));
});

test('exposureWarnings() warns about the home folder and its ancestors', async (t) => {
  const root = await makeTree(t, { 'ann/notes.txt': 'x' });
  const [home] = await exposureWarnings({ ...settings, root: join(root, 'ann') }, '.', join(root, 'ann'));
  assert.match(home ?? '', /^serving your home folder .*\/ann on the network/);
  const [parent] = await exposureWarnings({ ...settings, root }, '..', join(root, 'ann'));
  assert.match(parent ?? '', /which contains your home folder/);
});

test('exposureWarnings() lists eight secrets, then counts the rest', async (t) => {
  const spec: Record<string, string> = {};
  for (let i = 0; i < 12; i++) spec[`k${i}.pem`] = 'key';
  const root = await makeTree(t, spec);
  const warnings = await exposureWarnings({ ...settings, root }, '.', '');
  assert.equal(warnings.length, 9);
  assert.equal(warnings[8], '…and 4 more names that look like secrets');
});

const urls: [string, string[], string | undefined][] = [
  ['http://localhost:8000/', ['192.168.1.5'], 'http://192.168.1.5:8000/'],
  ['http://localhost:8000/', ['fd00::2', '192.168.1.5', '10.0.0.2'], 'http://192.168.1.5:8000/'],
  ['http://localhost:8000/', ['fd00::2'], 'http://[fd00::2]:8000/'],
  ['https://localhost:8443/', ['10.0.0.2'], 'https://10.0.0.2:8443/'],
  ['http://localhost:8000/', [], undefined],
];
for (const [url, addresses, expected] of urls) {
  test(`lanUrl(${url}, ${JSON.stringify(addresses)}) is ${expected}`, () => {
    assert.equal(lanUrl(url, addresses), expected);
  });
}

test('renderQr() draws the QR code of the text in half blocks, indented', () => {
  const art = renderQr('http://192.168.1.5:8000/');
  const rows = art.split('\n');
  assert.equal(
    art,
    renderUnicodeCompact('http://192.168.1.5:8000/', { ecc: 'L', border: 2 }).replace(/^/gm, '  '),
  );
  // A version-2 code (25 modules) and a 2-module quiet zone: 29 columns, 15 lines.
  assert.equal(rows.length, 15);
  for (const row of rows) {
    assert.match(row, /^ {2}[█▀▄ ]{29}$/);
  }
  assert.notEqual(renderQr('http://192.168.1.6:8000/'), art, 'another URL gives another code');
});
