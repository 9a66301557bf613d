// test/tls-decisions.test.ts
// The pure decisions behind HTTPS, as tables: the config folder per platform, the trust
// command per OS, the names a leaf must cover, and the answer to plain HTTP on the TLS port.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBanner } from '../src/serve/log.js';
import { configFolder } from '../src/tls/config-folder.js';
import { covers, isNearExpiry, namesFor, parseSubjectAltName, union } from '../src/tls/leaf-names.js';
import { answerPlainHttp, isTlsClientHello } from '../src/tls/plain-http.js';
import { trustCommand } from '../src/tls/trust.js';

const folders: [NodeJS.Platform, NodeJS.ProcessEnv, string][] = [
  ['linux', {}, '/home/ann/.config/serve-here'],
  ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/serve-here'],
  ['linux', { XDG_CONFIG_HOME: 'relative' }, '/home/ann/.config/serve-here'],
  ['linux', { SERVE_HERE_CONFIG_DIR: '/tmp/x', XDG_CONFIG_HOME: '/xdg' }, '/tmp/x'],
  ['freebsd', {}, '/home/ann/.config/serve-here'],
  ['darwin', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann/Library/Application Support/serve-here'],
  ['win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann\\AppData\\Roaming\\serve-here'],
];
for (const [platform, env, expected] of folders) {
  test(`configFolder(${platform}, ${JSON.stringify(env)}) is ${expected}`, () => {
    const home = platform === 'win32' ? 'C:\\Users\\ann' : '/home/ann';
    assert.equal(configFolder(platform, env, home), expected);
  });
}

const commands: [NodeJS.Platform, string, string][] = [
  [
    'linux',
    '/home/ann/.config/serve-here/ca.crt',
    'sudo cp /home/ann/.config/serve-here/ca.crt /usr/local/share/ca-certificates/serve-here.crt && sudo update-ca-certificates',
  ],
  [
    'darwin',
    '/Users/ann/Library/Application Support/serve-here/ca.crt',
    "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain '/Users/ann/Library/Application Support/serve-here/ca.crt'",
  ],
  ['win32', 'C:\\Users\\ann\\ca.crt', 'certutil -addstore -f ROOT "C:\\Users\\ann\\ca.crt"'],
  [
    'linux',
    "/tmp/it's/ca.crt",
    "sudo cp '/tmp/it'\\''s/ca.crt' /usr/local/share/ca-certificates/serve-here.crt && sudo update-ca-certificates",
  ],
];
for (const [platform, path, expected] of commands) {
  test(`trustCommand(${platform}, ${path}) quotes the path for its shell`, () => {
    assert.equal(trustCommand(platform, path), expected);
  });
}

test('namesFor() on loopback covers localhost, both loopback addresses and the host name', () => {
  assert.deepEqual(namesFor(undefined, 'Laptop', ['192.168.1.5']), {
    dns: ['localhost', 'laptop', 'laptop.local'],
    ips: ['127.0.0.1', '::1'],
  });
});

test('namesFor() on every interface adds each LAN address; on one address, that address', () => {
  assert.deepEqual(namesFor('::', 'pc.lan', ['192.168.1.5', 'fd00::5']).ips, [
    '127.0.0.1',
    '::1',
    '192.168.1.5',
    'fd00::5',
  ]);
  assert.deepEqual(namesFor('10.0.0.2', 'pc', []).ips, ['127.0.0.1', '::1', '10.0.0.2']);
  assert.deepEqual(namesFor('box.example', 'pc', []).dns, ['localhost', 'pc', 'pc.local', 'box.example']);
});

test('namesFor() leaves out a host name that is not a DNS name', () => {
  assert.deepEqual(namesFor(undefined, 'my_pc!', []).dns, ['localhost']);
});

test('parseSubjectAltName() reads node:crypto’s subjectAltName, IPv6 in full', () => {
  const names = parseSubjectAltName(
    'DNS:localhost, DNS:pc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  );
  assert.deepEqual(names, { dns: ['localhost', 'pc'], ips: ['127.0.0.1', '0:0:0:0:0:0:0:1'] });
  assert.deepEqual(parseSubjectAltName(undefined), { dns: [], ips: [] });
});

test('covers() compares IPv6 spellings and is false for a missing name', () => {
  const has = { dns: ['localhost'], ips: ['127.0.0.1', '0:0:0:0:0:0:0:1', 'FD00:0:0:0:0:0:0:5'] };
  assert.equal(covers(has, { dns: ['LOCALHOST'], ips: ['::1', 'fd00::5'] }), true);
  assert.equal(covers(has, { dns: ['localhost'], ips: ['192.168.1.5'] }), false);
  assert.equal(covers(has, { dns: ['pc'], ips: [] }), false);
});

test('union() keeps every name once', () => {
  assert.deepEqual(
    union({ dns: ['a'], ips: ['::1'] }, { dns: ['a', 'b'], ips: ['0:0:0:0:0:0:0:1', '10.0.0.1'] }),
    {
      dns: ['a', 'b'],
      ips: ['0:0:0:0:0:0:0:1', '10.0.0.1'],
    },
  );
});

test('isNearExpiry() is true within 30 days of the end', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(isNearExpiry(new Date('2026-01-20T00:00:00Z'), now), true);
  assert.equal(isNearExpiry(new Date('2026-03-01T00:00:00Z'), now), false);
});

test('isTlsClientHello() is true for a handshake record only', () => {
  assert.equal(isTlsClientHello(0x16), true);
  assert.equal(isTlsClientHello('G'.charCodeAt(0)), false);
});

const plain: [string, string, RegExp][] = [
  [
    'a GET with Host',
    'GET /a/b.txt?x=1 HTTP/1.1\r\nHost: localhost:8443',
    /^HTTP\/1\.1 301 .*\r\nLocation: https:\/\/localhost:8443\/a\/b\.txt\?x=1\r\n/s,
  ],
  ['an IPv6 Host', 'HEAD / HTTP/1.0\r\nhost: [::1]:8443', /\r\nLocation: https:\/\/\[::1\]:8443\/\r\n/],
  ['no Host', 'GET / HTTP/1.1\r\nAccept: */*', /^HTTP\/1\.1 400 /],
  ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b', /^HTTP\/1\.1 400 /],
  ['a Host that would split the reply', 'GET / HTTP/1.1\r\nHost: a b', /^HTTP\/1\.1 400 /],
  ['a Host with a path', 'GET / HTTP/1.1\r\nHost: evil.example/x', /^HTTP\/1\.1 400 /],
  ['an absolute-form target', 'GET http://evil.example/ HTTP/1.1\r\nHost: a', /^HTTP\/1\.1 400 /],
  ['garbage', '\x00\x01\x02', /^HTTP\/1\.1 400 /],
  ['nothing (a head over the limit)', '', /^HTTP\/1\.1 400 /],
];
for (const [name, head, expected] of plain) {
  test(`answerPlainHttp() answers ${name}`, () => {
    const reply = answerPlainHttp(head);
    assert.match(reply, expected);
    assert.match(reply, /\r\nConnection: close\r\n/);
    const [, body = ''] = reply.split('\r\n\r\n');
    assert.match(reply, new RegExp(`\\r\\nContent-Length: ${Buffer.byteLength(body)}\\r\\n`));
  });
}

test('formatBanner() with a local CA adds its fingerprint, the ca.crt URL and the trust command', () => {
  const info = {
    version: '1.2.3',
    folder: '.',
    url: 'https://localhost:8443/',
    port: 8443,
    host: undefined,
    localCa: {
      fingerprint: 'AB:CD',
      url: 'https://localhost:8443/__serve-here/ca.crt',
      trustCommand: 'trust ca.crt',
    },
  };
  assert.equal(
    formatBanner(info, false),
    'serving . at https://localhost:8443/\nlocal CA SHA-256 AB:CD\n' +
      'trust it: on a phone open https://localhost:8443/__serve-here/ca.crt, here run:\n  trust ca.crt\n',
  );
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour sequences removed here
  const text = formatBanner(info, true).replace(/\u001b\[[0-9;]*m/g, '');
  assert.match(text, /Local: {4}https:\/\/localhost:8443\//);
  assert.match(text, /\n {2}local CA SHA-256 AB:CD\n {2}trust it: .*ca\.crt.*\n {4}trust ca\.crt\n/);
});
