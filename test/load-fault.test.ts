// test/load-fault.test.ts
// A short load-and-fault run against the real CLI in a child process: many concurrent clients
// mix small files, ranges of big files, listings, 304s, aborted downloads and malformed
// requests. Every completed body is checked by sha256 afterwards, and the server's descriptor
// count and memory must come back near their baseline.
// CI runs it for a few seconds; SERVE_HERE_SOAK_SECONDS=300 makes it a soak test by hand.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { LINUX, settle, spawnServer } from './child-server.js';
import { makeTree, rawRequest } from './helpers.js';

const SECONDS = Number(process.env.SERVE_HERE_SOAK_SECONDS ?? 6);
/** Upper bound on requests, whatever the duration: the run is bounded in count and time. */
const MAX_OPERATIONS = Math.max(2_000, SECONDS * 1_500);
const CLIENTS = 24;

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function filled(size: number, seed: number): Buffer {
  const next = random(seed);
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) buffer.writeUInt32LE((next() * 2 ** 32) >>> 0, i);
  return buffer;
}

const SMALL = Array.from({ length: 20 }, (_, i) => ({
  path: `/small/s${i}.bin`,
  body: filled(512 + i * 700, i + 1),
}));
const BIG = [0, 1].map((i) => ({ path: `/big/b${i}.bin`, body: filled(6 * 1024 * 1024, 100 + i) }));
const LISTED = Array.from({ length: 40 }, (_, i) => `entry-${i}.txt`);

const MALFORMED = [
  'GARBAGE\r\n\r\n',
  'GET /small/s1.bin HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /small/s1.bin HTTP/1.1\r\n\r\n',
  'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'GET /small/s1.bin HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'GET /small/s1.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  `GET /${'a'.repeat(9_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(17_000)}\r\n\r\n`,
  '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
];

interface Completed {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly sha: string;
}

interface Tally {
  readonly completed: Completed[];
  readonly failures: string[];
  readonly counts: Record<string, number>;
}

interface Reply {
  readonly res: IncomingMessage;
  readonly body: Buffer;
}

async function fetchWith(
  port: number,
  agent: Agent,
  path: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return { res, body: Buffer.concat(chunks) };
}

/** One client: picks operations at random until time or the shared budget runs out. */
async function client(
  port: number,
  id: number,
  deadline: number,
  budget: { left: number },
  tally: Tally,
): Promise<void> {
  const next = random(7_919 * (id + 1));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const expect = (ok: boolean, what: string): void => {
    if (!ok && tally.failures.length < 50) tally.failures.push(what);
  };
  const etags = new Map<string, string>();
  try {
    while (Date.now() < deadline && budget.left-- > 0) {
      const roll = next();
      const kind =
        roll < 0.35
          ? 'small'
          : roll < 0.5
            ? 'range'
            : roll < 0.58
              ? 'big'
              : roll < 0.68
                ? 'listing'
                : roll < 0.8
                  ? 'conditional'
                  : roll < 0.9
                    ? 'abort'
                    : 'malformed';
      tally.counts[kind] = (tally.counts[kind] ?? 0) + 1;
      switch (kind) {
        case 'small': {
          const file = pick(SMALL);
          const { res, body } = await fetchWith(port, agent, file.path);
          expect(res.statusCode === 200, `${file.path} → ${res.statusCode}`);
          if (res.complete)
            tally.completed.push({ path: file.path, start: 0, end: file.body.length - 1, sha: sha256(body) });
          etags.set(file.path, String(res.headers.etag));
          break;
        }
        case 'range': {
          const file = pick(BIG);
          const start = Math.floor(next() * file.body.length);
          const end = Math.min(file.body.length - 1, start + Math.floor(next() * 512 * 1024));
          const { res, body } = await fetchWith(port, agent, file.path, { range: `bytes=${start}-${end}` });
          expect(res.statusCode === 206, `range ${start}-${end} → ${res.statusCode}`);
          expect(
            res.headers['content-range'] === `bytes ${start}-${end}/${file.body.length}`,
            `content-range ${res.headers['content-range']}`,
          );
          if (res.complete) tally.completed.push({ path: file.path, start, end, sha: sha256(body) });
          break;
        }
        case 'big': {
          const file = pick(BIG);
          const { res, body } = await fetchWith(port, agent, file.path);
          expect(res.statusCode === 200, `${file.path} → ${res.statusCode}`);
          if (res.complete)
            tally.completed.push({ path: file.path, start: 0, end: file.body.length - 1, sha: sha256(body) });
          break;
        }
        case 'listing': {
          const { res, body } = await fetchWith(port, agent, '/listed/', { accept: 'text/html' });
          expect(res.statusCode === 200, `listing → ${res.statusCode}`);
          expect(body.includes(pick(LISTED)), 'listing misses a name');
          break;
        }
        case 'conditional': {
          const file = pick(SMALL);
          const etag = etags.get(file.path);
          if (etag === undefined) break;
          const { res, body } = await fetchWith(port, agent, file.path, { 'if-none-match': etag });
          expect(res.statusCode === 304 && body.length === 0, `conditional → ${res.statusCode}`);
          break;
        }
        case 'abort':
          await abortSomewhere(port, pick(BIG).path, next());
          break;
        case 'malformed': {
          const reply = await rawRequest(port, pick(MALFORMED));
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
          expect(status >= 400 && status < 500, `malformed → ${status}`);
          break;
        }
      }
    }
  } catch (error) {
    tally.failures.push(`client ${id}: ${String(error)}`);
  } finally {
    agent.destroy();
  }
}

/** Hangs up before the answer, after the headers, or part-way through the body. */
async function abortSomewhere(port: number, path: string, when: number): Promise<void> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  req.on('error', () => {});
  req.end();
  if (when < 0.25) {
    await once(req, 'finish');
    req.destroy();
    return;
  }
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.on('error', () => {});
  if (when >= 0.5) {
    let received = 0;
    const stopAt = (when - 0.5) * 2 * 4 * 1024 * 1024;
    for await (const chunk of res) {
      received += (chunk as Buffer).length;
      if (received >= stopAt) break;
    }
  }
  req.destroy();
}

test(`${CLIENTS} clients mixing files, ranges, listings, 304s, aborts and garbage for ${SECONDS}s: every body intact, resources back to baseline`, {
  skip: !LINUX,
  timeout: (SECONDS + 120) * 1000,
}, async (t) => {
  const spec: Record<string, Buffer | string> = {};
  for (const file of [...SMALL, ...BIG]) spec[file.path.slice(1)] = file.body;
  for (const name of LISTED) spec[`listed/${name}`] = name;
  const root = await makeTree(t, spec);
  const server = await spawnServer(t, root);
  const expected = new Map([...SMALL, ...BIG].map((f) => [f.path, f.body]));

  // Warm-up, then the baseline.
  const warm: Tally = { completed: [], failures: [], counts: {} };
  await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      client(server.port, 1_000 + i, Date.now() + 1_000, { left: 200 }, warm),
    ),
  );
  assert.ok(await settle(() => server.fdCount() <= 30), `fds after warm-up: ${server.fdCount()}`);
  const fdBefore = server.fdCount();
  const rssBefore = server.rssKiB();

  const tally: Tally = { completed: [], failures: [], counts: {} };
  const deadline = Date.now() + SECONDS * 1000;
  const budget = { left: MAX_OPERATIONS };
  await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => client(server.port, i, deadline, budget, tally)),
  );

  assert.deepEqual(tally.failures, []);
  assert.ok(tally.completed.length > 100, `only ${tally.completed.length} responses completed`);
  for (const kind of ['small', 'range', 'big', 'listing', 'conditional', 'abort', 'malformed']) {
    assert.ok((tally.counts[kind] ?? 0) > 0, `no ${kind} operations ran`);
  }
  for (const done of tally.completed) {
    const file = expected.get(done.path);
    assert.ok(file !== undefined);
    assert.equal(
      done.sha,
      sha256(file.subarray(done.start, done.end + 1)),
      `${done.path} ${done.start}-${done.end}`,
    );
  }

  assert.equal(server.process.exitCode, null);
  assert.ok(await settle(() => server.fdCount() <= fdBefore), `fds: ${fdBefore} → ${server.fdCount()}`);
  const grown = server.rssKiB() - rssBefore;
  // Generous: V8 and the allocator keep memory they have grown into; a leak per request
  // (a buffer, a stream, a descriptor) over thousands of requests would show far above this.
  assert.ok(grown < 128 * 1024, `RSS grew by ${grown} KiB`);
  t.diagnostic(
    `operations ${JSON.stringify(tally.counts)}; bodies checked ${tally.completed.length}; fds ${fdBefore}; RSS ${rssBefore} → ${server.rssKiB()} KiB`,
  );
});
