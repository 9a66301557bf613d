// test/read-buffers.test.ts
// The read buffers that large bodies and ranges share across responses: a buffer is reused
// only after its response has finished, so answers running side by side never mix bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { BufferPool, CHUNK_BYTES } from '../src/serve/read-range.js';
import { get, makeTree, serve } from './helpers.js';

const MIB = 1024 * 1024;

test('24 concurrent 1 MiB ranges at different offsets, three rounds, each get exactly their bytes', async (t) => {
  const data = randomBytes(6 * MIB);
  const root = await makeTree(t, { 'data.bin': data });
  const { port } = await serve(t, { root });
  for (let round = 0; round < 3; round++) {
    const starts = Array.from({ length: 24 }, (_, i) => ((i * 7 + round * 3) % 20) * 256 * 1024);
    const replies = await Promise.all(
      starts.map((start) => get(port, '/data.bin', { range: `bytes=${start}-${start + MIB - 1}` })),
    );
    replies.forEach((reply, i) => {
      const start = starts[i] ?? 0;
      assert.equal(reply.status, 206);
      assert.ok(reply.body.equals(data.subarray(start, start + MIB)), `round ${round}, range at ${start}`);
    });
  }
});

test('whole 3 MiB downloads running beside 1 MiB ranges of another file all arrive intact', async (t) => {
  const big = randomBytes(3 * MIB);
  const other = randomBytes(2 * MIB);
  const root = await makeTree(t, { 'big.bin': big, 'other.bin': other });
  const { port } = await serve(t, { root });
  const wholes = Array.from({ length: 6 }, () => get(port, '/big.bin'));
  const ranges = Array.from({ length: 12 }, (_, i) =>
    get(port, '/other.bin', { range: `bytes=${(i % 4) * 256 * 1024}-${(i % 4) * 256 * 1024 + MIB - 1}` }),
  );
  for (const reply of await Promise.all(wholes)) {
    assert.equal(reply.status, 200);
    assert.ok(reply.body.equals(big));
  }
  const rangeReplies = await Promise.all(ranges);
  rangeReplies.forEach((reply, i) => {
    const start = (i % 4) * 256 * 1024;
    assert.equal(reply.status, 206);
    assert.ok(reply.body.equals(other.subarray(start, start + MIB)), `range ${i}`);
  });
});

test('the buffer pool hands out at most its limit, reuses what comes back, and shrinks after a quiet spell', () => {
  // The pool's quiet checks run when the test says, not on a timer.
  const checks: (() => void)[] = [];
  const runChecks = () => {
    for (const check of checks.splice(0)) check();
  };
  const pool = new BufferPool(CHUNK_BYTES, 4, 1, 1000, (check) => checks.push(check));
  const out = Array.from({ length: 4 }, () => pool.take());
  assert.equal(new Set(out).size, 4, 'an empty pool hands out fresh buffers');
  assert.ok(out.every((buffer) => buffer?.length === CHUNK_BYTES));
  assert.equal(pool.take(), undefined, 'no fifth buffer while four are out');
  const taken = out.filter((buffer) => buffer !== undefined);
  for (const buffer of taken) pool.give(buffer);
  assert.equal(pool.size, 4);
  assert.equal(pool.out, 0);
  assert.equal(checks.length, 1, 'one quiet check at a time');
  const again = pool.take();
  assert.ok(again !== undefined && taken.includes(again), 'a free buffer is reused before a new one is made');
  pool.give(again);
  // A buffer taken since the last check keeps the pool full and schedules another check...
  runChecks();
  assert.equal(pool.size, 4);
  assert.equal(checks.length, 1);
  // ...and a whole period without a take trims it to what it keeps when quiet.
  runChecks();
  assert.equal(pool.size, 1);
  assert.equal(checks.length, 0, 'a pool at its quiet size needs no more checks');
  const kept = pool.take();
  assert.ok(kept !== undefined);
  pool.give(kept);
  assert.equal(checks.length, 0);
});

test('a buffer abandoned by an aborted response frees its place without coming back', () => {
  const pool = new BufferPool(CHUNK_BYTES, 2, 2, 1000, () => undefined);
  const first = pool.take();
  const second = pool.take();
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(pool.take(), undefined);
  pool.abandon(); // first's response was aborted: a write the socket dropped may still hold it
  const third = pool.take();
  assert.ok(third !== undefined && third !== first, 'a new buffer takes the place of the abandoned one');
  pool.give(second);
  pool.give(third);
  assert.equal(pool.size, 2);
  assert.equal(pool.out, 0);
});

test('with every pooled buffer out, more 1 MiB ranges than the pool holds still arrive exactly', async (t) => {
  // 24 clients at once against a pool of 8: most ranges are read in 64 KiB pieces.
  const data = randomBytes(4 * MIB + 12345);
  const root = await makeTree(t, { 'data.bin': data });
  const { port } = await serve(t, { root });
  const starts = Array.from({ length: 24 }, (_, i) => i * 131_071);
  const replies = await Promise.all(
    starts.map((start) => get(port, '/data.bin', { range: `bytes=${start}-${start + MIB + 777}` })),
  );
  replies.forEach((reply, i) => {
    const start = starts[i] ?? 0;
    assert.equal(reply.status, 206);
    assert.ok(reply.body.equals(data.subarray(start, start + MIB + 778)), `range at ${start}`);
  });
});
