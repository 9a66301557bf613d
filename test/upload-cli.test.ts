// test/upload-cli.test.ts
// --upload and --max-upload on the real command line: usage errors, the log line of each
// upload, and Ctrl-C pressed twice mid-upload leaving no temporary file behind.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { runCli, startServing } from './cli-helpers.js';
import { makeTree } from './helpers.js';
import { send, snapshot, tempFileStarted } from './upload-helpers.js';

const usageErrors: readonly [args: string[], message: RegExp][] = [
  [['--upload', '--max-upload', 'lots'], /--max-upload: must be a size such as 500M or 2G, not "lots"/],
  [['--upload', '--max-upload', '0'], /--max-upload: must be a size/],
  [['--upload=replace'], /--upload: the only value is "overwrite", not "replace"/],
  [['--max-upload', '1G'], /--max-upload limits uploads; add --upload to accept them/],
];
for (const [args, message] of usageErrors) {
  test(`serve-here ${args.join(' ')} is a usage error: one line, exit 2`, async (t) => {
    const root = await makeTree(t, {});
    const { code, stderr } = await runCli([root, ...args]);
    assert.equal(code, 2);
    assert.match(stderr, message);
    assert.equal(stderr.trim().split('\n').length, 1);
  });
}

test('serve-here --upload logs each stored file with its size', async (t) => {
  const root = await makeTree(t, {});
  const { cli, port } = await startServing(t, [root, '--port', '0', '--upload']);
  assert.equal((await send(port, 'PUT', '/a%20b.txt', Buffer.alloc(1500))).status, 201);
  await cli.waitFor(/upload \/a%20b\.txt 1\.5 KB/);
  await cli.waitFor(/PUT \/a%20b\.txt 201/);
});

test('Ctrl-C twice mid-upload exits at once and leaves no temporary file', async (t) => {
  const root = await makeTree(t, { 'old.txt': 'old' });
  const before = await snapshot(root);
  const { cli, port } = await startServing(t, [root, '--port', '0', '--upload', '--quiet']);
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('PUT /partial.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n');
  socket.write(Buffer.alloc(200_000, 1));
  await tempFileStarted(root);
  cli.child.kill('SIGINT');
  await cli.waitFor(/stopping/);
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0);
  socket.destroy();
  assert.deepEqual(await snapshot(root), before);
});
