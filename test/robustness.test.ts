// test/robustness.test.ts
// Limits and timeouts against clumsy and hostile clients: slowloris, idle and stalled
// connections, oversized heads and targets, pipelining, Expect, bodies on GET, range floods.
// Timeouts are shortened through StartOptions.timeouts so the tests stay fast.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import type { ServerTimeouts } from '../src/serve/server.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';

/** Short limits: a test that relies on one of them finishes in well under a second. */
const SHORT: ServerTimeouts = {
  headersMs: 300,
  requestMs: 500,
  keepAliveMs: 300,
  idleSocketMs: 3_000,
  checkIntervalMs: 100,
};

/** A failing limit would make a test hang; this turns the hang into a failure. */
const BOUNDED = { timeout: 15_000 };

/** Opens a raw connection and collects everything the server sends. */
async function openRaw(
  port: number,
): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close').then(() => undefined);
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
}

/** Resolves once the text received on `socket` matches `pattern`. */
async function waitFor(socket: Socket, received: () => string, pattern: RegExp): Promise<string> {
  while (!pattern.test(received())) {
    const [event] = await Promise.race([
      once(socket, 'data').then(() => ['data']),
      once(socket, 'close').then(() => ['close']),
    ]);
    if (event === 'close' && !pattern.test(received())) {
      throw new Error(`connection closed before ${pattern}: ${JSON.stringify(received().slice(0, 200))}`);
    }
  }
  return received();
}

/** Status lines in a reply; the bodies used here never contain "HTTP/1.1". */
function statusLines(reply: string): string[] {
  return reply.match(/HTTP\/1\.1 \d{3} [^\r]*/g) ?? [];
}

test(
  'a client sending its headers a byte at a time (slowloris) gets 408 and is cut off',
  BOUNDED,
  async (t) => {
    const root = await makeTree(t, { 'a.txt': 'a' });
    const { port } = await serve(t, { root, timeouts: SHORT });
    const { socket, received, closed } = await openRaw(port);
    socket.write('GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const drip = setInterval(() => {
      if (socket.writable) socket.write('a');
    }, 20);
    socket.on('error', () => {}); // a write may race the server's close
    await closed;
    clearInterval(drip);
    assert.match(received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  },
);

test('a connection that never sends a byte is closed after the header limit', BOUNDED, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root, timeouts: SHORT });
  const { received, closed } = await openRaw(port);
  await closed;
  assert.match(received(), /^(HTTP\/1\.1 408 |$)/);
});

test('an idle keep-alive connection is closed after its response', BOUNDED, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'alpha' });
  const { port } = await serve(t, { root, timeouts: SHORT });
  const { socket, received, closed } = await openRaw(port);
  socket.write('GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n');
  await closed;
  assert.deepEqual(statusLines(received()), ['HTTP/1.1 200 OK']);
  assert.match(received(), /Keep-Alive: timeout=\d+/);
  assert.ok(received().endsWith('alpha'));
});

for (const { name, head } of [
  { name: 'GET with a Content-Length body', head: 'GET /a.txt HTTP/1.1\r\nContent-Length: 100000\r\n' },
  { name: 'GET with a chunked body', head: 'GET /a.txt HTTP/1.1\r\nTransfer-Encoding: chunked\r\n' },
  { name: 'POST with a Content-Length body', head: 'POST /a.txt HTTP/1.1\r\nContent-Length: 100000\r\n' },
]) {
  test(`a request body that never ends does not pin the connection (${name})`, BOUNDED, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'alpha' });
    const { port } = await serve(t, { root, timeouts: SHORT });
    const { socket, received, closed } = await openRaw(port);
    socket.write(`${head}Host: x\r\n\r\n${head.includes('chunked') ? '5\r\nhello\r\n' : 'hello'}`);
    socket.on('error', () => {});
    await closed;
    // The answer comes at once; the connection is then dropped at the request limit.
    assert.match(received(), /^HTTP\/1\.1 (200 OK|405 Method Not Allowed)\r\n/);
  });
}

test('a 20 MB file read slowly but steadily for longer than every request limit is delivered whole', {
  timeout: 60_000,
}, async (t) => {
  // Scaled-down form of "a 1 GB download at a modest rate completes": the request limits are
  // 300/500 ms here and the download is paced to last several seconds. Only the idle-socket
  // limit applies to a response, and a steady reader never lets it expire.
  const big = Buffer.alloc(20 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
  const root = await makeTree(t, { 'big.bin': big });
  const { port } = await serve(t, { root, timeouts: { ...SHORT, idleSocketMs: 2_000 } });

  const req = httpRequest({ host: '127.0.0.1', port, path: '/big.bin', agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  assert.equal(res.statusCode, 200);
  const hash = createHash('sha256');
  let received = 0;
  let pauses = 0;
  const started = Date.now();
  res.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    received += chunk.length;
    // Pace the reader: a pause after every 64 KiB, so backpressure reaches the server.
    res.pause();
    pauses++;
    setTimeout(() => res.resume(), 8);
  });
  await once(res, 'end');
  assert.equal(received, big.length);
  assert.equal(hash.digest('hex'), createHash('sha256').update(big).digest('hex'));
  // Guard on the test itself, not on speed: pacing makes the download outlast the limits.
  assert.ok(pauses * 8 > 4 * SHORT.requestMs, `only ${pauses} pauses`);
  assert.ok(Date.now() - started > 4 * SHORT.requestMs);
});

test('a header block over 16 KiB gets 431', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const reply = await rawRequest(
    port,
    `GET /a.txt HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
  );
  assert.match(reply, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\nConnection: close\r\n/);
});

test('a request target over 8 KiB gets 414', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const reply = await rawRequest(
    port,
    `GET /${'a'.repeat(9_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  assert.match(reply, /^HTTP\/1\.1 414 URI Too Long\r\n/);
  assert.ok(!reply.includes('a'.repeat(300)), 'the target is not echoed whole');
});

test('an HTTP/1.1 request without Host gets 400', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'secret-ish' });
  const { port } = await serve(t, { root });
  const reply = await rawRequest(port, 'GET /a.txt HTTP/1.1\r\nConnection: close\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.ok(!reply.includes('secret-ish'));
});

test('a client that half-closes after its request still gets the file', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'alpha' });
  const { port } = await serve(t, { root });
  // rawRequest ends its side right after writing, like `printf … | nc`.
  const reply = await rawRequest(port, 'GET /a.txt HTTP/1.0\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(reply.endsWith('\r\n\r\nalpha'));
});

test('pipelined GET /a, /b, /c are answered in order on one connection', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'AAAA', 'b.txt': 'B'.repeat(300_000), 'c.txt': 'CCCC' });
  const { port } = await serve(t, { root });
  const reply = await rawRequest(
    port,
    'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n' +
      'GET /c.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  assert.deepEqual(statusLines(reply), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  const a = reply.indexOf('\r\n\r\nAAAA');
  const b = reply.indexOf('\r\n\r\nBBBB');
  const c = reply.indexOf('\r\n\r\nCCCC');
  assert.ok(a !== -1 && a < b && b < c, `order a=${a} b=${b} c=${c}`);
  assert.ok(reply.endsWith('CCCC'));
});

test('GET with Expect: 100-continue gets 100 then the file, with or without the body', BOUNDED, async (t) => {
  const root = await makeTree(t, { 'a.txt': 'alpha' });
  const { port } = await serve(t, { root, timeouts: SHORT });
  const { socket, received } = await openRaw(port);
  t.after(() => socket.destroy());
  socket.write('GET /a.txt HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n');
  // The body is never sent: the answer must not wait for it.
  const reply = await waitFor(socket, received, /\r\n\r\nalpha$/);
  assert.deepEqual(statusLines(reply), ['HTTP/1.1 100 Continue', 'HTTP/1.1 200 OK']);
});

test('a body on GET is skipped and the next pipelined request is answered', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'alpha', 'b.txt': 'bravo' });
  const { port } = await serve(t, { root });
  const smuggled = 'GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n';
  const reply = await rawRequest(
    port,
    `GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}` +
      'GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  // The body looked like a request; it must be read as a body, not answered.
  assert.deepEqual(statusLines(reply), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  assert.ok(!reply.includes('bravo'));
});

const SIZE = 10_000;
for (const { name, ranges } of [
  { name: '2,000 copies of 0-0', ranges: Array(2_000).fill('0-0') },
  {
    name: '1,000 distinct one-byte ranges',
    ranges: Array.from({ length: 1_000 }, (_, i) => `${i * 9}-${i * 9}`),
  },
  { name: '2,000 suffix ranges -1', ranges: Array(2_000).fill('-1') },
  { name: '1,000 overlapping open ranges', ranges: Array.from({ length: 1_000 }, (_, i) => `${i}-`) },
  { name: '1,000 ranges past the end', ranges: Array(1_000).fill('20000-20001') },
]) {
  test(`Range with ${name} gets 200 with the whole file or 416, never more bytes`, async (t) => {
    const body = Buffer.alloc(SIZE, 'x');
    const root = await makeTree(t, { 'f.bin': body });
    const { port } = await serve(t, { root });
    const reply = await get(port, '/f.bin', { range: `bytes=${ranges.join(',')}` });
    assert.ok(reply.status === 200 || reply.status === 416, `status ${reply.status}`);
    if (reply.status === 200) assert.deepEqual(reply.body, body);
    assert.ok(reply.body.length <= SIZE);
  });
}

test('1,000 idle sockets held open do not stop a new client from being served', {
  timeout: 60_000,
}, async (t) => {
  if (openFileLimit() < 2_500) {
    t.skip('needs about 2,100 file descriptors (ulimit -n)');
    return;
  }
  const root = await makeTree(t, { 'a.txt': 'alpha' });
  // Production limits: the idle sockets are not reaped during the test.
  const { port } = await serve(t, { root });
  const idle: Socket[] = [];
  let closedEarly = 0;
  t.after(() => {
    for (const socket of idle) socket.destroy();
  });
  for (let batch = 0; batch < 10; batch++) {
    const opened = Array.from({ length: 100 }, () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('close', () => closedEarly++);
      idle.push(socket);
      return once(socket, 'connect');
    });
    await Promise.all(opened);
  }
  const reply = await get(port, '/a.txt');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'alpha');
  assert.equal(closedEarly, 0, 'the idle sockets were still open while the new client was served');
});

function openFileLimit(): number {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  return soft === undefined ? 0 : soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}
