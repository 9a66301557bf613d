// test/young-generation.test.ts
// The CLI caps V8's young generation at 2 × 8 MiB (src/young-generation.ts): an allocation
// burst that grows a plain Node process's to 32 MiB leaves the server's at the cap, also while
// the listing's read worker starts (which resets the flag the cap relies on).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Cli, startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

const MIB = 1024 * 1024;
const CAP = 16 * MIB;

/**
 * Preloaded into the process: on SIGUSR2 the main thread allocates 3 million objects that live
 * a little while, in 100 turns of the event loop as a busy server would, and then prints the
 * young generation's size.
 */
const PROBE = `
import { writeSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';
if (isMainThread) {
  let round = 0;
  process.on('SIGUSR2', async () => {
    const before = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    const keep = [];
    for (let turn = 0; turn < 100; turn++) {
      for (let i = 0; i < 3e4; i++) {
        keep.push({ i, s: 'x' + i });
        if (keep.length > 2e5) keep.splice(0, 1e5);
      }
      await nextTurn();
    }
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    writeSync(1, 'young-generation ' + round++ + ' ' + before + ' ' + young.space_size + '\\n');
  });
}
`;

async function probeFile(t: Parameters<typeof makeTree>[0]): Promise<string> {
  const folder = await makeTree(t, { 'probe.mjs': PROBE });
  return pathToFileURL(join(folder, 'probe.mjs')).href;
}

/** Sends the burst signal; returns the young generation's size before and after the burst. */
async function burst(
  cli: Pick<Cli, 'child' | 'waitFor'>,
  round: number,
): Promise<{ before: number; after: number }> {
  cli.child.kill('SIGUSR2');
  const match = await cli.waitFor(new RegExp(`young-generation ${round} (\\d+) (\\d+)`));
  return { before: Number(match[1]), after: Number(match[2]) };
}

const skip = process.platform === 'win32' ? 'no SIGUSR2 on Windows' : false;

test('without the cap, the burst grows the young generation past 16 MiB', { skip }, async (t) => {
  const probe = await probeFile(t);
  const child = spawn(process.execPath, [`--import=${probe}`, '-e', 'setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  // Let the preload install its handler before the signal.
  await new Promise((resolve) => setTimeout(resolve, 300));
  child.kill('SIGUSR2');
  while (!/young-generation 0 \d+ \d+/.test(out)) await once(child.stdout, 'data');
  const size = Number(/young-generation 0 \d+ (\d+)/.exec(out)?.[1]);
  assert.ok(size > CAP, `plain Node: ${size / MIB} MiB`);
});

test('the server keeps its young generation at 16 MiB', { skip }, async (t) => {
  const root = await makeTree(t, { 'index.txt': 'x' });
  const probe = await probeFile(t);
  const { cli } = await startServing(t, [root, '--port', '0', '--quiet'], {
    env: { NODE_OPTIONS: `--import=${probe}` },
  });
  const { after } = await burst(cli, 0);
  assert.ok(after <= CAP, `${after / MIB} MiB`);
});

test('the cap holds while the read worker starts (which resets the flag it relies on)', {
  skip,
}, async (t) => {
  const names = Array.from({ length: 2500 }, (_, i) => `f${i}`);
  const root = await makeTree(t, Object.fromEntries(names.map((name) => [`big/${name}`, ''])));
  const probe = await probeFile(t);
  const { cli, port } = await startServing(t, [root, '--port', '0', '--quiet'], {
    env: { NODE_OPTIONS: `--import=${probe}` },
  });
  const first = await burst(cli, 0);
  assert.ok(first.after <= CAP, `first burst: ${first.after / MIB} MiB`);
  // The first read finds the folder big; the second starts the worker, which resets V8's growth
  // factor, while this thread is busy allocating (the burst), as a loaded server would be.
  assert.equal((await get(port, '/big/?format=text')).status, 200);
  const during = burst(cli, 1);
  assert.equal((await get(port, '/big/?format=text')).status, 200);
  const second = await during;
  assert.ok(second.after <= CAP, `burst while the worker started: ${second.after / MIB} MiB`);
  const third = await burst(cli, 2);
  assert.ok(third.after <= CAP, `burst after the worker started: ${third.after / MIB} MiB`);
  assert.equal(third.after, third.before, 'the burst after the worker started grew the young generation');
});
