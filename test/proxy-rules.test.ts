// test/proxy-rules.test.ts
// The proxy's pure decisions, as tables: which paths a source takes, which destinations are
// accepted, the path the app is asked for, and which header fields cross each way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestHeadersForApp, responseHeadersForClient } from '../src/proxy/headers.js';
import { createProxy } from '../src/proxy/index.js';
import { matchesSource, parseSource } from '../src/proxy/match.js';
import { parseProxyTarget, upstreamPath } from '../src/proxy/target.js';

const matches: { source: string; path: string; expected: boolean }[] = [
  { source: '/api/**', path: '/api', expected: true },
  { source: '/api/**', path: '/api/', expected: true },
  { source: '/api/**', path: '/api/users/7', expected: true },
  { source: '/api/**', path: '/apix', expected: false },
  { source: '/api/**', path: '/', expected: false },
  { source: '/api/**', path: '/v1/api/x', expected: false },
  { source: '/api/*', path: '/api/users', expected: true },
  { source: '/api/*', path: '/api', expected: false },
  { source: '/api/*', path: '/api/users/7', expected: false },
  { source: '/api', path: '/api', expected: true },
  { source: '/api', path: '/api/', expected: true },
  { source: '/api', path: '/api/x', expected: false },
  { source: '/api', path: '/API', expected: false },
  { source: '/data/*.json', path: '/data/a.json', expected: true },
  { source: '/data/*.json', path: '/data/a.jsonx', expected: false },
  { source: '/**/ws', path: '/ws', expected: true },
  { source: '/**/ws', path: '/a/b/ws', expected: true },
  { source: '/**', path: '/anything/at/all', expected: true },
  { source: '/caf\u00e9/**', path: '/caf\u00e9/x', expected: true },
  { source: '/a.b/*', path: '/axb/c', expected: false },
];

for (const { source, path, expected } of matches) {
  test(`source ${source} ${expected ? 'takes' : 'does not take'} ${path}`, () => {
    const parsed = parseSource(source);
    assert.equal(parsed.kind, 'pattern');
    if (parsed.kind !== 'pattern') return;
    const segments = path.split('/').filter((s) => s !== '');
    assert.equal(matchesSource(parsed.pattern, segments), expected);
  });
}

const badSources: { source: string; reason: string }[] = [
  { source: 'api/**', reason: 'must start with /' },
  { source: '/api?x=1', reason: 'must be a path, without ? or #' },
  { source: '/users/:id', reason: 'uses a :parameter; proxy sources take * and ** only' },
  { source: '/a/../b', reason: 'must not contain ..' },
  { source: '/a**', reason: 'takes ** only as a whole segment' },
];

for (const { source, reason } of badSources) {
  test(`parseSource() refuses ${source}`, () => {
    assert.deepEqual(parseSource(source), { kind: 'invalid', reason });
  });
}

const targets: { url: string; expected: object }[] = [
  {
    url: 'http://localhost:3000',
    expected: {
      protocol: 'http:',
      hostname: 'localhost',
      port: 3000,
      host: 'localhost:3000',
      basePath: '',
      label: 'http://localhost:3000',
    },
  },
  {
    url: 'https://127.0.0.1/v1/',
    expected: {
      protocol: 'https:',
      hostname: '127.0.0.1',
      port: 443,
      host: '127.0.0.1',
      basePath: '/v1',
      label: 'https://127.0.0.1/v1',
    },
  },
  {
    url: 'http://[::1]:8080',
    expected: {
      protocol: 'http:',
      hostname: '::1',
      port: 8080,
      host: '[::1]:8080',
      basePath: '',
      label: 'http://[::1]:8080',
    },
  },
  {
    url: 'HTTP://App.Local',
    expected: {
      protocol: 'http:',
      hostname: 'app.local',
      port: 80,
      host: 'app.local',
      basePath: '',
      label: 'http://app.local',
    },
  },
];

for (const { url, expected } of targets) {
  test(`parseProxyTarget(${url}) reads it`, () => {
    assert.deepEqual(parseProxyTarget(url), { kind: 'target', target: expected });
  });
}

const badTargets: { url: string; reason: string }[] = [
  { url: 'localhost:3000', reason: 'must start with http:// or https://' },
  { url: '3000', reason: 'is not a URL; write it as http://host:port' },
  { url: 'ftp://files.example', reason: 'must start with http:// or https://' },
  { url: 'http://user:pw@localhost:3000', reason: 'must not hold a user name or password' },
  { url: 'http://localhost:3000/?x=1', reason: 'must not have a query or fragment' },
  { url: 'http://localhost:3000/#top', reason: 'must not have a query or fragment' },
  { url: 'http://localhost:3000?', reason: 'must not have a query or fragment' },
  { url: 'file:///etc/passwd', reason: 'must start with http:// or https://' },
];

for (const { url, reason } of badTargets) {
  test(`parseProxyTarget(${url}) refuses it`, () => {
    assert.deepEqual(parseProxyTarget(url), { kind: 'invalid', reason });
  });
}

const paths: { destination: string; target: string; expected: string }[] = [
  { destination: 'http://app:3000', target: '/api/users?page=2', expected: '/api/users?page=2' },
  { destination: 'http://app:3000/v1', target: '/api/users?page=2', expected: '/v1/api/users?page=2' },
  { destination: 'http://app:3000/v1/', target: '/', expected: '/v1/' },
  { destination: 'http://app:3000', target: 'http://other.example/x?y', expected: '/x?y' },
  { destination: 'http://app:3000', target: '/a%2Fb/%2e%2e?q=%20', expected: '/a%2Fb/%2e%2e?q=%20' },
  { destination: 'http://app:3000', target: '/page#frag', expected: '/page' },
];

for (const { destination, target, expected } of paths) {
  test(`upstreamPath(${destination}, ${target}) is ${expected}`, () => {
    const parsed = parseProxyTarget(destination);
    assert.equal(parsed.kind, 'target');
    if (parsed.kind === 'target') assert.equal(upstreamPath(parsed.target, target), expected);
  });
}

const context = { host: 'app:3000', clientAddress: '127.0.0.1', proto: 'http', upgrade: false } as const;

test('requestHeadersForApp() drops hop-by-hop fields and those Connection names', () => {
  const raw = [
    'Host',
    'localhost:8000',
    'Connection',
    'keep-alive, X-Private',
    'X-Private',
    'secret',
    'Keep-Alive',
    'timeout=5',
    'Proxy-Authorization',
    'Basic Zm9vOmJhcg==',
    'Proxy-Connection',
    'keep-alive',
    'TE',
    'trailers',
    'Trailer',
    'X-Sum',
    'Upgrade',
    'h2c',
    'Expect',
    '100-continue',
    'Cookie',
    'a=1',
    'Cookie',
    'b=2',
    'Content-Length',
    '3',
  ];
  assert.deepEqual(requestHeadersForApp(raw, context), [
    'Host',
    'app:3000',
    'Cookie',
    'a=1',
    'Cookie',
    'b=2',
    'Content-Length',
    '3',
    'X-Forwarded-For',
    '127.0.0.1',
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Host',
    'localhost:8000',
  ]);
});

test('requestHeadersForApp() appends to X-Forwarded-For and replaces -Proto and -Host', () => {
  const raw = [
    'Host',
    'site.test',
    'X-Forwarded-For',
    '10.0.0.1',
    'X-Forwarded-For',
    '10.0.0.2, 10.0.0.3',
    'X-Forwarded-Proto',
    'https',
    'X-Forwarded-Host',
    'evil.example',
  ];
  assert.deepEqual(requestHeadersForApp(raw, { ...context, clientAddress: '::1' }), [
    'Host',
    'app:3000',
    'X-Forwarded-For',
    '10.0.0.1, 10.0.0.2, 10.0.0.3, ::1',
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Host',
    'site.test',
  ]);
});

test('requestHeadersForApp() sends a chunked body on chunked, and keeps Content-Length out of Connection', () => {
  const chunked = ['Host', 'h', 'Transfer-Encoding', 'chunked', 'Connection', 'close'];
  assert.deepEqual(requestHeadersForApp(chunked, { ...context, clientAddress: undefined }), [
    'Host',
    'app:3000',
    'Transfer-Encoding',
    'chunked',
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Host',
    'h',
  ]);
  const listed = ['Host', 'h', 'Connection', 'Content-Length', 'Content-Length', '4'];
  assert.deepEqual(requestHeadersForApp(listed, { ...context, clientAddress: undefined }).slice(0, 4), [
    'Host',
    'app:3000',
    'Content-Length',
    '4',
  ]);
});

test('requestHeadersForApp() keeps Connection: Upgrade and Upgrade for a WebSocket handshake', () => {
  const raw = ['Host', 'h', 'Connection', 'Upgrade', 'Upgrade', 'websocket', 'Sec-WebSocket-Key', 'k'];
  assert.deepEqual(requestHeadersForApp(raw, { ...context, upgrade: true }), [
    'Host',
    'app:3000',
    'Sec-WebSocket-Key',
    'k',
    'Connection',
    'Upgrade',
    'Upgrade',
    'websocket',
    'X-Forwarded-For',
    '127.0.0.1',
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Host',
    'h',
  ]);
});

test('responseHeadersForClient() drops hop-by-hop fields but keeps repeated ones and Location', () => {
  const raw = [
    'Location',
    'http://127.0.0.1:3000/next',
    'Connection',
    'keep-alive, X-Private',
    'X-Private',
    'secret',
    'Keep-Alive',
    'timeout=5',
    'Transfer-Encoding',
    'chunked',
    'Set-Cookie',
    'a=1',
    'Set-Cookie',
    'b=2',
  ];
  assert.deepEqual(responseHeadersForClient(raw, false), [
    'Location',
    'http://127.0.0.1:3000/next',
    'Set-Cookie',
    'a=1',
    'Set-Cookie',
    'b=2',
  ]);
  assert.deepEqual(responseHeadersForClient(['Connection', 'Upgrade', 'Upgrade', 'websocket'], true), [
    'Connection',
    'Upgrade',
    'Upgrade',
    'websocket',
  ]);
});

test('createProxy() is undefined for no option or no rules, and names a bad rule', () => {
  assert.equal(createProxy(undefined), undefined);
  assert.equal(createProxy([]), undefined);
  assert.throws(() => createProxy('localhost:3000'), {
    name: 'TypeError',
    message: 'proxy "localhost:3000" must start with http:// or https://',
  });
  assert.throws(
    () =>
      createProxy([
        { source: '/api/**', destination: 'http://a' },
        { source: 'x', destination: 'http://b' },
      ]),
    {
      name: 'TypeError',
      message: 'proxy[1].source "x" must start with /',
    },
  );
  assert.throws(() => createProxy([{ source: '/x', destination: 'http://u:p@b' }]), {
    message: 'proxy[0].destination "http://u:p@b" must not hold a user name or password',
  });
});
