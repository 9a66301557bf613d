// bench/tls.ts
// `npm run bench -- --only tls`: serve-here over HTTPS/1.1 (wrk) and HTTP/2 (h2load) beside
// nginx with the same certificate (`listen … ssl http2`, one worker), for a 1 KiB and a 100 MiB
// file, with the same two files over plain HTTP for the ratio to compare against.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { prepareTls } from '../src/tls/index.js';
import { BIG_SIZE, createCorpus, SMALL_SIZE } from './corpus.js';
import { cpuMs, freePort, nginxSpec, serveHereSpec, startChild } from './servers.js';
import { runWrk, writeCheckScript } from './wrk.js';

type Tool = 'wrk' | 'h2load';
type Scheme = 'http' | 'https';

interface TlsScenario {
  readonly label: string;
  readonly scheme: Scheme;
  readonly tool: Tool;
  readonly path: string;
  readonly size: number;
  readonly unit: 'req/s' | 'MB/s';
  /** wrk connections, or h2load clients. */
  readonly connections: number;
  /** h2load streams per connection. */
  readonly streams?: number;
}

const SCENARIOS: readonly TlsScenario[] = [
  {
    label: '1 KiB, plain HTTP/1.1, wrk 50 conn.',
    scheme: 'http',
    tool: 'wrk',
    path: '/small.txt',
    size: SMALL_SIZE,
    unit: 'req/s',
    connections: 50,
  },
  {
    label: '1 KiB, HTTPS/1.1, wrk 50 conn.',
    scheme: 'https',
    tool: 'wrk',
    path: '/small.txt',
    size: SMALL_SIZE,
    unit: 'req/s',
    connections: 50,
  },
  {
    label: '1 KiB, h2, h2load 10 conn. × 10 streams',
    scheme: 'https',
    tool: 'h2load',
    path: '/small.txt',
    size: SMALL_SIZE,
    unit: 'req/s',
    connections: 10,
    streams: 10,
  },
  {
    label: '100 MiB, plain HTTP/1.1, wrk 4 conn.',
    scheme: 'http',
    tool: 'wrk',
    path: '/big.bin',
    size: BIG_SIZE,
    unit: 'MB/s',
    connections: 4,
  },
  {
    label: '100 MiB, HTTPS/1.1, wrk 4 conn.',
    scheme: 'https',
    tool: 'wrk',
    path: '/big.bin',
    size: BIG_SIZE,
    unit: 'MB/s',
    connections: 4,
  },
  {
    label: '100 MiB, h2, h2load 4 conn. × 1 stream',
    scheme: 'https',
    tool: 'h2load',
    path: '/big.bin',
    size: BIG_SIZE,
    unit: 'MB/s',
    connections: 4,
    streams: 1,
  },
];

interface Measurement {
  readonly value: number;
  /** Server CPU per request, µs. */
  readonly cpuUs: number;
}

type Outcome = Measurement | { readonly error: string };

interface Target {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The shortest measurement of the 100 MiB rows, in seconds. */
const BIG_MIN_SECONDS = 20;

/** Runs the TLS rows; returns the Markdown table and whether any run failed its checks. */
export async function runTlsBench(options: {
  seconds: number;
  warmup: number;
}): Promise<{ table: string; failed: boolean }> {
  process.stderr.write('bench tls: writing the corpus and a certificate…\n');
  const corpus = await createCorpus();
  const scratch = await mkdtemp(join(tmpdir(), 'serve-here-tls-bench-'));
  const results = new Map<string, Map<string, Outcome>>();
  try {
    const setup = await prepareTls({
      https: true,
      host: '127.0.0.1',
      lanAddresses: [],
      env: { SERVE_HERE_CONFIG_DIR: join(scratch, 'ca') },
      shown: String,
    });
    if (setup.kind !== 'ready') throw new Error(setup.message);
    const cert = join(scratch, 'cert.pem');
    const key = join(scratch, 'key.pem');
    await writeFile(cert, setup.material.cert);
    await writeFile(key, setup.material.key, { mode: 0o600 });
    const script = await writeCheckScript(scratch);
    const servers: [string, Record<Scheme, () => Promise<Target>>][] = [
      [
        'serve-here',
        {
          http: () => startChild(serveHereSpec({ root: corpus.root })),
          https: () =>
            startTls(process.execPath, (port) => [
              join(repoRoot, 'bin', 'serve-here.js'),
              corpus.root,
              ...[
                '--port',
                String(port),
                '--host',
                '127.0.0.1',
                '--quiet',
                '--tls-cert',
                cert,
                '--tls-key',
                key,
              ],
            ]),
        },
      ],
      [
        'nginx',
        {
          http: async () => startChild(await nginxSpec({ root: corpus.root })),
          https: () => startNginxTls(scratch, corpus.root, cert, key),
        },
      ],
    ];
    for (const [name, start] of servers) {
      const outcomes = new Map<string, Outcome>();
      results.set(name, outcomes);
      for (const scheme of ['http', 'https'] as const) {
        const target = await start[scheme]();
        try {
          for (const scenario of SCENARIOS.filter((s) => s.scheme === scheme)) {
            process.stderr.write(`bench tls: ${scenario.label} on ${name}…\n`);
            outcomes.set(scenario.label, await measure(scenario, target, script, options));
          }
        } finally {
          await target.stop();
        }
      }
    }
  } finally {
    await corpus.remove();
    await rm(scratch, { recursive: true, force: true });
  }
  return report(results);
}

async function measure(
  scenario: TlsScenario,
  target: Target,
  script: string,
  options: { seconds: number; warmup: number },
): Promise<Outcome> {
  const url = `${scenario.scheme}://127.0.0.1:${target.port}${scenario.path}`;
  try {
    const run = (seconds: number) =>
      scenario.tool === 'wrk'
        ? runWrk(script, {
            url,
            connections: scenario.connections,
            seconds,
            headers: {},
            expectStatus: 200,
            body: { min: scenario.size, max: scenario.size },
            statusHook: scenario.size < 1024 * 1024,
          }).then((r) => {
            if (r.failure !== undefined) throw new Error(r.failure);
            return {
              requests: r.requests,
              value: scenario.unit === 'MB/s' ? r.megabytesPerSecond : r.requestsPerSecond,
            };
          })
        : runH2load(url, scenario, seconds);
    // A warm-up too short to finish a 100 MiB response is still a warm-up: its checks don't count.
    if (options.warmup > 0) await run(options.warmup).catch(() => undefined);
    const before = cpuMs(target.pid);
    // A 100 MiB response over TLS takes a second or more per connection: give every
    // connection time to finish several, or a short run counts none.
    const seconds =
      scenario.size > 1024 * 1024 ? Math.max(options.seconds, BIG_MIN_SECONDS) : options.seconds;
    const { requests, value } = await run(seconds);
    return { value, cpuUs: ((cpuMs(target.pid) - before) * 1000) / Math.max(1, requests) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * One h2load run (one thread, like wrk) and its checks: every request succeeded with a 2xx,
 * and the data received is the body size times the requests (h2load counts only responses
 * finished within the duration).
 */
async function runH2load(
  url: string,
  scenario: TlsScenario,
  seconds: number,
): Promise<{ requests: number; value: number }> {
  // h2load counts only the responses finished in a timed run: the 100 MiB rows ask for a
  // fixed number instead (two per connection) and time them.
  const amount = scenario.size > 1024 * 1024 ? `-n${scenario.connections * 2}` : `-D${seconds}`;
  const args = ['-t1', `-c${scenario.connections}`, `-m${scenario.streams ?? 1}`, amount, url];
  const out = await new Promise<string>((resolve, reject) => {
    execFile('h2load', args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`h2load failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
  const finished = /finished in ([\d.]+)(ms|s), ([\d.]+) req\/s/.exec(out);
  const requests =
    /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
  const status = /status codes: (\d+) 2xx/.exec(out);
  const traffic =
    /traffic: .*?, .*? headers .*?, ([\d.]+\w*B) \((\d+)\) data/.exec(out) ??
    /traffic: .* ([\d]+) data/.exec(out);
  if (finished === null || requests === null || status === null)
    throw new Error(`h2load printed no summary:\n${out}`);
  const succeeded = Number(requests[2]);
  if (succeeded === 0) throw new Error('no complete response');
  if (Number(requests[3]) + Number(requests[4]) > 0)
    throw new Error(`h2load: ${requests[3]} failed, ${requests[4]} errored`);
  // A timed run's last responses may have their headers (2xx) but not their end.
  if (Number(status[1]) < succeeded)
    throw new Error(`${succeeded - Number(status[1])} responses were not 2xx`);
  const data = Number(traffic?.[2] ?? traffic?.[1] ?? Number.NaN);
  if (Number.isFinite(data) && data < succeeded * scenario.size) {
    throw new Error(`${Math.round(data / succeeded)} bytes per response, expected ${scenario.size}`);
  }
  const duration = Number(finished[1]) / (finished[2] === 'ms' ? 1000 : 1);
  const value = scenario.unit === 'MB/s' ? data / duration / 1e6 : Number(finished[3]);
  return { requests: succeeded, value };
}

/** Spawns a TLS server and waits until it answers 200 over HTTPS. */
async function startTls(command: string, args: (port: number) => string[]): Promise<Target> {
  const port = await freePort();
  const child = spawn(command, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = performance.now();
  while ((await httpsStatus(port)) !== 200) {
    if (child.exitCode !== null || performance.now() - started > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not start over TLS: ${stderr.trim().slice(0, 500)}`);
    }
    await delay(5);
  }
  return { port, pid: child.pid ?? 0, stop: () => stop(child) };
}

/** nginx, one worker, as in the plain rows, with `listen … ssl http2` and the same certificate. */
async function startNginxTls(scratch: string, root: string, cert: string, key: string): Promise<Target> {
  return startTls('nginx', (port) => {
    const dir = join(scratch, `nginx-${port}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `worker_processes 1;
daemon off;
master_process on;
user root;
pid ${dir}/nginx.pid;
error_log stderr crit;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  types { text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl http2;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${root};
  }
}
`,
    );
    return ['-p', `${dir}/`, '-c', conf, '-e', 'stderr'];
  });
}

function httpsStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = get(
      { host: '127.0.0.1', port, path: '/small.txt', rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(child.spawnfile === 'nginx' ? 'SIGTERM' : 'SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function report(results: ReadonlyMap<string, ReadonlyMap<string, Outcome>>): {
  table: string;
  failed: boolean;
} {
  const format = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: n < 100 ? 1 : 0 });
  const cell = (o: Outcome | undefined, unit: string): string =>
    o === undefined
      ? '—'
      : 'error' in o
        ? 'ERR'
        : `${format(o.value)} ${unit} (${format(o.cpuUs)} µs CPU/req)`;
  let failed = false;
  const lines = ['| TLS scenario | serve-here | nginx | serve-here / nginx |', '| --- | --- | --- | --- |'];
  const errors: string[] = [];
  for (const s of SCENARIOS) {
    const mine = results.get('serve-here')?.get(s.label);
    const theirs = results.get('nginx')?.get(s.label);
    for (const [name, o] of [
      ['serve-here', mine],
      ['nginx', theirs],
    ] as const) {
      if (o !== undefined && 'error' in o) {
        failed = true;
        errors.push(`${name}, ${s.label}: ${o.error.split('\n')[0]}`);
      }
    }
    const ratio =
      mine !== undefined && theirs !== undefined && !('error' in mine) && !('error' in theirs)
        ? `${(mine.value / theirs.value).toFixed(2)}×`
        : '—';
    lines.push(`| ${s.label} | ${cell(mine, s.unit)} | ${cell(theirs, s.unit)} | ${ratio} |`);
  }
  return { table: `${lines.join('\n')}\n${errors.map((e) => `\nERR ${e}`).join('')}\n`, failed };
}
