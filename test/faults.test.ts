// test/faults.test.ts
// Faults on the server's side of the wire: aborted downloads, files changing under a download,
// running out of file descriptors, folders and the root vanishing. Where descriptors or memory
// are counted, the server runs as a child process (the real CLI) and is read through /proc.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { appendFile, mkdir, rename, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { abortedDownload, inParallel, LINUX, settle, spawnServer } from './child-server.js';
import { get, makeTree, serve } from './helpers.js';

/** A file whose every 4-byte word is its own offset, so any misplaced byte shows. */
function patterned(size: number, salt = 0): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) buffer.writeUInt32LE((i + salt) >>> 0, i);
  return buffer;
}

test('1,000 downloads aborted mid-stream or before the answer leave no descriptor and no memory behind', {
  skip: !LINUX,
  timeout: 120_000,
}, async (t) => {
  const root = await makeTree(t, { 'big.bin': patterned(4 * 1024 * 1024), 'a.txt': 'alpha' });
  const server = await spawnServer(t, root);
  // Descriptors of an idle server, before any traffic; no request may leave one behind.
  const fdIdle = server.fdCount();
  const round = async (): Promise<void> => {
    await inParallel(250, 20, () => abortedDownload(server.port, '/big.bin'));
    // Hanging up while the server is still opening the file is the easy one to leak; bursts
    // of simultaneous requests keep the server busy inside that window.
    for (let burst = 0; burst < 5; burst++) {
      await Promise.all(Array.from({ length: 50 }, () => abortedDownload(server.port, '/big.bin', true)));
    }
  };
  // A first round grows the heap and the allocator's arenas to their working size; only
  // growth after that (a leak grows with every request) counts.
  await round();
  assert.ok(await settle(() => server.fdCount() <= fdIdle), `fds after the first round: ${server.fdCount()}`);
  const rssBefore = server.rssKiB();
  await round();
  await round();

  assert.ok(await settle(() => server.fdCount() <= fdIdle), `fds: ${fdIdle} → ${server.fdCount()}`);
  assert.doesNotMatch(
    server.stderr(),
    /Closing file descriptor/,
    'no descriptor was left to the garbage collector',
  );
  const grown = server.rssKiB() - rssBefore;
  // Generous, because RSS is noisy (V8 and malloc keep what they have grown into, and 20
  // downloads at once each hold up to 1 MiB of file data); leaking the buffers of 1,000
  // downloads would be several times this.
  assert.ok(grown < 160 * 1024, `RSS grew by ${grown} KiB`);
  assert.equal(server.process.exitCode, null);
  assert.equal((await get(server.port, '/a.txt')).text, 'alpha');
});

interface Download {
  readonly status: number;
  readonly length: number;
  readonly etag: string;
  readonly body: Buffer;
  /** True when the whole promised body arrived; false when the connection closed early. */
  readonly complete: boolean;
}

/** GETs `path`, calls `midway` after the first chunk (reading paused), then reads the rest. */
async function downloadWith(port: number, path: string, midway: () => Promise<void>): Promise<Download> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  req.on('error', () => {});
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  const [first] = (await once(res, 'data')) as [Buffer];
  chunks.push(first);
  res.pause();
  await midway();
  try {
    for await (const chunk of res) chunks.push(chunk as Buffer);
  } catch {
    // ECONNRESET / "aborted": the server cut the connection; that is an allowed outcome.
  }
  return {
    status: res.statusCode ?? 0,
    length: Number(res.headers['content-length']),
    etag: String(res.headers.etag),
    body: Buffer.concat(chunks),
    complete: res.complete,
  };
}

// Bigger than what the loopback socket buffers can hold, so the server is still reading the
// file from disk when it changes.
const LARGE = 32 * 1024 * 1024;

for (const { change, mutate, after } of [
  {
    change: 'deleted',
    mutate: (path: string) => unlink(path),
    after: null,
  },
  {
    change: 'truncated',
    mutate: (path: string) => truncate(path, 1000),
    after: patterned(LARGE).subarray(0, 1000),
  },
  {
    change: 'grown',
    mutate: (path: string) => appendFile(path, Buffer.alloc(4096, 7)),
    after: Buffer.concat([patterned(LARGE), Buffer.alloc(4096, 7)]),
  },
  {
    change: 'replaced',
    mutate: async (path: string) => {
      await writeFile(`${path}.new`, patterned(2048, 99));
      await rename(`${path}.new`, path);
    },
    after: patterned(2048, 99),
  },
]) {
  test(`a file ${change} during its download: the response ends cleanly or is cut, the next GET sees the change`, {
    timeout: 60_000,
  }, async (t) => {
    const original = patterned(LARGE);
    const root = await makeTree(t, { 'f.bin': original, 'other.txt': 'still here' });
    const { port } = await serve(t, { root });
    const path = join(root, 'f.bin');

    const got = await downloadWith(port, '/f.bin', () => mutate(path));
    assert.equal(got.status, 200);
    assert.equal(got.length, LARGE);
    if (got.complete) {
      assert.equal(got.body.length, LARGE);
      assert.ok(got.body.equals(original), 'a complete body is the original file');
    } else {
      assert.ok(got.body.length < LARGE);
      assert.ok(
        got.body.equals(original.subarray(0, got.body.length)),
        'a cut body is a prefix of the original',
      );
    }

    const next = await get(port, '/f.bin');
    if (after === null) {
      assert.equal(next.status, 404);
    } else {
      assert.equal(next.status, 200);
      assert.ok(next.body.equals(after), 'the next GET gets the new bytes');
      assert.notEqual(next.headers.etag, got.etag);
      assert.equal(Number(next.headers['content-length']), after.length);
    }
    assert.equal((await get(port, '/other.txt')).text, 'still here');
  });
}

/** Sends a GET with a partial header block, so the connection is accepted and waiting. */
async function openWaitingRequest(
  port: number,
  path: string,
): Promise<{ socket: Socket; finish: () => Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  // A first, complete request proves the server has accepted this connection.
  socket.write(`HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  await once(socket, 'data');
  chunks.length = 0;
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n`);
  return {
    socket,
    finish: async () => {
      socket.write('Connection: close\r\n\r\n');
      await once(socket, 'close');
      return Buffer.concat(chunks).toString('latin1');
    },
  };
}

/**
 * Starts a download on a raw keep-alive connection and stops reading after the first bytes;
 * the connection stays open whatever the status. Status 0 means the server dropped it unanswered.
 */
async function stalledDownload(port: number, path: string): Promise<{ status: number; socket: Socket }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const first = await Promise.race([
    // once() rejects on 'error': a reset (ECONNRESET) is a dropped connection too.
    once(socket, 'data').then(
      ([chunk]) => chunk as Buffer,
      () => undefined,
    ),
    once(socket, 'close').then(() => undefined),
  ]);
  socket.pause();
  const status =
    first === undefined ? 0 : Number(/^HTTP\/1\.1 (\d{3})/.exec(first.toString('latin1'))?.[1] ?? 0);
  return { status, socket };
}

test('running out of file descriptors gives 503 with Retry-After, never a crash, and service resumes', {
  skip: !LINUX,
  timeout: 60_000,
}, async (t) => {
  const root = await makeTree(t, { 'big.bin': patterned(LARGE), 'small.bin': Buffer.from('small file') });
  const server = await spawnServer(t, root, 40);
  const probe = await openWaitingRequest(server.port, '/small.bin');
  t.after(() => probe.socket.destroy());

  // Each stalled download holds a socket and an open file; keep adding them until the server
  // can no longer take one (it answers 503, or can't even accept the connection).
  const held: Awaited<ReturnType<typeof stalledDownload>>[] = [];
  let refused = false;
  for (let i = 0; i < 60 && !refused; i++) {
    const download = await stalledDownload(server.port, '/big.bin');
    held.push(download);
    refused = download.status !== 200;
  }
  assert.ok(refused, 'the descriptor limit was reached');
  assert.ok(
    held.some((d) => d.status === 200),
    'some downloads were served before the limit',
  );
  // 0: the server could not even accept the connection and closed it unanswered.
  for (const d of held) assert.ok([0, 200, 503].includes(d.status), `status ${d.status}`);

  // The probe's connection is already open; its file can't be: 503, not a cut connection.
  const reply = await probe.finish();
  assert.match(reply, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  assert.match(reply, /\r\nRetry-After: \d+\r\n/i);
  // With the table full, new connections can't even be accepted; that must not stop the server.
  for (let i = 0; i < 5; i++) held.push(await stalledDownload(server.port, '/big.bin'));
  assert.equal(server.process.exitCode, null);

  for (const d of held) d.socket.destroy();
  assert.ok(await settle(() => server.fdCount() < 30), `fds: ${server.fdCount()}`);
  const again = await get(server.port, '/small.bin');
  assert.equal(again.status, 200);
  assert.equal(again.text, 'small file');
  assert.equal(server.process.exitCode, null);
});

test('a folder removed and re-created while it is being listed gets 200 or 404, never 5xx', {
  timeout: 60_000,
}, async (t) => {
  const files = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`d/file-${i}.txt`, 'x']));
  const root = await makeTree(t, files);
  const { port } = await serve(t, { root });
  const statuses = new Set<number>();
  for (let round = 0; round < 60; round++) {
    const removal = (async () => {
      await rm(join(root, 'd'), { recursive: true, force: true });
      await mkdir(join(root, 'd'));
      await writeFile(join(root, 'd', 'back.txt'), 'x');
    })();
    const replies = await Promise.all([get(port, '/d/'), get(port, '/d/'), get(port, '/d/')]);
    await removal;
    for (const reply of replies) statuses.add(reply.status);
  }
  for (const status of statuses) assert.ok(status === 200 || status === 404, `status ${status}`);
});

test('a root folder deleted while serving gives 404s and a log line, and service resumes when it returns', {
  skip: !LINUX,
  timeout: 30_000,
}, async (t) => {
  const root = await makeTree(t, { 'site/a.txt': 'alpha' });
  const site = join(root, 'site');
  const server = await spawnServer(t, site);
  assert.equal((await get(server.port, '/a.txt')).text, 'alpha');

  await rm(site, { recursive: true });
  const gone = await get(server.port, '/a.txt');
  assert.equal(gone.status, 404);
  assert.equal((await get(server.port, '/')).status, 404);
  assert.ok(
    await settle(() =>
      /the served folder .* is gone; requests get 404 until it is back\n/.test(server.stderr()),
    ),
    server.stderr(),
  );
  assert.ok(!gone.text.includes(root), 'no path in the response');
  assert.doesNotMatch(server.stderr(), /\n\s+at /, 'one line, no stack trace');

  await mkdir(site);
  await writeFile(join(site, 'a.txt'), 'alpha again');
  const back = await get(server.port, '/a.txt');
  assert.equal(back.status, 200);
  assert.equal(back.text, 'alpha again');
  assert.equal(server.process.exitCode, null);
});
