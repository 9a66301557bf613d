// bench/live.ts
// The --watch rows (`npm run bench -- --only watch`): an HTML page's throughput with the
// live-reload script injected, as a ratio of the same page without it (goal ≥ 0.9×), and
// start-up and idle memory on a 10,000-file tree with and without --watch (goals: under a
// second; within 20 MiB).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLiveReload } from '../src/live/index.js';
import { cpuMs, type RunningChild, rssMiB, type ServerSpec, serveHereSpec, startChild } from './servers.js';
import { runWrk } from './wrk.js';

export interface LiveBenchFlags {
  readonly seconds: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly startupRuns: number;
}

/** A page of the size a hand-written page has (about 4 KiB), with a stylesheet link. */
const PAGE = `<!doctype html><html><head><title>page</title><link rel="stylesheet" href="s.css"></head><body>\n${'<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n'.repeat(48)}</body></html>\n`;

const FOLDERS = 100;
const FILES_PER_FOLDER = 100;

export async function runLiveBench(flags: LiveBenchFlags, script: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'serve-here-live-bench-'));
  try {
    await writeFile(join(root, 'small.txt'), 'probe\n');
    await writeFile(join(root, 'page.html'), PAGE);
    for (let d = 0; d < FOLDERS; d++) {
      const folder = join(root, 'tree', `d${d}`);
      await mkdir(folder, { recursive: true });
      await Promise.all(
        Array.from({ length: FILES_PER_FOLDER }, (_, f) => writeFile(join(folder, `f${f}.txt`), `${d}/${f}`)),
      );
    }
    const plainSpec = serveHereSpec({ root });
    const watchSpec: ServerSpec = { ...plainSpec, args: (port) => [...plainSpec.args(port), '--watch'] };
    const lines: string[] = [];
    const rows: string[][] = [];

    for (const [label, headers] of [
      ['page.html, identity', {}],
      ['page.html, br', { 'Accept-Encoding': 'br' }],
    ] as const) {
      const rates: Record<'plain' | 'watch', number[]> = { plain: [], watch: [] };
      // CPU per response as well: on a shared machine it moves far less than req/s does.
      const cpu: Record<'plain' | 'watch', number[]> = { plain: [], watch: [] };
      for (let round = 0; round < flags.rounds; round++) {
        for (const [name, spec] of [
          ['plain', plainSpec],
          ['watch', watchSpec],
        ] as const) {
          process.stderr.write(
            `bench: watch, ${label} on ${name} (round ${round + 1} of ${flags.rounds})…\n`,
          );
          const child = await startChild(spec);
          try {
            const request = {
              url: `http://127.0.0.1:${child.port}/page.html`,
              connections: 50,
              headers,
              expectStatus: 200,
              body: { min: 100, max: PAGE.length + 200 },
              statusHook: true,
            };
            if (flags.warmup > 0) await runWrk(script, { ...request, seconds: flags.warmup });
            const cpuBefore = cpuMs(child.pid);
            const result = await runWrk(script, { ...request, seconds: flags.seconds });
            if (result.failure !== undefined) throw new Error(`${name}: ${result.failure}`);
            rates[name].push(result.requestsPerSecond);
            cpu[name].push(((cpuMs(child.pid) - cpuBefore) * 1000) / result.requests);
          } finally {
            await child.stop();
          }
        }
      }
      const plain = median(rates.plain);
      const watch = median(rates.watch);
      rows.push([`${label} (req/s)`, fmt(plain), fmt(watch), `${(watch / plain).toFixed(2)}× (goal ≥ 0.9×)`]);
      const cpuPlain = median(cpu.plain);
      const cpuWatch = median(cpu.watch);
      rows.push([
        `${label} (CPU µs/response)`,
        cpuPlain.toFixed(1),
        cpuWatch.toFixed(1),
        `${(cpuPlain / cpuWatch).toFixed(2)}× as many per CPU second`,
      ]);
    }

    // Start-up (spawn to the first 200) and idle memory on the 10,000-file tree.
    const startup: Record<'plain' | 'watch', number[]> = { plain: [], watch: [] };
    const idle: Record<'plain' | 'watch', number[]> = { plain: [], watch: [] };
    for (let run = 0; run < flags.startupRuns; run++) {
      for (const [name, spec] of [
        ['plain', plainSpec],
        ['watch', watchSpec],
      ] as const) {
        const child: RunningChild = await startChild(spec);
        startup[name].push(child.startupMs);
        // The scan of 10,000 files is done well within this; then the process is idle.
        await delay(1500);
        idle[name].push(rssMiB(child.pid));
        await child.stop();
      }
    }
    const idlePlain = median(idle.plain);
    const idleWatch = median(idle.watch);
    rows.push([
      'start-up, 10,000 files (ms)',
      median(startup.plain).toFixed(0),
      median(startup.watch).toFixed(0),
      'goal < 1000 ms',
    ]);
    rows.push([
      'idle RSS, 10,000 files (MiB)',
      idlePlain.toFixed(1),
      idleWatch.toFixed(1),
      `+${(idleWatch - idlePlain).toFixed(1)} MiB (goal ≤ +20)`,
    ]);

    // The watcher's first scan of the tree, in this process.
    const scans: number[] = [];
    for (let run = 0; run < flags.startupRuns; run++) {
      const started = performance.now();
      const live = createLiveReload(root);
      await live.ready;
      scans.push(performance.now() - started);
      await live.close();
    }
    rows.push([
      'watcher ready, 10,000 files (ms)',
      '',
      median(scans).toFixed(0),
      `${FOLDERS + 2} folders watched`,
    ]);

    lines.push(
      '',
      `### --watch (live reload), ${flags.rounds} round(s) of ${flags.seconds} s, 50 connections, median`,
      '',
      '| measure | without --watch | with --watch | ratio / goal |',
      '| --- | --- | --- | --- |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
    );
    return lines.join('\n');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
