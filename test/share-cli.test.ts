// test/share-cli.test.ts
// Sharing from the command line: the QR code under the banner in a real pseudo-terminal (none
// when piped or with --no-qr), and the warnings before exposing a folder, each on a fixture,
// silent on a clean folder and on loopback. The servers listen on every interface only for
// the moment it takes to read their start-up output; no traffic goes anywhere but loopback.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { lanAddresses } from '../src/serve/log.js';
import { renderQr } from '../src/share/qr.js';
import { BIN, type Cli, startCli } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;
const FIRST_LAN = lanAddresses().find((a) => !a.includes(':')) ?? lanAddresses()[0];
const QR_BLOCKS = /[█▀▄]{5}/;

/** Runs serve-here inside `script`, which gives it a pseudo-terminal as stdout. */
function startInTerminal(t: { after(fn: () => unknown): void }, args: readonly string[]) {
  const quote = (word: string): string => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  t.after(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    // A terminal ends lines with CR LF.
    out += chunk.replaceAll('\r\n', '\n');
  });
  return {
    output: () => out,
    async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
      for (;;) {
        const match = pattern.exec(out);
        if (match !== null) return match;
        if (child.exitCode !== null) throw new Error(`exited before ${pattern}: ${out}`);
        await Promise.race([once(child.stdout, 'data'), once(child, 'exit')]);
      }
    },
  };
}

test('serve-here --host in a terminal prints the QR code of the first LAN URL', {
  skip: !HAS_SCRIPT || FIRST_LAN === undefined,
}, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const terminal = startInTerminal(t, [root, '--host', '--port', '0', '-q']);
  const [, url, port] = (await terminal.waitFor(/scan to open (http:\/\/\S+:(\d+)\/)/)) as unknown as [
    string,
    string,
    string,
  ];
  const host = (FIRST_LAN as string).includes(':') ? `[${FIRST_LAN}]` : FIRST_LAN;
  assert.equal(url, `http://${host}:${port}/`);
  assert.ok(terminal.output().includes(`${renderQr(url)}\n`), terminal.output());
  // The QR comes after the Network lines of the banner.
  assert.ok(terminal.output().indexOf('Network:') < terminal.output().indexOf(renderQr(url)));
  assert.equal((await get(Number(port), '/a.txt')).text, 'A');
});

test('serve-here --host --no-qr in a terminal prints no QR code', { skip: !HAS_SCRIPT }, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const terminal = startInTerminal(t, [root, '--host', '--port', '0', '--no-qr']);
  const [, port] = (await terminal.waitFor(/Local:\s+http:\/\/localhost:(\d+)\//)) as unknown as [
    string,
    string,
  ];
  // The request's log line comes after everything printed at start-up.
  await get(Number(port), '/a.txt');
  await terminal.waitFor(/GET \/a\.txt 200/);
  assert.doesNotMatch(terminal.output(), QR_BLOCKS);
  assert.doesNotMatch(terminal.output(), /scan to open/);
});

test('serve-here in a terminal on localhost prints no QR code', { skip: !HAS_SCRIPT }, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const terminal = startInTerminal(t, [root, '--port', '0']);
  const [, port] = (await terminal.waitFor(/Local:\s+http:\/\/localhost:(\d+)\//)) as unknown as [
    string,
    string,
  ];
  await get(Number(port), '/a.txt');
  await terminal.waitFor(/GET \/a\.txt 200/);
  assert.doesNotMatch(terminal.output(), QR_BLOCKS);
});

test('serve-here --host with stdout piped prints no QR code', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const cli = startCli([root, '--host', '--port', '0']);
  t.after(() => cli.child.kill('SIGKILL'));
  const [, port] = (await cli.waitFor(/http:\/\/localhost:(\d+)\//)) as unknown as [string, string];
  await get(Number(port), '/a.txt');
  await cli.waitFor(/GET \/a\.txt 200/);
  assert.doesNotMatch(cli.stdout(), QR_BLOCKS);
  assert.doesNotMatch(cli.stdout(), /scan to open/);
});

/**
 * Starts serve-here, waits for its banner, has it answer one request (by then it has printed
 * everything it prints at start-up and handles signals), stops it, and returns its stderr.
 */
async function startupWarnings(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const cli: Cli = startCli([...args, '--port', '0'], { env });
  try {
    const [, port] = (await cli.waitFor(/http:\/\/[^\s/]+:(\d+)\//)) as unknown as [string, string];
    await get(Number(port), '/ready');
    await cli.waitFor(/GET \/ready 40\d/);
  } finally {
    cli.child.kill('SIGTERM');
  }
  await cli.exited;
  if (!cli.child.stderr?.readableEnded) await once(cli.child.stderr as NodeJS.ReadableStream, 'end');
  return cli
    .stderr()
    .split('\n')
    .filter((line) => line !== '');
}

const SECRETS = {
  'index.html': 'hi',
  id_rsa: 'key',
  '.env': 'TOKEN=1',
  'sub/server.key': 'key',
};

test('serve-here --host warns about each served secret-looking file, naming it and --host', async (t) => {
  const root = await makeTree(t, SECRETS);
  const lines = await startupWarnings([root, '--host'], { HOME: '/nonexistent-home' });
  assert.deepEqual(lines.sort(), [
    `serve-here: warning: ${root}/id_rsa looks like an SSH private key and is served on the network; move it out of the folder, or leave out --host`,
    `serve-here: warning: ${root}/sub/server.key looks like a private key and is served on the network; move it out of the folder, or leave out --host`,
  ]);
});

test('serve-here --host --dotfiles also warns about .env, naming --dotfiles', async (t) => {
  const root = await makeTree(t, SECRETS);
  const lines = await startupWarnings([root, '--host', '--dotfiles'], { HOME: '/nonexistent-home' });
  assert.equal(lines.length, 3);
  assert.ok(
    lines.includes(
      `serve-here: warning: ${root}/.env looks like environment secrets and is served on the network because of --dotfiles; leave out --dotfiles (or --host)`,
    ),
    lines.join('\n'),
  );
});

test('serve-here --host --auth warns that the password crosses the network in clear', async (t) => {
  const root = await makeTree(t, { 'index.html': 'hi' });
  const lines = await startupWarnings([root, '--host', '--auth', 'ann:secret'], {
    HOME: '/nonexistent-home',
  });
  assert.deepEqual(lines, [
    'serve-here: warning: --auth over plain HTTP: the password crosses the network in clear; add --https',
  ]);
});

test('serve-here --host on the home folder warns about it', async (t) => {
  const root = await makeTree(t, { 'notes.txt': 'x' });
  const lines = await startupWarnings([root, '--host'], { HOME: root });
  assert.deepEqual(lines, [
    `serve-here: warning: serving your home folder ${root} on the network; serve a project folder instead, or leave out --host`,
  ]);
});

test('serve-here --host on a folder that contains the home folder warns about it', async (t) => {
  const root = await makeTree(t, { 'ann/notes.txt': 'x' });
  const lines = await startupWarnings([root, '--host'], { HOME: join(root, 'ann') });
  assert.deepEqual(lines, [
    `serve-here: warning: serving ${root}, which contains your home folder, on the network; serve a project folder instead, or leave out --host`,
  ]);
});

test('serve-here --host on a clean folder warns about nothing', async (t) => {
  const root = await makeTree(t, { 'index.html': 'hi', 'app.js': '', 'img/logo.png': '' });
  assert.deepEqual(await startupWarnings([root, '--host'], { HOME: '/nonexistent-home' }), []);
});

for (const args of [[], ['--host', '127.0.0.1']]) {
  test(`serve-here ${args.join(' ')} on loopback warns about nothing, even with secrets and --auth`, async (t) => {
    const root = await makeTree(t, SECRETS);
    const lines = await startupWarnings([root, ...args, '--dotfiles', '--auth', 'ann:secret'], {
      HOME: root,
    });
    assert.deepEqual(lines, []);
  });
}
