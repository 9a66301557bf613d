// test/auth-cli.test.ts
// --auth and $SERVE_HERE_AUTH from the command line: which one wins, one-line usage errors
// that never show the password, and the log line when an address is blocked.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { runCli, startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

const login = (pair: string): { authorization: string } => ({
  authorization: `Basic ${Buffer.from(pair).toString('base64')}`,
});

test('serve-here --auth protects the files', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { port } = await startServing(t, [root, '-p', '0', '-q', '--auth', 'ann:secret']);
  assert.equal((await get(port, '/a.txt')).status, 401);
  assert.equal((await get(port, '/a.txt', login('ann:secret'))).text, 'A');
});

test('SERVE_HERE_AUTH does what --auth does, and --auth wins over it', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const env = { SERVE_HERE_AUTH: 'env:from-env' };
  const fromEnv = await startServing(t, [root, '-p', '0', '-q'], { env });
  assert.equal((await get(fromEnv.port, '/a.txt')).status, 401);
  assert.equal((await get(fromEnv.port, '/a.txt', login('env:from-env'))).text, 'A');
  const both = await startServing(t, [root, '-p', '0', '-q', '--auth', 'flag:from-flag'], { env });
  assert.equal((await get(both.port, '/a.txt', login('env:from-env'))).status, 401);
  assert.equal((await get(both.port, '/a.txt', login('flag:from-flag'))).status, 200);
});

test('an empty SERVE_HERE_AUTH is as if it were not set', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { port } = await startServing(t, [root, '-p', '0', '-q'], { env: { SERVE_HERE_AUTH: '' } });
  assert.equal((await get(port, '/a.txt')).status, 200);
});

const badSpecs: { args: string[]; env?: NodeJS.ProcessEnv; pattern: RegExp; secret: string }[] = [
  {
    args: ['--auth', 'hunter2'],
    pattern: /^serve-here: --auth: write it as user:password/,
    secret: 'hunter2',
  },
  {
    args: ['--auth', ':hunter2'],
    pattern: /^serve-here: --auth: the user name .* is empty/,
    secret: 'hunter2',
  },
  { args: ['--auth', 'ann:'], pattern: /^serve-here: --auth: the password .* is empty/, secret: 'ann:' },
  {
    args: ['--auth', 'ann:sha256:hunter2'],
    pattern: /^serve-here: --auth: after sha256:/,
    secret: 'hunter2',
  },
  {
    args: [],
    env: { SERVE_HERE_AUTH: 'hunter2' },
    pattern: /^serve-here: \$SERVE_HERE_AUTH: write it/,
    secret: 'hunter2',
  },
];

for (const c of badSpecs) {
  test(`serve-here ${c.args.join(' ')}${c.env ? ' with SERVE_HERE_AUTH set' : ''} is a usage error that hides the password`, async (t) => {
    const root = await makeTree(t, {});
    const { code, stdout, stderr } = await runCli([root, '-p', '0', ...c.args], c.env ? { env: c.env } : {});
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, c.pattern);
    assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    assert.equal(stderr.includes(c.secret), false, `stderr shows ${c.secret}: ${stderr}`);
  });
}

test('serve-here --auth logs a blocked address once, and never the password', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { cli, port } = await startServing(t, [root, '-p', '0', '--auth', 'ann:secret']);
  for (let i = 0; i < 10; i++) assert.equal((await get(port, '/a.txt', login('ann:hunter2'))).status, 401);
  for (let i = 0; i < 5; i++) assert.equal((await get(port, '/a.txt', login('ann:secret'))).status, 429);
  cli.child.kill('SIGTERM');
  await cli.exited;
  if (!cli.child.stderr?.readableEnded) await once(cli.child.stderr as NodeJS.ReadableStream, 'end');
  const lines = cli
    .stderr()
    .split('\n')
    .filter((line) => line.includes('failed logins'));
  assert.deepEqual(lines, ['serve-here: too many failed logins from 127.0.0.1; it gets 429 for 60 s']);
  assert.doesNotMatch(cli.stderr() + cli.stdout(), /secret|hunter2/);
  assert.match(cli.stdout(), / 401 /);
  assert.match(cli.stdout(), / 429 /);
});
