// test/auth-http.test.ts
// --auth over real HTTP: every kind of URL is refused without the right login (401 with the
// Basic challenge, a body that says nothing), the right login gets exactly what a server
// without --auth sends, malformed headers are 401s, and ten failures bring 429.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StartOptions } from '../src/serve/server.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';

const CHALLENGE = 'Basic realm="serve-here", charset="UTF-8"';
const RIGHT = `Basic ${Buffer.from('ann:secret').toString('base64')}`;
const WRONG = `Basic ${Buffer.from('ann:guess').toString('base64')}`;

const TREE = {
  'hello.txt': 'hello, world\n',
  'plans.html': '<p>the plans</p>',
  '.env': 'TOKEN=1\n',
  'sub/a.txt': 'a\n',
  '404.html': '<p>custom not found</p>',
};

async function guarded(t: Parameters<typeof serve>[0], options: Partial<StartOptions> = {}) {
  const root = await makeTree(t, TREE);
  const server = await serve(t, { root, auth: 'ann:secret', ...options });
  return { root, port: server.port };
}

/** Every kind of answer the pipeline gives, and its status once logged in. */
const URLS: { method: string; path: string; headers?: Record<string, string>; status: number }[] = [
  { method: 'GET', path: '/hello.txt', status: 200 },
  { method: 'GET', path: '/', status: 200 },
  { method: 'GET', path: '/', headers: { accept: 'application/json' }, status: 200 },
  { method: 'GET', path: '/?format=json', status: 200 },
  { method: 'GET', path: '/sub', status: 301 },
  { method: 'GET', path: '/plans', status: 200 },
  { method: 'GET', path: '/missing.txt', status: 404 },
  { method: 'GET', path: '/missing.txt', headers: { accept: 'text/html' }, status: 404 },
  { method: 'GET', path: '/.env', status: 404 },
  { method: 'GET', path: '/%2e%2e/etc/passwd', status: 400 },
  { method: 'GET', path: '/%ff', status: 400 },
  { method: 'GET', path: '/__serve-here/ca.crt', status: 404 },
  { method: 'GET', path: '/hello.txt', headers: { range: 'bytes=0-4' }, status: 206 },
  { method: 'HEAD', path: '/hello.txt', status: 200 },
  { method: 'HEAD', path: '/', status: 200 },
  { method: 'OPTIONS', path: '/', status: 204 },
  { method: 'OPTIONS', path: '*', status: 204 },
  { method: 'POST', path: '/hello.txt', status: 405 },
  { method: 'DELETE', path: '/hello.txt', status: 405 },
];

for (const u of URLS) {
  const label = `${u.method} ${u.path}${u.headers === undefined ? '' : ` ${JSON.stringify(u.headers)}`}`;

  test(`--auth: ${label} without a login is 401 with the Basic challenge and a body that says nothing`, async (t) => {
    const { port } = await guarded(t);
    const reply = await get(port, u.path, u.headers ?? {}, u.method);
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['www-authenticate'], CHALLENGE);
    assert.equal(reply.headers['cache-control'], 'no-store');
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(reply.text, u.method === 'HEAD' ? '' : '401 Unauthorized\n');
    assert.equal(reply.headers.location, undefined);
    assert.equal(reply.headers.allow, undefined);
  });

  test(`--auth: ${label} with the right login answers ${u.status}`, async (t) => {
    const { port } = await guarded(t);
    const reply = await get(port, u.path, { ...u.headers, authorization: RIGHT }, u.method);
    assert.equal(reply.status, u.status);
    assert.equal(reply.headers['www-authenticate'], undefined);
  });
}

test('--auth: a wrong password, a wrong user and a wrong case are each 401', async (t) => {
  const { port } = await guarded(t);
  for (const pair of ['ann:guess', 'bob:secret', 'Ann:secret', 'ann:Secret', 'ann:secret ', 'ann:', ':']) {
    const reply = await get(port, '/hello.txt', {
      authorization: `Basic ${Buffer.from(pair).toString('base64')}`,
    });
    assert.equal(reply.status, 401, pair);
    assert.equal(reply.headers['www-authenticate'], CHALLENGE);
    assert.doesNotMatch(reply.text, /hello/);
  }
});

const MALFORMED: string[] = [
  'Authorization: Basic',
  'Authorization: Basic ',
  'Authorization: Basic !!!!',
  'Authorization: Basic YW5u',
  'Authorization: Basic YW5uOnNlY3JldA',
  'Authorization: Bearer YW5uOnNlY3JldA==',
  'Authorization: YW5uOnNlY3JldA==',
  'Authorization: Basic\tYW5uOnNlY3JldA==',
  'Authorization: Basic YW5uOnNlY3JldA==,YW5u',
  `Authorization: Basic ${Buffer.from([0x61, 0x3a, 0xc3]).toString('base64')}`,
  `Authorization: Basic ${'QUFB'.repeat(2000)}`,
  'Authorization:',
  'Authorization: Basic \x80\xff',
];

for (const line of MALFORMED) {
  test(`--auth: ${JSON.stringify(line).slice(0, 70)} is 401, never a 5xx`, async (t) => {
    const { port } = await guarded(t);
    const reply = await rawRequest(
      port,
      Buffer.from(`GET /hello.txt HTTP/1.1\r\nHost: x\r\n${line}\r\nConnection: close\r\n\r\n`, 'latin1'),
    );
    assert.match(reply, /^HTTP\/1\.1 401 /);
    assert.match(reply, /\r\nWWW-Authenticate: Basic realm="serve-here", charset="UTF-8"\r\n/i);
    assert.doesNotMatch(reply, /hello, world/);
    // The server still answers the right login afterwards.
    assert.equal((await get(port, '/hello.txt', { authorization: RIGHT })).status, 200);
  });
}

test('--auth: the right login gets the same bytes and headers as a server without --auth', async (t) => {
  const { root, port } = await guarded(t);
  const open = await serve(t, { root });
  for (const path of ['/hello.txt', '/', '/missing.txt', '/sub']) {
    const withAuth = await get(port, path, { authorization: RIGHT, 'accept-encoding': 'identity' });
    const without = await get(open.port, path, { authorization: RIGHT, 'accept-encoding': 'identity' });
    assert.equal(withAuth.status, without.status, path);
    assert.deepEqual(withAuth.body, without.body, path);
    const { date: _a, ...a } = withAuth.headers;
    const { date: _b, ...b } = without.headers;
    assert.deepEqual(a, b, path);
  }
  assert.equal((await get(port, '/hello.txt', { authorization: RIGHT })).text, 'hello, world\n');
});

test('--auth: after a right login, other values are still checked in full', async (t) => {
  const { port } = await guarded(t);
  const lowerCase = `basic ${Buffer.from('ann:secret').toString('base64')}`;
  const sequence: [string, number][] = [
    [RIGHT, 200],
    [WRONG, 401],
    [`${RIGHT}x`, 401],
    [RIGHT.slice(0, -1), 401],
    [lowerCase, 200],
    [RIGHT, 200],
    [WRONG, 401],
  ];
  for (const [authorization, status] of sequence) {
    assert.equal((await get(port, '/hello.txt', { authorization })).status, status, authorization);
  }
});

test('--auth in the sha256 form accepts the password whose digest it holds', async (t) => {
  const digest = createHash('sha256').update('hunter2').digest('hex');
  const { port } = await guarded(t, { auth: `ann:sha256:${digest}` });
  const ok = `Basic ${Buffer.from('ann:hunter2').toString('base64')}`;
  const digestAsPassword = `Basic ${Buffer.from(`ann:${digest}`).toString('base64')}`;
  assert.equal((await get(port, '/hello.txt', { authorization: ok })).status, 200);
  assert.equal((await get(port, '/hello.txt', { authorization: digestAsPassword })).status, 401);
});

test('--auth accepts a UTF-8 user name and password (charset="UTF-8")', async (t) => {
  const { port } = await guarded(t, { auth: 'zoë:clé' });
  const utf8 = `Basic ${Buffer.from('zoë:clé', 'utf8').toString('base64')}`;
  const latin1 = `Basic ${Buffer.from('zoë:clé', 'latin1').toString('base64')}`;
  assert.equal((await get(port, '/hello.txt', { authorization: utf8 })).status, 200);
  assert.equal((await get(port, '/hello.txt', { authorization: latin1 })).status, 401);
});

test('--auth: after 10 failures an address gets 429 with Retry-After, even for the right login, logged once', async (t) => {
  const blocked: [string, number][] = [];
  const { port } = await guarded(t, {
    onAuthBlocked: (address, seconds) => blocked.push([address, seconds]),
  });
  for (let i = 1; i <= 10; i++) {
    assert.equal((await get(port, '/hello.txt', { authorization: WRONG })).status, 401, `failure ${i}`);
  }
  assert.deepEqual(blocked, [['127.0.0.1', 60]]);
  for (const authorization of [RIGHT, WRONG, undefined]) {
    const reply = await get(port, '/hello.txt', authorization === undefined ? {} : { authorization });
    assert.equal(reply.status, 429);
    const retryAfter = Number(reply.headers['retry-after']);
    assert.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After ${retryAfter}`,
    );
    assert.equal(reply.text, '429 Too Many Requests\n');
    assert.doesNotMatch(reply.text, /hello/);
  }
  assert.equal(blocked.length, 1, 'logged once');
});

test('--auth: requests without credentials do not count as failures', async (t) => {
  const { port } = await guarded(t);
  for (let i = 0; i < 15; i++) assert.equal((await get(port, '/hello.txt')).status, 401);
  assert.equal((await get(port, '/hello.txt', { authorization: RIGHT })).status, 200);
});

test('--auth: malformed headers count as failures', async (t) => {
  const { port } = await guarded(t);
  for (let i = 0; i < 10; i++)
    assert.equal((await get(port, '/', { authorization: 'Basic !!' })).status, 401);
  assert.equal((await get(port, '/', { authorization: RIGHT })).status, 429);
});

test('--auth: the request log sees the 401s, with the path and never the password', async (t) => {
  const logged: string[] = [];
  const { port } = await guarded(t, { onResponse: (entry) => logged.push(`${entry.status} ${entry.url}`) });
  await get(port, '/hello.txt', { authorization: WRONG });
  await get(port, '/hello.txt', { authorization: RIGHT });
  assert.deepEqual(logged, ['401 /hello.txt', '200 /hello.txt']);
});

test('--auth leaves the files on disk as they were', async (t) => {
  const { root, port } = await guarded(t);
  await get(port, '/hello.txt', { authorization: WRONG }, 'DELETE');
  await get(port, '/hello.txt', { authorization: RIGHT }, 'PUT');
  assert.equal(await readFile(join(root, 'hello.txt'), 'utf8'), 'hello, world\n');
});

test('without --auth, nothing asks for a login and an Authorization header changes nothing', async (t) => {
  const root = await makeTree(t, TREE);
  const { port } = await serve(t, { root });
  const reply = await get(port, '/hello.txt', { authorization: WRONG });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['www-authenticate'], undefined);
  assert.equal(reply.text, 'hello, world\n');
});

test('createHandler({ auth }) throws for a bad spec, without the password in the message', async () => {
  const { createHandler } = await import('../src/serve/create-handler.js');
  assert.throws(
    () => createHandler({ auth: 'ann:sha256:hunter2' }),
    (error: Error) => {
      assert.ok(error instanceof TypeError);
      assert.match(error.message, /64 hex digits/);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    },
  );
});
