// test/bundle.test.ts
// The command runs from the bundle in dist/cli (rollup.config.mjs): the bin loads it, a plain
// start loads only its core, --version still finds package.json, and big folders are still read
// by the worker script that sits beside it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { runCli, startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

const REPO = new URL('../../', import.meta.url);
const BUNDLE = new URL('dist/cli/', REPO);

test('the build puts the CLI bundle and the read worker side by side in dist/cli', () => {
  // reader.ts finds its worker at new URL('./read-worker.js', import.meta.url), so the worker
  // script must be written next to the chunk that holds reader.ts.
  for (const file of ['cli.js', 'read-worker.js']) {
    assert.ok(existsSync(new URL(file, BUNDLE)), `dist/cli/${file} is missing; run npm run build`);
  }
  const bin = readFileSync(new URL('bin/serve-here.js', REPO), 'utf8');
  assert.match(bin, /import\('\.\.\/dist\/cli\/cli\.js'\)/);
});

/** The bundle's files a module imports statically (`import … from './x.js'`, `export … from`). */
function staticImports(file: string): string[] {
  const text = readFileSync(new URL(file, BUNDLE), 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?['"]\.\/([^'"]+)['"]/gm)].map(
    (match) => match[1] as string,
  );
}

test('a plain start loads the entry and one core chunk; each capability is a chunk loaded later', () => {
  const loaded = new Set<string>();
  const pending = ['cli.js'];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    pending.push(...staticImports(file));
  }
  // Each file costs a start about half a millisecond; esbuild's splitting had made it 8 to 14.
  assert.equal(loaded.size, 2, [...loaded].join(', '));
  const chunks = readdirSync(BUNDLE);
  for (const capability of [
    'auth',
    'config',
    'proxy',
    'listing',
    'live',
    'tls',
    'upload',
    'zip',
    'export',
    'share',
  ]) {
    const chunk = chunks.find((name) => name.startsWith(`${capability}-`));
    assert.ok(chunk !== undefined, `no chunk for ${capability} in ${chunks.join(', ')}`);
    assert.ok(!loaded.has(chunk), `${chunk} loads at start-up`);
  }
});

test('bin/serve-here.js --version prints the version from package.json', async () => {
  const { version } = JSON.parse(await readFile(new URL('package.json', REPO), 'utf8')) as {
    version: string;
  };
  const { code, stdout } = await runCli(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), version);
});

/**
 * Preloaded into every thread of the server: in the read worker it notes each reply, which
 * shows that the bundled worker script loaded and answered (a missing one would only make the
 * server read inline, silently).
 */
const WORKER_PROBE = `
import { isMainThread, parentPort } from 'node:worker_threads';
import { writeSync } from 'node:fs';
if (!isMainThread && parentPort !== null) {
  const post = parentPort.postMessage;
  parentPort.postMessage = function (...args) {
    writeSync(2, 'read worker replied\\n');
    return post.apply(this, args);
  };
}
`;

test('a 2,500-entry folder lists completely through the bin, the second time from the read worker', async (t) => {
  const names = Array.from({ length: 2500 }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`);
  const root = await makeTree(t, Object.fromEntries(names.map((name) => [name, ''])));
  const probe = await makeTree(t, { 'probe.mjs': WORKER_PROBE });
  const preload = pathToFileURL(join(probe, 'probe.mjs')).href;
  const { cli, port } = await startServing(t, [root, '--port', '0', '--quiet'], {
    env: { NODE_OPTIONS: `--import=${preload}` },
  });
  // The first read finds the folder big; from then on it is read in the worker.
  for (const round of ['inline', 'worker']) {
    const reply = await get(port, '/?format=text');
    assert.equal(reply.status, 200, round);
    assert.deepEqual(reply.text.trimEnd().split('\n'), names, round);
  }
  cli.child.kill('SIGINT');
  assert.equal(await cli.exited, 0);
  const stderr = cli.child.stderr;
  if (stderr !== null && !stderr.readableEnded) await once(stderr, 'end');
  assert.match(cli.stderr(), /read worker replied/);
});
