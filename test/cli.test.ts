// test/cli.test.ts
// The command line, end to end: spawns the real bin and checks flags, banners, exit codes,
// one-line errors, the request log, ports (numeric positional, busy, $PORT) and shutdown.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { BIN, type CliOptions, runCli, startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';
import { unprivileged } from './unprivileged.js';

const VERSION = (
  JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Holds a port on 127.0.0.1 for the rest of the test (resolves to undefined if it is taken). */
async function occupy(t: { after(fn: () => unknown): void }, port: number): Promise<Server | undefined> {
  const blocker = createServer();
  try {
    blocker.listen(port, '127.0.0.1');
    await once(blocker, 'listening');
  } catch {
    return undefined;
  }
  t.after(() => blocker.close());
  return blocker;
}

function assertOneLine(text: string): void {
  assert.equal(text.trimEnd().split('\n').length, 1, `expected one line, got: ${text}`);
  assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
}

test('serve-here --version prints the package version and exits 0', async () => {
  const { code, stdout } = await runCli(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), VERSION);
});

test('serve-here -v is the same as --version', async () => {
  const { code, stdout } = await runCli(['-v']);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), VERSION);
});

test('serve-here --help equals the usage block in the README', async () => {
  const { code, stdout } = await runCli(['--help']);
  assert.equal(code, 0);
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- usage:start -->\n```text\n([\s\S]*?)```\n<!-- usage:end -->/.exec(readme);
  assert.ok(block, 'README has a usage block between usage:start and usage:end');
  assert.equal(stdout, block[1]);
  assert.match(stdout, /Examples:/);
});

const usageErrors: { args: string[]; env?: NodeJS.ProcessEnv; pattern: RegExp }[] = [
  { args: ['--port', '65536'], pattern: /--port: must be a whole number from 0 to 65535/ },
  { args: ['--port', 'abc'], pattern: /--port: must be a whole number/ },
  { args: ['-p', '-1'], pattern: /--port: must be a whole number/ },
  { args: ['--port', '80.5'], pattern: /--port: must be a whole number/ },
  { args: ['70000'], pattern: /port must be a whole number/ },
  { args: [], env: { PORT: 'http' }, pattern: /\$PORT must be a whole number/ },
  { args: ['--bogus'], pattern: /unknown option '--bogus'/ },
  { args: ['--cache', 'soon'], pattern: /--cache: must be a whole number of seconds/ },
  { args: ['--header', 'no colon'], pattern: /--header: "no colon" is not a header/ },
  { args: ['--header', 'Bad Name: x'], pattern: /is not a header/ },
  { args: ['--header', 'Content-Length: 5'], pattern: /Content-Length can't be set with --header/ },
  { args: ['one', 'two'], pattern: /too many arguments/ },
  {
    args: ['--spa', '../outside.html'],
    pattern: /--spa: "\.\.\/outside\.html" must be a file inside the served folder/,
  },
  { args: ['--spa', '/etc/passwd'], pattern: /--spa: "\/etc\/passwd" must be a file inside/ },
  { args: ['--host='], pattern: /--host: give an address/ },
  // What the user typed is quoted with its control characters escaped: still one line.
  {
    args: ['--header', 'X-A: a\r\nX-Injected: yes'],
    pattern: /--header: "X-A: a\\r\\nX-Injected: yes" is not a header/,
  },
  { args: ['--header', 'X-\u001b[2J: a'], pattern: /--header: "X-\\x1b\[2J: a" is not a header/ },
  { args: ['-p', '8\n0'], pattern: /--port: must be a whole number from 0 to 65535, not "8\\n0"/ },
  {
    args: ['--cache', '\u001b[31m1'],
    pattern: /--cache: must be a whole number of seconds, not "\\x1b\[31m1"/,
  },
  { args: ['--spa', '../x\ny.html'], pattern: /--spa: "\.\.\/x\\ny\.html" must be a file inside/ },
  { args: ['--x\u001b[2J'], pattern: /unknown option '--x\\x1b\[2J'/ },
  { args: ['--prot'], pattern: /unknown option '--prot' \(Did you mean --port\?\) \(see --help\)$/m },
  { args: [], env: { PORT: 'a\rb' }, pattern: /\$PORT must be a whole number from 0 to 65535, not "a\\rb"/ },
];
for (const { args, env, pattern } of usageErrors) {
  test(`serve-here ${args.join(' ')}${env ? ` with PORT=${env.PORT}` : ''} is a usage error: one line, exit 2`, async () => {
    const { code, stdout, stderr } = await runCli(args, env ? { env } : {});
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, pattern);
    assert.match(stderr, /^serve-here: /);
    assertOneLine(stderr);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: none may reach the terminal
    assert.doesNotMatch(stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f]/);
  });
}

test('serve-here --spa with a page not in the folder (yet) warns and serves', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { cli, port } = await startServing(t, ['-p', '0', '-q', '--spa', 'app.html'], { cwd: root });
  assert.equal(cli.stderr(), 'serve-here: warning: --spa page app.html is not in the folder (yet)\n');
  assert.equal((await get(port, '/a.txt')).text, 'A');
});

test('serve-here with a missing folder prints one line and exits 1', async (t) => {
  const base = await makeTree(t, {});
  const { code, stderr } = await runCli(['no-such-folder'], { cwd: base });
  assert.equal(code, 1);
  assert.equal(stderr, 'serve-here: folder not found: no-such-folder\n');
});

test('serve-here with a missing folder whose name holds control characters prints it escaped', async (t) => {
  const base = await makeTree(t, {});
  const { code, stderr } = await runCli(['no\u001b[31m\r\nfolder'], { cwd: base });
  assert.equal(code, 1);
  assert.equal(stderr, 'serve-here: folder not found: no\\x1b[31m\\r\\nfolder\n');
});

test('serve-here names a folder with a line break in its name on one banner line', async (t) => {
  const base = await makeTree(t, { 'we\nird/a.txt': 'A' });
  const { cli, port } = await startServing(t, ['we\nird', '-p', '0'], { cwd: base });
  assert.equal(cli.stdout(), `serving ./we\\nird at http://localhost:${port}/\n`);
});

test('serve-here with a file as the root prints one line and exits 1', async (t) => {
  const base = await makeTree(t, { 'notes.txt': 'x' });
  const { code, stderr } = await runCli(['notes.txt'], { cwd: base });
  assert.equal(code, 1);
  assert.match(stderr, /^serve-here: not a folder: notes\.txt/);
  assertOneLine(stderr);
});

test('serve-here -p PORT fails with one line when the port is taken', async (t) => {
  const blocker = await occupy(t, 0);
  assert.ok(blocker);
  const port = (blocker.address() as { port: number }).port;
  const { code, stderr } = await runCli(['--port', String(port)]);
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`port ${port} is already in use; choose another with --port`));
  assertOneLine(stderr);
});

test('PORT from the environment is used, and a taken $PORT is an error, not a silent switch', async (t) => {
  const blocker = await occupy(t, 0);
  assert.ok(blocker);
  const port = (blocker.address() as { port: number }).port;
  const { code, stderr } = await runCli([], { env: { PORT: String(port) } });
  assert.equal(code, 1);
  assert.match(stderr, new RegExp(`port ${port} is already in use`));
});

test('serve-here without a port moves on from a busy 8000 and says so', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  await occupy(t, 8000); // if something else holds 8000 already, that works just as well
  const { cli, port } = await startServing(t, ['--quiet'], { cwd: root });
  assert.ok(port > 8000 && port <= 8020, `port ${port}`);
  assert.match(cli.stdout(), new RegExp(`port 8000 is in use, using ${port}`));
  assert.equal((await get(port, '/a.txt')).text, 'A');
});

test('serve-here prints one plain line when stdout is not a terminal', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { cli, port } = await startServing(t, ['--port', '0'], { cwd: root });
  assert.equal(cli.stdout(), `serving . at http://localhost:${port}/\n`);
});

test('serve-here ROOT serves that folder and names it in the banner', async (t) => {
  const base = await makeTree(t, { 'site/index.html': '<h1>site</h1>' });
  const { cli, port } = await startServing(t, ['site', '-p', '0'], { cwd: base });
  assert.match(cli.stdout(), /^serving \.\/site at /);
  assert.equal((await get(port, '/')).text, '<h1>site</h1>');
});

test('serve-here 0 takes a bare number as the port when no such folder exists', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { cli, port } = await startServing(t, ['0'], { cwd: root });
  assert.notEqual(port, 0);
  assert.match(cli.stdout(), /^serving \. at /);
  assert.equal((await get(port, '/a.txt')).text, 'A');
});

test('serve-here 8123 serves the folder named 8123 when it exists', async (t) => {
  const base = await makeTree(t, { '8123/a.txt': 'in the folder' });
  const { cli, port } = await startServing(t, ['8123', '--port', '0'], { cwd: base });
  assert.match(cli.stdout(), /^serving \.\/8123 at /);
  assert.equal((await get(port, '/a.txt')).text, 'in the folder');
});

test('serve-here listens on both 127.0.0.1 and ::1 by default', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { port } = await startServing(t, ['-p', '0', '-q'], { cwd: root });
  assert.equal(await statusVia('127.0.0.1', port), 200);
  const v6 = await statusVia('::1', port).catch((error: NodeJS.ErrnoException) => error.code);
  // A machine without IPv6 has no ::1 to listen on; then only IPv4 is expected.
  if (v6 !== 'EADDRNOTAVAIL' && v6 !== 'EAFNOSUPPORT') assert.equal(v6, 200);
});

test('serve-here --host listens on every interface and still answers on localhost', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { port, cli } = await startServing(t, ['--host', '-p', '0', '-q'], { cwd: root });
  assert.equal(cli.stdout(), `serving . at http://localhost:${port}/\n`);
  assert.equal(await statusVia('127.0.0.1', port), 200);
});

test('serve-here --host ADDR listens on that address only', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { port, cli } = await startServing(t, ['--host', '127.0.0.1', '-p', '0', '-q'], { cwd: root });
  assert.equal(cli.stdout(), `serving . at http://127.0.0.1:${port}/\n`);
  assert.equal(await statusVia('127.0.0.1', port), 200);
  await assert.rejects(statusVia('::1', port));
});

test('serve-here --host with an address this machine lacks fails with one line', async () => {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real machine. Nothing is sent.
  const { code, stderr } = await runCli(['--host', '192.0.2.1', '-p', '0']);
  assert.equal(code, 1);
  assert.match(stderr, /cannot listen on 192\.0\.2\.1: this machine has no such address/);
  assertOneLine(stderr);
});

test('serve-here logs one line per request, escaping control characters', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'AAAA' });
  const { cli, port } = await startServing(t, ['-p', '0'], { cwd: root });
  await get(port, '/a.txt');
  const line = (await cli.waitFor(/^.*GET \/a\.txt.*$/m))[0];
  assert.match(line, /^\d\d:\d\d:\d\d GET \/a\.txt 200 4 B \d+\.\dms$/);
  await get(port, '/%0Afake%1B[31m');
  const forged = (await cli.waitFor(/^.*GET \/%0Afake.*$/m))[0];
  assert.match(forged, /^\d\d:\d\d:\d\d GET \/%0Afake%1B\[31m 404 /);
});

test('serve-here -q logs no requests', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const { cli, port } = await startServing(t, ['-p', '0', '-q'], { cwd: root });
  await get(port, '/a.txt');
  await get(port, '/missing');
  assert.equal(cli.stdout(), `serving . at http://localhost:${port}/\n`);
});

test('SIGINT lets an in-flight download finish, prints "stopped" and exits 0', async (t) => {
  const size = 8 * 1024 * 1024;
  const root = await makeTree(t, { 'big.bin': Buffer.alloc(size, 7) });
  const { cli, port } = await startServing(t, ['-p', '0', '-q'], { cwd: root });
  const req = request({ host: '127.0.0.1', port, path: '/big.bin' });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.pause(); // hold the download open while the signal arrives
  cli.child.kill('SIGINT');
  await cli.waitFor(/stopping/);
  let received = 0;
  res.resume();
  for await (const chunk of res) received += (chunk as Buffer).length;
  assert.equal(received, size);
  assert.equal(await cli.exited, 0);
  assert.match(cli.stdout(), /stopped\n$/);
});

test('a second SIGINT stops at once', async (t) => {
  const root = await makeTree(t, { 'big.bin': Buffer.alloc(8 * 1024 * 1024, 1) });
  const { cli, port } = await startServing(t, ['-p', '0', '-q'], { cwd: root });
  const req = request({ host: '127.0.0.1', port, path: '/big.bin' });
  req.on('error', () => {});
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  res.pause();
  res.on('error', () => {});
  cli.child.kill('SIGINT');
  await cli.waitFor(/stopping/);
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0);
  assert.match(cli.stdout(), /forced stop/);
  res.destroy();
});

test('on a terminal the banner shows the version, the folder, Local and a --host hint', {
  skip: spawnSync('script', ['--version']).status === 0 ? false : 'needs script(1) for a pseudo-terminal',
}, async (t) => {
  const root = await makeTree(t, {});
  const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} -p 0`, '/dev/null'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', TERM: 'dumb' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    out += chunk as string;
    if (/use --host to expose/.test(out)) break;
  }
  assert.match(out, new RegExp(`serve-here v${VERSION.replace(/\./g, '\\.')}\\s+serving \\.`));
  assert.match(out, /➜\s+Local:\s+http:\/\/localhost:\d+\//);
  assert.match(out, /➜\s+Network:\s+use --host to expose/);
});

/**
 * As root, the privilege tests run a readable copy of the CLI as `nobody`; as anyone else, the
 * CLI in place as themselves (test/unprivileged.ts).
 */
async function unprivilegedCli(t: TestContext): Promise<CliOptions | undefined> {
  const as = await unprivileged(t);
  if (as.kind === 'skip') {
    t.skip(as.reason);
    return undefined;
  }
  const bin = join(as.project, 'bin/serve-here.js');
  return as.kind === 'nobody' ? { bin, uid: as.uid, cwd: '/' } : { bin, cwd: '/' };
}
const lowPortsOpen =
  Number(
    (await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '1024')).trim(),
  ) <= 80;

test('serve-here -p 80 without the right to bind it says why in one line', {
  skip: lowPortsOpen ? 'this machine lets everyone bind low ports' : false,
}, async (t) => {
  const options = await unprivilegedCli(t);
  if (options === undefined) return;
  const { code, stderr } = await runCli(['-p', '80'], options);
  assert.equal(code, 1);
  assert.match(stderr, /not allowed to listen on port 80: ports below 1024 need administrator rights/);
  assertOneLine(stderr);
});

test('serve-here with a folder it cannot read prints one line and exits 1', async (t) => {
  const options = await unprivilegedCli(t);
  if (options === undefined) return;
  const base = await makeTree(t, { 'locked/secret.txt': 'x' });
  await chmod(base, 0o755);
  await chmod(join(base, 'locked'), 0o700);
  if (options.uid === undefined) await chmod(join(base, 'locked'), 0o000);
  const { code, stderr } = await runCli([join(base, 'locked'), '-p', '0'], options);
  // Back to a mode its owner can remove (as a normal user, the folder was made unreadable).
  await chmod(join(base, 'locked'), 0o700);
  assert.equal(code, 1);
  assert.match(stderr, /^serve-here: cannot read the folder .*locked: permission denied\n$/);
});

function statusVia(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/a.txt', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}
