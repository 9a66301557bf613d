// bench/zip.ts
// The zip download's throughput: serve-here streaming a folder of 1 GiB (64 × 16 MiB of
// random bytes, plus text) as `?download=zip`, against `zip -0 -r` of the same folder writing
// to a pipe, the physical yardstick (store only, no network). Both read from the page cache.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasProgram, sampleRss, serveHereSpec, startChild } from './servers.js';

const FILE_MIB = 16;
const TEXT_FILES = 200;
const TEXT_SIZE = 64 * 1024;

export interface ZipBenchOptions {
  /** Size of the folder's binary part in MiB (BENCH_ZIP_MIB; default 1024). */
  readonly mib: number;
  readonly rounds: number;
}

/** Runs the zip bench and returns its report (a Markdown table and notes). */
export async function runZipBench(options: ZipBenchOptions): Promise<string> {
  const files = Math.max(1, Math.round(options.mib / FILE_MIB));
  const base = await mkdtemp(join(tmpdir(), 'serve-here-zip-bench-'));
  const folder = join(base, 'folder');
  try {
    process.stderr.write(`bench: zip: writing ${files} × ${FILE_MIB} MiB and ${TEXT_FILES} text files…\n`);
    await mkdir(join(folder, 'text'), { recursive: true });
    await writeFile(join(base, 'small.txt'), 'probe'); // what startChild asks for
    for (let i = 0; i < files; i++)
      await writeFile(join(folder, `blob-${i}.bin`), randomBytes(FILE_MIB << 20));
    const line = 'zip throughput of a folder of text and incompressible files\n';
    for (let i = 0; i < TEXT_FILES; i++) {
      await writeFile(join(folder, 'text', `t${i}.txt`), line.repeat(Math.ceil(TEXT_SIZE / line.length)));
    }
    const spec = serveHereSpec({ root: base });
    const child = await startChild({ ...spec, args: (port) => [...spec.args(port), '--zip'] });
    const mine: { mbps: number; bytes: number; peakMiB: number }[] = [];
    const theirs: { mbps: number; bytes: number }[] = [];
    const zipFound = hasProgram('zip', ['-v']);
    try {
      // A first pass of each puts the folder in the page cache; the rounds alternate after it.
      await download(child.port);
      if (zipFound) await zipToPipe(base);
      for (let round = 0; round < options.rounds; round++) {
        process.stderr.write(`bench: zip round ${round + 1} of ${options.rounds}…\n`);
        const rss = sampleRss(child.pid);
        const got = await download(child.port);
        mine.push({ ...got, peakMiB: rss.stop() });
        if (zipFound) theirs.push(await zipToPipe(base));
      }
    } finally {
      await child.stop();
    }
    const median = <T extends { mbps: number }>(runs: T[]): T | undefined =>
      [...runs].sort((a, b) => a.mbps - b.mbps)[Math.floor(runs.length / 2)];
    const m = median(mine);
    const z = median(theirs);
    const mib = (files * FILE_MIB * 1048576 + TEXT_FILES * TEXT_SIZE) / 1048576;
    return [
      '',
      `### Folder as zip (${mib.toFixed(0)} MiB: ${files} × ${FILE_MIB} MiB random, ${TEXT_FILES} × 64 KiB text; median of ${options.rounds})`,
      '',
      '| | serve-here `?download=zip` | `zip -0 -r -` to a pipe |',
      '| --- | --- | --- |',
      `| throughput (MB/s of archive) | ${m?.mbps.toFixed(0) ?? '—'} | ${z?.mbps.toFixed(0) ?? 'zip not installed'} |`,
      `| archive bytes | ${m?.bytes ?? '—'} | ${z?.bytes ?? '—'} |`,
      `| peak RSS of the server during the download | ${m?.peakMiB.toFixed(0) ?? '—'} MiB | |`,
      '',
      'serve-here stores the random files and deflates the text (level 1); zip -0 stores everything.',
      'serve-here adds HTTP over loopback and its client; zip writes straight into the pipe.',
      '',
    ].join('\n');
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** GETs /folder/?download=zip and counts the bytes. */
function download(port: number): Promise<{ mbps: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    get({ host: '127.0.0.1', port, path: '/folder/?download=zip', agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`zip download answered ${res.statusCode}`));
        else resolve({ mbps: bytes / 1e6 / ((performance.now() - started) / 1000), bytes });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** `zip -0 -r - folder`, its output counted and dropped. */
function zipToPipe(cwd: string): Promise<{ mbps: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const zip = spawn('zip', ['-0', '-r', '-q', '-', 'folder'], {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let bytes = 0;
    zip.stdout.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    zip.on('error', reject);
    zip.on('close', (code) => {
      if (code !== 0) reject(new Error(`zip exited with ${code}`));
      else resolve({ mbps: bytes / 1e6 / ((performance.now() - started) / 1000), bytes });
    });
  });
}
