// bench/servers.ts
// Starts the servers under test as child processes on loopback (serve-here's built CLI, the
// naive Node reference, nginx with one worker), times start to first 200 and reads their RSS
// from /proc. Knows nothing about wrk or scenarios.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export type ServerName = 'serve-here' | 'naive' | 'nginx';

export interface ServerSpec {
  readonly name: ServerName;
  readonly command: string;
  readonly args: (port: number) => string[];
  /** Removes whatever the spec wrote to disk. */
  readonly cleanup?: () => Promise<void>;
}

export interface RunningChild {
  readonly name: ServerName;
  readonly port: number;
  readonly pid: number;
  /** From spawn to the first 200 for /small.txt, in ms. */
  readonly startupMs: number;
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The path the readiness probe asks for; every corpus has it. */
const PROBE_PATH = '/small.txt';
const START_TIMEOUT_MS = 10_000;

/** True when `command --version`-style probing finds the program. */
export function hasProgram(command: string, args: readonly string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

export interface SpecOptions {
  readonly root: string;
  /** Extra node flags for serve-here, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
}

export function serveHereSpec(options: SpecOptions): ServerSpec {
  // BENCH_BIN runs another build (say a copy from before a change) under the same harness.
  const bin = process.env.BENCH_BIN ?? join(repoRoot, 'bin', 'serve-here.js');
  return {
    name: 'serve-here',
    command: process.execPath,
    args: (port) => [
      ...(options.nodeArgs ?? []),
      bin,
      options.root,
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--quiet',
    ],
  };
}

export function naiveSpec(options: SpecOptions): ServerSpec {
  const script = join(repoRoot, 'dist', 'bench', 'naive-server.js');
  return { name: 'naive', command: process.execPath, args: (port) => [script, options.root, String(port)] };
}

/**
 * nginx with one worker, sendfile on, logging off and gzip only for clients that ask (the
 * Accept-Encoding runs), from a config written to a temporary prefix. Ports are baked into the
 * config, so each start writes its own.
 */
export async function nginxSpec(options: SpecOptions): Promise<ServerSpec> {
  const prefix = await mkdtemp(join(tmpdir(), 'serve-here-nginx-'));
  return {
    name: 'nginx',
    command: 'nginx',
    args: (port) => {
      const dir = join(prefix, String(port));
      const conf = join(dir, 'nginx.conf');
      // Synchronous because args() is; this runs at bench start-up, never during a measurement.
      mkdirSync(dir, { recursive: true });
      writeFileSync(conf, nginxConfig(dir, options.root, port));
      return ['-p', `${dir}/`, '-c', conf, '-e', 'stderr'];
    },
    cleanup: () => rm(prefix, { recursive: true, force: true }),
  };
}

function nginxConfig(dir: string, root: string, port: number): string {
  return `
worker_processes 1;
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
  types { text/plain txt; text/html html; application/octet-stream bin; }
  default_type application/octet-stream;
  charset utf-8;
  gzip on;
  gzip_types text/plain;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    autoindex on;
  }
}
`;
}

/** A free loopback port (there is a small race until the server takes it; fine for a bench). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Status of one GET, with the body read to the end; 0 when the connection fails. */
export function probe(port: number, path: string): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      res.on('error', () => resolve({ status: 0, etag: undefined }));
    });
    req.on('error', () => resolve({ status: 0, etag: undefined }));
  });
}

/**
 * Spawns a server (with `env`, by default the bench's own environment) and resolves once it
 * has answered 200 (polling every millisecond).
 */
export async function startChild(
  spec: ServerSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningChild> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(spec.command, spec.args(port), { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    const { status } = await probe(port, PROBE_PATH);
    if (status === 200) break;
    if (exited || performance.now() - started > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`${spec.name} did not start (last status ${status}): ${stderr.trim().slice(0, 500)}`);
    }
    await delay(1);
  }
  const startupMs = performance.now() - started;
  return {
    name: spec.name,
    port,
    pid: child.pid ?? 0,
    startupMs,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // SIGINT lets serve-here exit normally, which is what writes a --cpu-prof profile.
  child.kill(child.spawnfile === 'nginx' ? 'SIGTERM' : 'SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** The process and its children (nginx's worker), from /proc. */
function processTree(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(children === '' ? [] : children.split(/\s+/).map(Number))];
  } catch {
    return [pid];
  }
}

/** One field of /proc/<pid>/status in KiB (VmRSS: now; VmHWM: the peak so far). */
function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of the server's process tree, in MiB. */
export function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  return processTree(pid).reduce((sum, p) => sum + statusKiB(p, field), 0) / 1024;
}

/** CPU time (user + system) the process tree has used so far, in ms; 100 ticks a second. */
export function cpuMs(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      // Fields 14 and 15 (utime, stime) follow the ")" that ends the command name.
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process is gone; it used nothing more.
    }
  }
  return ticks * 10;
}

/** Samples the tree's RSS every `everyMs` until stopped; returns the largest sample in MiB. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}
