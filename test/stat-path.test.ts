// test/stat-path.test.ts
// PathStatter: direct stats while they are fast, the thread pool after repeated slow calls,
// the same answers either way (Stats, or undefined for a missing path), and stats shared
// within one batch of requests.
import assert from 'node:assert/strict';
import { type Stats, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COOL_DOWN_MS, PathStatter, SLOW_CALLS, SLOW_MS, sharingStats } from '../src/serve/stat-path.js';
import { makeTree } from './helpers.js';

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

test('PathStatter starts direct and stays direct after fewer than SLOW_CALLS slow calls', () => {
  const clock = manualClock();
  const statter = new PathStatter(clock.now);
  assert.equal(statter.mode, 'direct');
  for (let i = 1; i < SLOW_CALLS; i++) statter.noteDuration(SLOW_MS + 1);
  assert.equal(statter.mode, 'direct');
});

test('PathStatter switches to the thread pool after SLOW_CALLS slow calls within a second, then back', () => {
  const clock = manualClock();
  const statter = new PathStatter(clock.now);
  for (let i = 0; i < SLOW_CALLS; i++) {
    statter.noteDuration(SLOW_MS + 1);
    clock.advance(10);
  }
  assert.equal(statter.mode, 'thread-pool');
  clock.advance(COOL_DOWN_MS);
  assert.equal(statter.mode, 'direct');
});

test('PathStatter ignores slow calls spread over more than a second (descheduling, GC pauses)', () => {
  const clock = manualClock();
  const statter = new PathStatter(clock.now);
  for (let i = 0; i < SLOW_CALLS * 3; i++) {
    statter.noteDuration(SLOW_MS + 5);
    clock.advance(600);
  }
  assert.equal(statter.mode, 'direct');
});

test('PathStatter ignores fast calls', () => {
  const clock = manualClock();
  const statter = new PathStatter(clock.now);
  for (let i = 0; i < 100; i++) statter.noteDuration(SLOW_MS);
  assert.equal(statter.mode, 'direct');
});

for (const mode of ['direct', 'thread-pool'] as const) {
  test(`PathStatter.stat() in ${mode} mode gives Stats for a file and undefined for missing paths`, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'abc' });
    const clock = manualClock();
    const statter = new PathStatter(clock.now);
    if (mode === 'thread-pool') for (let i = 0; i < SLOW_CALLS; i++) statter.noteDuration(SLOW_MS + 1);
    assert.equal(statter.mode, mode);
    assert.equal((await statter.stat(join(root, 'a.txt')))?.size, 3);
    assert.equal(await statter.stat(join(root, 'missing.txt')), undefined);
    assert.equal(await statter.stat(join(root, 'a.txt', 'below-a-file')), undefined); // ENOTDIR
  });
}

/** A clock that moves by the given steps, one per reading, then stands still. */
function scriptedClock(steps: readonly number[]): () => number {
  let time = 1_000;
  let next = 0;
  return () => {
    time += steps[next++] ?? 0;
    return time;
  };
}

test('PathStatter stays direct when each slow stat is followed by a fast second timing (a descheduled process)', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'abc' });
  // Per stat() the clock is read three times: the start, the end (slow: +5 ms), and the
  // second timing's start and end (fast: +0.1 ms).
  const steps = Array.from({ length: SLOW_CALLS * 3 }, () => [0, SLOW_MS + 3, 0, 0.1]).flat();
  const statter = new PathStatter(scriptedClock(steps));
  for (let i = 0; i < SLOW_CALLS * 3; i++) assert.equal((statter.stat(join(root, 'a.txt')) as Stats).size, 3);
  assert.equal(statter.mode, 'direct');
});

test('PathStatter switches to the thread pool when the second timing of each slow stat is slow too', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'abc' });
  // Five readings per stat() here: the slow second timing is recorded with one more.
  const steps = Array.from({ length: SLOW_CALLS }, () => [0, SLOW_MS + 3, 0, SLOW_MS + 3, 0]).flat();
  const statter = new PathStatter(scriptedClock(steps));
  for (let i = 0; i < SLOW_CALLS; i++) assert.equal((statter.stat(join(root, 'a.txt')) as Stats).size, 3);
  assert.equal(statter.mode, 'thread-pool');
  // And the answers keep coming, now as promises.
  const answer = statter.stat(join(root, 'a.txt'));
  assert.ok(answer instanceof Promise);
  assert.equal((await answer)?.size, 3);
});

test('sharingStats: a path is asked once during the work, and afresh after it', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'abc' });
  const statter = new PathStatter();
  const file = join(root, 'a.txt');
  const later = join(root, 'later.txt');
  const seen: (number | undefined)[] = [];
  sharingStats(() => {
    seen.push(
      (statter.stat(file) as Stats | undefined)?.size,
      (statter.stat(later) as Stats | undefined)?.size,
    );
    writeFileSync(file, 'abcdef');
    writeFileSync(later, 'x');
    seen.push(
      (statter.stat(file) as Stats | undefined)?.size,
      (statter.stat(later) as Stats | undefined)?.size,
    );
  });
  assert.deepEqual(seen, [3, undefined, 3, undefined]);
  assert.equal((statter.stat(file) as Stats).size, 6);
  assert.equal((statter.stat(later) as Stats).size, 1);
});

test('sharingStats: a failed stat is not shared; the next call asks again', async (t) => {
  const root = await makeTree(t, { loop: { symlink: 'loop' } });
  const statter = new PathStatter();
  const path = join(root, 'loop');
  let second: Stats | undefined;
  let first: unknown;
  sharingStats(() => {
    first = statter.stat(path);
    unlinkSync(path);
    writeFileSync(path, 'now a file');
    second = statter.stat(path) as Stats | undefined;
  });
  await assert.rejects(first as Promise<unknown>, { code: 'ELOOP' });
  assert.equal(second?.size, 10);
});
