// bench/bench.ts
// `npm run bench`: serve-here against a naive Node server and nginx (one worker), side by side
// on a generated corpus, with wrk. Prints one Markdown table of throughput, latency, start-up
// and memory (including growth over a mixed-load soak, bench/soak.ts), with ratios and the
// targets of issue 7. Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BIG_SIZE, createCorpus, LISTED_FILES, MEDIUM_SIZE, SMALL_SIZE } from './corpus.js';
import { runLiveBench } from './live.js';
import {
  cpuMs,
  naiveSpec,
  nginxSpec,
  probe,
  type RunningChild,
  rssMiB,
  type ServerName,
  type ServerSpec,
  serveHereSpec,
  startChild,
} from './servers.js';
import {
  GROWTH_LIMIT_MIB,
  noGrowth,
  runSoak,
  SOAK_CONNECTIONS,
  type SoakFiles,
  type SoakResult,
  writeSoakScript,
} from './soak.js';
import { runWrk, type WrkResult, writeCheckScript } from './wrk.js';

interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly path: string;
  readonly connections: number;
  readonly unit: 'req/s' | 'MB/s';
  readonly expectStatus: number;
  readonly body: { readonly min: number; readonly max: number };
  readonly statusHook: boolean;
  readonly headers?: (etag: string) => Record<string, string>;
  /** Least acceptable serve-here/nginx ratio (issue 7). */
  readonly target?: number;
}

const MIB = 1024 * 1024;
const RANGE_START = 50 * MIB;
const COMPRESS = { 'Accept-Encoding': 'br, gzip' };

/** In table order; the 100 MiB run goes first so that the peak RSS belongs to it. */
const SCENARIOS: readonly Scenario[] = [
  {
    id: 'small',
    label: '1 KiB file, 50 conn.',
    path: '/small.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 200,
    body: { min: SMALL_SIZE, max: SMALL_SIZE },
    statusHook: true,
    target: 0.5,
  },
  {
    id: 'medium',
    label: '64 KiB file, 50 conn.',
    path: '/medium.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 200,
    body: { min: MEDIUM_SIZE, max: MEDIUM_SIZE },
    statusHook: true,
    target: 0.4,
  },
  {
    id: 'big',
    label: '100 MiB file, 4 conn.',
    path: '/big.bin',
    connections: 4,
    unit: 'MB/s',
    expectStatus: 200,
    body: { min: BIG_SIZE, max: BIG_SIZE },
    statusHook: false,
    target: 0.75,
  },
  {
    id: 'range',
    label: '1 MiB range of the 100 MiB file, 50 conn.',
    path: '/big.bin',
    connections: 50,
    unit: 'req/s',
    expectStatus: 206,
    body: { min: MIB, max: MIB },
    statusHook: false,
    headers: () => ({ Range: `bytes=${RANGE_START}-${RANGE_START + MIB - 1}` }),
    target: 0.5,
  },
  {
    id: 'listing',
    label: `listing of a ${LISTED_FILES.toLocaleString('en-US')}-file folder, 4 conn.`,
    path: '/many/',
    connections: 4,
    unit: 'req/s',
    expectStatus: 200,
    // Every entry's name (10 bytes) appears at least once.
    body: { min: LISTED_FILES * 10, max: 64 * MIB },
    statusHook: true,
    target: 1,
  },
  {
    id: 'revalidate',
    label: 'revalidation (304), 50 conn.',
    path: '/small.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 304,
    body: { min: 0, max: 0 },
    statusHook: true,
    headers: (etag) => ({ 'If-None-Match': etag }),
    target: 0.5,
  },
  {
    id: 'notfound',
    label: '404, 50 conn.',
    path: '/missing.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 404,
    body: { min: 0, max: 16 * 1024 },
    statusHook: true,
    target: 0.5,
  },
  {
    id: 'small-br',
    label: '1 KiB file, `Accept-Encoding: br, gzip`, 50 conn.',
    path: '/small.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 200,
    body: { min: 1, max: SMALL_SIZE },
    statusHook: true,
    headers: () => COMPRESS,
  },
  {
    id: 'medium-br',
    label: '64 KiB file, `Accept-Encoding: br, gzip`, 50 conn.',
    path: '/medium.txt',
    connections: 50,
    unit: 'req/s',
    expectStatus: 200,
    body: { min: 1, max: MEDIUM_SIZE },
    statusHook: true,
    headers: () => COMPRESS,
  },
];

const SERVER_ORDER: readonly ServerName[] = ['serve-here', 'naive', 'nginx'];
/**
 * The soak runs on serve-here and, for reference, the naive server. nginx's one worker works
 * in fixed buffers and would add another soak's worth of time to every full run.
 */
const SOAK_SERVERS: readonly ServerName[] = ['serve-here', 'naive'];
const SOAK_FILES: SoakFiles = {
  smallSize: SMALL_SIZE,
  mediumSize: MEDIUM_SIZE,
  range: [RANGE_START, RANGE_START + MIB - 1],
  listingMin: LISTED_FILES * 10,
};
/**
 * 60 s (after the warm-up) keeps the full run under about 7 minutes while covering about a
 * quarter of a million requests; longer soaks (--soak 600) are for when a leak is suspected.
 */
const SOAK_DEFAULT_SECONDS = 60;
/**
 * Under this mix serve-here's RSS takes a minute or so to reach its working size (heap,
 * malloc arenas, the cached files and their compressed forms, the read-buffer pool) and then
 * stays there: in a 240 s soak (--soak 240) it went 201 MiB at the start, then peaked at 211,
 * 216 and 216 MiB in the three thirds; an in-process run showed 10 MiB of heap after a forced GC. A
 * shorter warm-up reads that climb as growth (a 30 s soak after 15 s failed the check once in
 * three runs).
 */
const SOAK_MIN_WARMUP = 30;
const STARTUP_TARGET_MS = 80;
const IDLE_TARGET_MIB = 60;
const PEAK_TARGET_MIB = 100;

interface Flags {
  seconds: number;
  warmup: number;
  startupRuns: number;
  /** Rounds of every scenario; each figure reported is the median round. */
  rounds: number;
  only: Set<string> | undefined;
  servers: Set<ServerName>;
  cpuProf: string | undefined;
  /** Length of the mixed soak in seconds; 0 skips it. */
  soak: number;
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = {
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    warmup: 1,
    startupRuns: 5,
    rounds: 3,
    only: undefined,
    servers: new Set(SERVER_ORDER),
    cpuProf: undefined,
    soak: SOAK_DEFAULT_SECONDS,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--seconds') flags.seconds = Number(value());
    else if (arg === '--quick')
      Object.assign(flags, { seconds: 1, warmup: 0, startupRuns: 2, rounds: 1, soak: 6 });
    else if (arg === '--rounds') flags.rounds = Number(value());
    else if (arg === '--soak') flags.soak = Number(value());
    else if (arg === '--only') flags.only = new Set(value().split(','));
    else if (arg === '--servers') flags.servers = new Set(value().split(',') as ServerName[]);
    else if (arg === '--cpu-prof') flags.cpuProf = value();
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--seconds N | --quick] [--only small,medium,big,range,listing,' +
          'revalidate,notfound,small-br,medium-br,soak,watch] [--servers serve-here,naive,nginx] [--soak N]\n' +
          '       [--rounds N] [--cpu-prof DIR]\n' +
          '  --rounds N: runs of every scenario, servers alternating; the median is reported (default 3; --quick: 1)\n' +
          '  BENCH_SECONDS=N sets the seconds per run as well (default 5; --quick: 1, no warm-up)\n' +
          `  --soak N: seconds of the mixed-load memory soak, run last on serve-here and naive (default ${SOAK_DEFAULT_SECONDS};\n` +
          `    --quick: 6; 0 skips it), after a warm-up of a sixth of it, at least ${SOAK_MIN_WARMUP} s (--quick: 2 s). --only soak runs just the soak.\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown flag ${arg} (see --help)`);
  }
  if (!Number.isInteger(flags.seconds) || flags.seconds < 1) {
    throw new Error('--seconds / BENCH_SECONDS must be a whole number of seconds, at least 1');
  }
  if (!Number.isInteger(flags.rounds) || flags.rounds < 1) {
    throw new Error('--rounds must be a whole number, at least 1');
  }
  if (!Number.isInteger(flags.soak) || (flags.soak !== 0 && flags.soak < 3)) {
    throw new Error('--soak must be 0 (no soak) or a whole number of seconds, at least 3');
  }
  return flags;
}

function found(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
}

function nginxVersion(): string | undefined {
  const result = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (result.error !== undefined) return undefined;
  return /nginx\/([\d.]+)/.exec(result.stderr)?.[1] ?? 'unknown';
}

/** A wrk result plus the server's CPU time per request, which load on the machine barely moves. */
type Measured = (WrkResult & { readonly cpuUsPerRequest: number }) | { readonly error: string };

/** The run with the median throughput; a failed run instead, if any failed, so it is shown. */
function medianRun(runs: readonly Measured[], unit: Scenario['unit']): Measured | undefined {
  const failure = runs.find((m) => 'error' in m || m.failure !== undefined);
  if (failure !== undefined) return failure;
  const sorted = [...runs].sort((a, b) => throughput(a, unit) - throughput(b, unit));
  return sorted[(sorted.length - 1) >> 1];
}

interface ServerRecord {
  readonly child: RunningChild;
  readonly etag: string;
  readonly idleMiB: number;
  startupRuns: number[];
  /** Start-up without NODE_EXTRA_CA_CERTS, measured only when the bench's environment sets it. */
  readonly cleanStartupRuns: number[];
  peakMiB?: number;
  finalMiB?: number;
  soak?: SoakResult;
  /** Every round's run, by scenario. */
  readonly runs: Map<string, Measured[]>;
  /** The median round of each scenario (or a failed one), as reported. */
  readonly results: Map<string, Measured>;
}

/**
 * NODE_EXTRA_CA_CERTS makes every Node process read and parse that certificate file as it
 * starts, before any of its own code runs: on the machine this bench was written on, where the
 * sandbox sets it to the system's whole CA bundle, `node -e 0` took 60–90 ms with it and
 * 25–30 without. The start-up target is about the server's own work, so when the variable is set
 * the bench measures start-up both ways and judges the target on the run without it.
 */
const cleanEnv: NodeJS.ProcessEnv | undefined = (() => {
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return undefined;
  const { NODE_EXTRA_CA_CERTS: _, ...rest } = process.env;
  return rest;
})();

async function startOnce(spec: ServerSpec, env?: NodeJS.ProcessEnv): Promise<number> {
  const child = await startChild(spec, env);
  await child.stop();
  return child.startupMs;
}

/** Median wall time of `node -e 0` over 5 runs with `env`, in ms. */
function nodeStartMs(env: NodeJS.ProcessEnv): number {
  const runs = Array.from({ length: 5 }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
    return performance.now() - started;
  });
  return median(runs);
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (!found('wrk', ['-v'])) {
    process.stdout.write(
      'bench: wrk is not installed, so there is nothing to measure.\n' +
        '  Debian/Ubuntu: sudo apt-get install wrk nginx    macOS: brew install wrk nginx\n',
    );
    return;
  }
  const nginx = nginxVersion();
  if (nginx === undefined) {
    flags.servers.delete('nginx');
    process.stdout.write(
      'bench: nginx is not installed; running without it (sudo apt-get install nginx, or brew install nginx).\n',
    );
  }
  if (flags.only?.has('watch')) {
    const scratch = await mkdtemp(join(tmpdir(), 'serve-here-wrk-'));
    process.stdout.write(await runLiveBench(flags, await writeCheckScript(scratch)));
    await rm(scratch, { recursive: true, force: true });
    if (flags.only.size === 1) return;
  }
  const scenarios = SCENARIOS.filter((s) => flags.only === undefined || flags.only.has(s.id));
  const servers = SERVER_ORDER.filter((name) => flags.servers.has(name));
  const soak = flags.soak > 0 && (flags.only === undefined || flags.only.has('soak'));

  process.stderr.write('bench: writing the corpus…\n');
  const corpus = await createCorpus();
  const scratch = await mkdtemp(join(tmpdir(), 'serve-here-wrk-'));
  const script = await writeCheckScript(scratch);
  const soakScript = await writeSoakScript(scratch);
  const specOptions = {
    root: corpus.root,
    nodeArgs: flags.cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${flags.cpuProf}`],
  };
  const specs = new Map<ServerName, ServerSpec>();
  for (const name of servers) {
    if (name === 'serve-here') specs.set(name, serveHereSpec(specOptions));
    if (name === 'naive') specs.set(name, naiveSpec(specOptions));
    if (name === 'nginx') specs.set(name, await nginxSpec(specOptions));
  }

  const records = new Map<ServerName, ServerRecord>();
  let failed = false;
  try {
    for (const [name, spec] of specs) {
      const child = await startChild(spec);
      const { etag } = await probe(child.port, '/small.txt');
      records.set(name, {
        child,
        etag: etag ?? '',
        idleMiB: Number.NaN,
        startupRuns: [child.startupMs],
        cleanStartupRuns: [],
        runs: new Map(),
        results: new Map(),
      });
    }
    // Let start-up garbage settle before calling the memory "idle".
    await delay(500);
    for (const record of records.values()) Object.assign(record, { idleMiB: rssMiB(record.child.pid) });

    const order = [...scenarios].sort((a, b) => Number(b.id === 'big') - Number(a.id === 'big'));
    // Rounds, servers alternating within each: a slow spell on the machine lands on one run of
    // one server, and the median of the rounds leaves it out.
    for (let round = 1; round <= flags.rounds; round++) {
      for (const scenario of order) {
        for (const [name, record] of records) {
          const of = flags.rounds > 1 ? ` (round ${round} of ${flags.rounds})` : '';
          process.stderr.write(`bench: ${scenario.id} on ${name}${of}…\n`);
          const request = {
            url: `http://127.0.0.1:${record.child.port}${scenario.path}`,
            connections: scenario.connections,
            headers: scenario.headers?.(record.etag) ?? {},
            expectStatus: scenario.expectStatus,
            body: scenario.body,
            statusHook: scenario.statusHook,
          };
          let measured: Measured;
          try {
            if (flags.warmup > 0) await runWrk(script, { ...request, seconds: flags.warmup });
            const cpuBefore = cpuMs(record.child.pid);
            const result = await runWrk(script, { ...request, seconds: flags.seconds });
            const cpuUsPerRequest = ((cpuMs(record.child.pid) - cpuBefore) * 1000) / result.requests;
            measured = { ...result, cpuUsPerRequest };
          } catch (error) {
            measured = { error: (error as Error).message };
          }
          if ('error' in measured || measured.failure !== undefined) failed = true;
          record.runs.set(scenario.id, [...(record.runs.get(scenario.id) ?? []), measured]);
          // The first round's peak: the 100 MiB run goes first, so it is that run's.
          if (scenario.id === 'big' && round === 1) record.peakMiB = rssMiB(record.child.pid, 'VmHWM');
        }
      }
    }
    for (const record of records.values()) {
      for (const scenario of scenarios) {
        const median = medianRun(record.runs.get(scenario.id) ?? [], scenario.unit);
        if (median !== undefined) record.results.set(scenario.id, median);
      }
    }
    // Last, so that the server has already been through every scenario.
    for (const [name, record] of records) {
      if (!soak || !SOAK_SERVERS.includes(name)) continue;
      process.stderr.write(`bench: ${flags.soak} s soak on ${name}…\n`);
      const target = { port: record.child.port, pid: record.child.pid, etag: record.etag };
      // RSS takes a few seconds of this mix to reach its plateau; growth is measured from there.
      // --quick (no warm-ups anywhere) only checks that the soak runs; its verdict means little.
      const warmup = flags.warmup === 0 ? 2 : Math.max(SOAK_MIN_WARMUP, Math.round(flags.soak / 6));
      record.soak = await runSoak(soakScript, target, { seconds: flags.soak, warmup, files: SOAK_FILES });
      if ('error' in record.soak) failed = true;
    }
    for (const record of records.values()) record.finalMiB = rssMiB(record.child.pid);
  } finally {
    for (const record of records.values()) await record.child.stop();
  }

  try {
    // Start-up again, a few times each, one process at a time; and, when the environment sets
    // NODE_EXTRA_CA_CERTS, as often without it (see CA_CERTS_NOTE).
    for (let run = 0; run < flags.startupRuns; run++) {
      for (const [name, spec] of specs) {
        const record = records.get(name);
        if (run > 0) record?.startupRuns.push(await startOnce(spec));
        if (cleanEnv !== undefined) record?.cleanStartupRuns.push(await startOnce(spec, cleanEnv));
      }
    }
  } finally {
    for (const spec of specs.values()) await spec.cleanup?.();
    await corpus.remove();
    await rm(scratch, { recursive: true, force: true });
  }

  const nodeAlone =
    cleanEnv === undefined ? undefined : { as: nodeStartMs(process.env), clean: nodeStartMs(cleanEnv) };
  process.stdout.write(report({ flags, scenarios, soak, nodeAlone }, records, nginx));
  if (failed) {
    process.stdout.write(
      '\nSome runs failed their checks (marked ERR above); their numbers are not shown.\n',
    );
    process.exitCode = 1;
  }
}

// ---------------------------------------------------------------- report

const number = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function throughput(m: Measured | undefined, unit: Scenario['unit']): number {
  if (m === undefined || 'error' in m || m.failure !== undefined) return Number.NaN;
  return unit === 'MB/s' ? m.megabytesPerSecond : m.requestsPerSecond;
}

function cell(m: Measured | undefined, unit: Scenario['unit'], absent: boolean): string {
  if (absent) return '—';
  if (m === undefined) return '—';
  if ('error' in m) return 'ERR';
  if (m.failure !== undefined) return 'ERR';
  const value = unit === 'MB/s' ? `${number(m.megabytesPerSecond)} MB/s` : number(m.requestsPerSecond);
  return m.warning === undefined ? value : `${value}*`;
}

function cpuPerRequest(m: Measured | undefined): string {
  if (m === undefined || 'error' in m || m.failure !== undefined) return '—';
  return number(m.cpuUsPerRequest, m.cpuUsPerRequest < 100 ? 1 : 0);
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—';
}

function report(
  run: {
    flags: Flags;
    scenarios: readonly Scenario[];
    soak: boolean;
    /** `node -e 0` with and without NODE_EXTRA_CA_CERTS, when the environment sets it. */
    nodeAlone: { as: number; clean: number } | undefined;
  },
  records: ReadonlyMap<ServerName, ServerRecord>,
  nginx: string | undefined,
): string {
  const { flags, scenarios } = run;
  const sh = records.get('serve-here');
  const naive = records.get('naive');
  const ngx = records.get('nginx');
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const s of scenarios) {
    const mine = sh?.results.get(s.id);
    const value = throughput(mine, s.unit);
    const nginxValue = throughput(ngx?.results.get(s.id), s.unit);
    const latency = mine === undefined || 'error' in mine || mine.failure !== undefined ? undefined : mine;
    let verdict = '';
    if (s.target !== undefined) {
      const met = Number.isFinite(value) && Number.isFinite(nginxValue) && value / nginxValue >= s.target;
      verdict = `≥ ${s.target}× nginx: ${Number.isFinite(nginxValue) ? (met ? 'met' : 'not met') : '?'}`;
    }
    rows.push([
      s.label,
      cell(mine, s.unit, sh === undefined),
      latency === undefined ? '—' : `${number(latency.p50Ms, 2)} ms`,
      latency === undefined ? '—' : `${number(latency.p99Ms, 2)} ms`,
      cell(naive?.results.get(s.id), s.unit, naive === undefined),
      cell(ngx?.results.get(s.id), s.unit, ngx === undefined),
      ratio(value, nginxValue),
      ratio(value, throughput(naive?.results.get(s.id), s.unit)),
      `${cpuPerRequest(mine)} / ${cpuPerRequest(ngx?.results.get(s.id))}`,
      verdict,
    ]);
    const rounds = sh?.runs.get(s.id) ?? [];
    if (s.target !== undefined && rounds.length > 1 && ngx !== undefined) {
      const perRound = rounds.map((m, i) =>
        ratio(throughput(m, s.unit), throughput(ngx.runs.get(s.id)?.[i], s.unit)),
      );
      notes.push(`${s.id}: serve-here / nginx by round: ${perRound.join(', ')}`);
    }
    for (const [name, record] of records) {
      const m = record.results.get(s.id);
      if (m === undefined) continue;
      if ('error' in m) notes.push(`ERR ${s.id} on ${name}: ${m.error}`);
      else if (m.failure !== undefined) notes.push(`ERR ${s.id} on ${name}: ${m.failure}`);
      else if (m.warning !== undefined) notes.push(`* ${s.id} on ${name}: ${m.warning}`);
    }
    if (s.id.endsWith('-br')) {
      const sizes = [...records]
        .map(([name, r]) => {
          const m = r.results.get(s.id);
          return m === undefined || 'error' in m ? '' : `${name} ${number(m.bytesPerResponse)}`;
        })
        .filter((x) => x !== '');
      notes.push(`${s.id}: bytes per response, headers included: ${sizes.join(', ')}`);
    }
  }
  const startup = (r: ServerRecord | undefined): number =>
    r === undefined ? Number.NaN : median(r.startupRuns);
  const cleanStartup = (r: ServerRecord | undefined): number =>
    r === undefined ? Number.NaN : median(r.cleanStartupRuns);
  const startupTarget = `< ${STARTUP_TARGET_MS} ms`;
  const startupRows: Array<[string, (r: ServerRecord | undefined) => number, string, string]> =
    run.nodeAlone === undefined
      ? [['start to first 200 (median)', startup, 'ms', startupTarget]]
      : [
          ['start to first 200, with NODE_EXTRA_CA_CERTS as set here (median)', startup, 'ms', ''],
          ['start to first 200, without NODE_EXTRA_CA_CERTS (median)', cleanStartup, 'ms', startupTarget],
        ];
  if (run.nodeAlone !== undefined) {
    notes.push(
      `NODE_EXTRA_CA_CERTS is set here: every Node process parses ${process.env.NODE_EXTRA_CA_CERTS} ` +
        `as it starts, before any of its code runs (node -e 0: ${number(run.nodeAlone.as)} ms with it, ` +
        `${number(run.nodeAlone.clean)} ms without). The start-up target is judged without it.`,
    );
  }
  const special: Array<[string, (r: ServerRecord | undefined) => number, string, string]> = [
    ...startupRows,
    ['memory idle (RSS)', (r) => r?.idleMiB ?? Number.NaN, 'MiB', `< ${IDLE_TARGET_MIB} MiB`],
    [
      'memory peak while 4 clients fetch 100 MiB',
      (r) => r?.peakMiB ?? Number.NaN,
      'MiB',
      `< ${PEAK_TARGET_MIB} MiB`,
    ],
    ['memory after all runs (RSS)', (r) => r?.finalMiB ?? Number.NaN, 'MiB', ''],
  ];
  const limits: Record<string, number> = {
    [`< ${STARTUP_TARGET_MS} ms`]: STARTUP_TARGET_MS,
    [`< ${IDLE_TARGET_MIB} MiB`]: IDLE_TARGET_MIB,
    [`< ${PEAK_TARGET_MIB} MiB`]: PEAK_TARGET_MIB,
  };
  for (const [label, read, unit, target] of special) {
    if (label.startsWith('memory peak') && !scenarios.some((s) => s.id === 'big')) continue;
    const mine = read(sh);
    const digits = unit === 'ms' ? 0 : 1;
    const show = (r: ServerRecord | undefined): string =>
      r === undefined || !Number.isFinite(read(r)) ? '—' : `${number(read(r), digits)} ${unit}`;
    const limit = limits[target];
    rows.push([
      label,
      show(sh),
      '',
      '',
      show(naive),
      show(ngx),
      ratio(mine, read(ngx)),
      ratio(mine, read(naive)),
      '',
      limit === undefined ? '' : `${target}: ${Number.isFinite(mine) && mine < limit ? 'met' : 'not met'}`,
    ]);
  }
  if (run.soak) {
    rows.push(...soakRows(flags.soak, records));
    notes.push(...soakNotes(records));
  }
  const header = [
    'scenario',
    'serve-here',
    'p50',
    'p99',
    'naive Node',
    `nginx${nginx === undefined ? '' : ` ${nginx}`}, 1 worker`,
    'serve-here / nginx',
    'serve-here / naive',
    'CPU µs per request, serve-here / nginx',
    'target (issue 7)',
  ];
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    '',
    `serve-here benchmark: ${flags.seconds} s per run${flags.warmup > 0 ? ` after a ${flags.warmup} s warm-up` : ''}, wrk -t1, loopback` +
      (flags.rounds > 1 ? `; each figure is the median of ${flags.rounds} rounds, servers alternating` : ''),
    `machine: ${cpus().length} cores (${cpu}), Node ${process.version}, nginx ${nginx ?? 'not installed'}`,
    'req/s unless marked; MB/s = 10^6 bytes/s including headers; p50/p99 are serve-here latencies;',
    'memory is the RSS of the whole process tree (nginx: master + worker); CPU per request is the',
    "server tree's user + system time over the run divided by the requests (10 ms clock ticks),",
    'which other load on the machine changes far less than req/s.',
    ...(run.soak
      ? [
          `The soak mixes 1 KiB, 64 KiB, a 1 MiB range, 304, 404, br/gzip and (every 200th) the listing,`,
          'aborts a connection every 100 ms, and samples RSS 4 times a second after a warm-up; "no growth"',
          `means the last third's max is less than ${GROWTH_LIMIT_MIB} MiB above the first third's, without a steady rise.`,
        ]
      : []),
    '',
    ...lines,
    '',
    ...notes,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).message}\n`);
  process.exitCode = 1;
});

// ---------------------------------------------------------------- soak rows

function soakCell(
  result: SoakResult | undefined,
  show: (r: Exclude<SoakResult, { error: string }>) => string,
): string {
  if (result === undefined) return '—';
  return 'error' in result ? 'ERR' : show(result);
}

function soakRows(seconds: number, records: ReadonlyMap<ServerName, ServerRecord>): string[][] {
  const mine = records.get('serve-here')?.soak;
  const naive = records.get('naive')?.soak;
  const ok = mine !== undefined && !('error' in mine) ? mine : undefined;
  const rps = (r: SoakResult | undefined): number =>
    r === undefined || 'error' in r ? Number.NaN : r.requestsPerSecond;
  const signed = (n: number, digits: number): string => `${n >= 0 ? '+' : ''}${number(n, digits)}`;
  const memory = (r: SoakResult | undefined): string =>
    soakCell(
      r,
      ({ memory: m }) =>
        `${[m.startMiB, m.firstThirdMaxMiB, m.lastThirdMaxMiB].map((n) => number(n, 1)).join(' / ')} MiB`,
    );
  const growth = (r: SoakResult | undefined): string =>
    soakCell(
      r,
      ({ memory: m }) => `${signed(m.growthMiB, 1)} MiB (${signed(m.growthMiBPerMinute, 1)} MiB/min)`,
    );
  const verdict = ok === undefined ? '?' : noGrowth(ok.memory) ? 'met' : 'not met';
  return [
    [
      `mixed soak, ${seconds} s, ${SOAK_CONNECTIONS} conn.`,
      soakCell(mine, (r) => number(r.requestsPerSecond)),
      ok === undefined ? '—' : `${number(ok.p50Ms, 2)} ms`,
      ok === undefined ? '—' : `${number(ok.p99Ms, 2)} ms`,
      soakCell(naive, (r) => number(r.requestsPerSecond)),
      '—',
      '—',
      ratio(rps(mine), rps(naive)),
      ok === undefined ? '' : `${number(ok.cpuUsPerRequest, ok.cpuUsPerRequest < 100 ? 1 : 0)} / —`,
      '',
    ],
    [
      'memory over the soak: start / first-third max / last-third max (RSS)',
      memory(mine),
      '',
      '',
      memory(naive),
      '—',
      '',
      '',
      '',
      '',
    ],
    [
      'memory growth over the soak (last-third max − first-third max)',
      growth(mine),
      '',
      '',
      growth(naive),
      '—',
      '',
      '',
      '',
      `no growth (< ${GROWTH_LIMIT_MIB} MiB): ${verdict}`,
    ],
  ];
}

function soakNotes(records: ReadonlyMap<ServerName, ServerRecord>): string[] {
  const notes: string[] = [];
  for (const [name, record] of records) {
    const r = record.soak;
    if (r === undefined) continue;
    if ('error' in r) {
      notes.push(`ERR soak on ${name}: ${r.error}`);
      continue;
    }
    const mix = Object.entries(r.sent)
      .map(([kind, n]) => `${kind} ${number(n)}`)
      .join(', ');
    const rise = r.memory.rising ? '; RSS rose in every third' : '';
    notes.push(
      `soak on ${name}: ${number(r.requests)} responses (${mix}), ${number(r.aborted)} aborted connections, ` +
        `${r.memory.samples} RSS samples, middle-third max ${number(r.memory.middleThirdMaxMiB, 1)} MiB${rise}`,
    );
    if (r.warning !== undefined) notes.push(`* soak on ${name}: ${r.warning}`);
  }
  return notes;
}
