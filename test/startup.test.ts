// test/startup.test.ts
// Start-up stays light: the everyday command lines are read without commander, and commander
// reads each of them the same way; a plain start loads no CommonJS package before serving.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import fc from 'fast-check';
import { createProgram, parseCommonArgs } from '../src/cli/args.js';
import { startServing } from './cli-helpers.js';
import { get, makeTree } from './helpers.js';

/** What commander makes of a command line: the folder and the flags, or undefined on an error. */
function parseWithCommander(argv: readonly string[]): { root: string; flags: object } | undefined {
  const program: Command = createProgram()
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
  try {
    program.parse([...argv], { from: 'user' });
  } catch {
    return undefined;
  }
  return { root: program.processedArgs[0] as string, flags: { ...program.opts() } };
}

const accepted: { argv: string[]; root: string; flags: Record<string, unknown> }[] = [
  { argv: [], root: '.', flags: {} },
  { argv: ['dist', '-p', '3000'], root: 'dist', flags: { port: 3000 } },
  { argv: ['8080'], root: '8080', flags: {} },
  { argv: ['-q', '--port', '0', 'site'], root: 'site', flags: { quiet: true, port: 0 } },
  { argv: ['--host'], root: '.', flags: { host: true } },
  { argv: ['--host', 'dist'], root: '.', flags: { host: 'dist' } },
  { argv: ['-H', '-q', 'dist'], root: 'dist', flags: { host: true, quiet: true } },
  {
    argv: ['--no-listing', '--cache', '60', '--cors'],
    root: '.',
    flags: { listing: false, cache: 60, cors: true },
  },
];

for (const { argv, root, flags } of accepted) {
  test(`serve-here ${argv.join(' ')} is read without commander, as commander reads it`, () => {
    const expected = { root, flags: { listing: true, compress: true, cleanUrls: true, qr: true, ...flags } };
    assert.deepEqual(parseCommonArgs(argv), expected);
    assert.deepEqual(parseWithCommander(argv), expected);
  });
}

const leftToCommander: string[][] = [
  ['--help'],
  ['-v'],
  ['--port=8080'],
  ['-qp', '1'],
  ['-p', 'http'],
  ['-p', '65536'],
  ['-p'],
  ['a', 'b'],
  ['--', 'dist'],
  ['--host', '-5'],
  ['--spa'],
  ['--unknown'],
  [''],
];

for (const argv of leftToCommander) {
  test(`serve-here ${JSON.stringify(argv)} is left to commander`, () => {
    assert.equal(parseCommonArgs(argv), undefined);
  });
}

/** Words that command lines are made of: every flag, values, near-misses and odd tokens. */
const WORDS = [
  ...['-q', '--quiet', '--dotfiles', '--follow-symlinks', '--cors', '--isolate', '--no-listing'],
  ...['--no-compress', '--no-clean-urls', '-p', '--port', '--cache', '-H', '--host', '-s', '--spa'],
  ...['-o', '--open', '--header', 'X-A: 1', '-h', '--help', '-v', '--version', '--', '-', ''],
  ...['0', '80', '8000', '65535', '65536', '007', ' 1', '-1', '-.5', '1e3', 'dist', 'a b', '-qp'],
  ...['--port=1', '-p1', '--listing', '--no-cors', '--QUIET', 'index.html', '::', '127.0.0.1'],
];

test('every command line read without commander is read the same way by commander', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }), (argv) => {
      const fast = parseCommonArgs(argv);
      if (fast === undefined) return;
      assert.deepEqual(fast, parseWithCommander(argv), `argv: ${JSON.stringify(argv)}`);
    }),
    { numRuns: 3000 },
  );
});

/**
 * A preload that reports which CommonJS packages are loaded when SIGINT arrives (its listener
 * runs before the CLI's, so before anything is printed about stopping).
 */
const PRELOAD = `
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';
const cache = createRequire(import.meta.url).cache;
process.once('SIGINT', () => {
  const names = ['commander', 'picocolors', 'mime-types'].filter((name) =>
    Object.keys(cache).some((file) => file.includes(\`/node_modules/\${name}/\`)));
  writeSync(2, \`loaded packages: \${JSON.stringify(names)}\\n\`);
});
`;

const loads: { args: string[]; packages: string[] }[] = [
  { args: ['-p', '0', '-q'], packages: [] },
  { args: ['--port=0'], packages: ['commander', 'picocolors'] },
];

for (const { args, packages } of loads) {
  test(`serve-here ${args.join(' ')} has loaded ${JSON.stringify(packages)} after its first file`, async (t) => {
    const root = await makeTree(t, { 'a.txt': 'hello', 'preload.mjs': PRELOAD });
    const preload = pathToFileURL(`${root}/preload.mjs`).href;
    const { cli, port } = await startServing(t, [root, ...args], {
      env: { NODE_OPTIONS: `--import=${preload}` },
    });
    const reply = await get(port, '/a.txt');
    assert.equal(reply.status, 200);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exited, 0);
    assert.match(cli.stderr(), new RegExp(`loaded packages: ${escapeRegExp(JSON.stringify(packages))}`));
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
