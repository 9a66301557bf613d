// test/live-faults.test.ts
// Live reload when the OS refuses: the real CLI under `ulimit -n`, with every descriptor taken
// by stalled downloads, is asked to watch a new folder. It prints one warning that says what
// to do, goes on serving, and never crashes. Also: Ctrl-C with ten pages open exits cleanly.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { LINUX, settle, spawnServer } from './child-server.js';
import { startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

/** Asks for `path` and stops reading after the first bytes: the server keeps its socket and file open. */
async function stalledDownload(port: number, path: string): Promise<{ status: number; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  // A server out of descriptors accepts and drops connections: a reset is a refusal (status 0).
  const first = await once(socket, 'connect')
    .then(() => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      return Promise.race([
        once(socket, 'data').then(([chunk]) => chunk as Buffer),
        once(socket, 'close').then(() => undefined),
      ]);
    })
    .catch(() => undefined);
  socket.pause();
  const status =
    first === undefined ? 0 : Number(/^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'))?.[1] ?? 0);
  return { status, socket };
}

test('out of descriptors while watching: one warning line, service goes on, no crash', {
  skip: !LINUX,
  timeout: 60_000,
}, async (t) => {
  const root = await makeTree(t, {
    'index.html': '<body>hi</body>',
    'big.bin': Buffer.alloc(8 * 1024 * 1024),
  });
  const server = await spawnServer(t, root, 48, ['--watch', '--host', '127.0.0.1']);
  const { port } = server;
  const stderr = (): string => server.stderr();

  // Take every descriptor: each stalled download holds a socket and an open file.
  const held: Socket[] = [];
  t.after(() => {
    for (const socket of held) socket.destroy();
  });
  let full = false;
  for (let i = 0; i < 60 && !full; i++) {
    const download = await stalledDownload(port, '/big.bin');
    held.push(download.socket);
    full = download.status !== 200;
  }
  assert.ok(full, 'the descriptor limit was reached');
  // A new folder must be read to be watched; with no descriptor left, that fails.
  await mkdir(join(root, 'new-folder'));
  assert.ok(await settle(() => stderr().includes('live reload is off')), `stderr: ${stderr()}`);
  for (const socket of held) socket.destroy();

  // The server notices the freed descriptors in its own time; until then connections may fail.
  let page: Awaited<ReturnType<typeof get>> | undefined;
  for (let i = 0; i < 100 && page === undefined; i++) {
    page = await get(port, '/').catch(() => delay(100).then(() => undefined));
  }
  assert.equal(page?.status, 200);
  assert.match(page?.text ?? '', /live\.js/);
  assert.equal(server.process.exitCode, null);
  const warnings = stderr()
    .split('\n')
    .filter((line) => line.includes('live reload is off'));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0] ?? '',
    /^serve-here: warning: live reload is off: too many open files .*ulimit -n/,
  );
});

test('Ctrl-C with ten pages open: the streams end and the CLI exits 0', { timeout: 30_000 }, async (t) => {
  const root = await makeTree(t, { 'index.html': '<body>hi</body>' });
  const { cli, port } = await startServing(t, [
    root,
    '--watch',
    '--port',
    '0',
    '--quiet',
    '--host',
    '127.0.0.1',
  ]);
  const streams = await Promise.all(
    Array.from({ length: 10 }, async () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write('GET /__serve-here/events HTTP/1.1\r\nHost: x\r\n\r\n');
      await once(socket, 'data');
      return socket;
    }),
  );
  const ended = streams.map((socket) => once(socket, 'close'));
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0);
  await Promise.all(ended);
  assert.match(cli.stdout(), /stopped/);
});
