// test/resolve-modes.test.ts
// The resolver gives the same answers whether its stats are made directly (answers at once)
// or through the thread pool (answers as promises), for every kind of target.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../src/serve/options.js';
import { parseRequestPath } from '../src/serve/request-path.js';
import { Resolver, type Target } from '../src/serve/resolve.js';
import { PathStatter, SLOW_CALLS, SLOW_MS } from '../src/serve/stat-path.js';
import { makeTree } from './helpers.js';

/** A statter already switched to the thread pool (by SLOW_CALLS slow calls just now). */
function threadPoolStatter(): PathStatter {
  const statter = new PathStatter(() => 1_000);
  for (let i = 0; i < SLOW_CALLS; i++) statter.noteDuration(SLOW_MS + 1);
  assert.equal(statter.mode, 'thread-pool');
  return statter;
}

/** What a target says, without stats objects and real paths that differ by run. */
function summary(target: Target): string {
  switch (target.kind) {
    case 'file':
      return `file ${target.segments.join('/')}`;
    case 'directory':
      return `directory ${target.urlPath}`;
    case 'redirect':
      return `redirect ${target.location}`;
    case 'missing':
      return 'missing';
  }
}

const CASES: readonly [string, string][] = [
  ['/a.txt', 'file a.txt'],
  ['/site/', 'file site/index.html'],
  ['/site', 'redirect /site/'],
  ['/empty/', 'directory /empty/'],
  ['/nope.txt', 'missing'],
  ['/a.txt/', 'missing'],
];

for (const mode of ['direct', 'thread-pool'] as const) {
  for (const [url, expected] of CASES) {
    test(`Resolver with ${mode} stats: ${url} → ${expected}`, async (t) => {
      const root = await makeTree(t, { 'a.txt': 'a', 'site/index.html': '<p>', 'empty/.keep': '' });
      const statter = mode === 'direct' ? new PathStatter() : threadPoolStatter();
      const resolver = new Resolver(resolveConfig({ root }), statter);
      const answer = resolver.resolve(parseRequestPath(url));
      // Every case needs a stat, so with the thread pool every answer is a promise.
      if (mode === 'thread-pool') assert.ok(answer instanceof Promise, 'a promise');
      assert.equal(summary(await answer), expected);
      // Asked again, a direct resolver answers a checked path without a promise.
      const again = resolver.resolve(parseRequestPath(url));
      if (mode === 'direct') assert.ok(!(again instanceof Promise), 'answered at once the second time');
      assert.equal(summary(await again), expected);
    });
  }
}

test('Resolver with thread-pool stats refuses a link that leads out of the folder', async (t) => {
  const base = await makeTree(t, {
    'secret.txt': 's',
    'www/in.txt': 'i',
    'www/out.txt': { symlink: '../secret.txt' },
  });
  const resolver = new Resolver(resolveConfig({ root: join(base, 'www') }), threadPoolStatter());
  assert.equal(summary(await resolver.resolve(parseRequestPath('/in.txt'))), 'file in.txt');
  await assert.rejects(
    Promise.resolve(resolver.resolve(parseRequestPath('/out.txt'))),
    (error: unknown) => (error as { status?: number }).status === 404,
  );
});
