// test/child-server.ts
// Test helpers for running the real CLI as a child process and watching it from outside:
// its port, its stderr, and its descriptor and memory use read from /proc (Linux only).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { TestContext } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

const REPO = new URL('../../', import.meta.url).pathname;
export const LINUX = process.platform === 'linux';

export interface ChildServer {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Open descriptors, from /proc/<pid>/fd. */
  fdCount(): number;
  /** Resident memory in KiB, from /proc/<pid>/status. */
  rssKiB(): number;
}

/**
 * Runs `serve-here <root> <args…> --port 0 --quiet` in a child process (under `ulimit -n` when
 * `fdLimit` is given) and resolves once its banner names the port. Killed after the test.
 */
export async function spawnServer(
  t: Pick<TestContext, 'after'>,
  root: string,
  fdLimit?: number,
  args: readonly string[] = [],
): Promise<ChildServer> {
  const command = `${fdLimit === undefined ? '' : `ulimit -n ${fdLimit} && `}exec "$0" bin/serve-here.js "$@" --port 0 --quiet`;
  const child = spawn('sh', ['-c', command, process.execPath, root, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/[^/\s]+:(\d+)\//.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const pid = child.pid ?? 0;
  return {
    process: child,
    pid,
    port,
    stderr: () => stderr,
    fdCount: () => readdirSync(`/proc/${pid}/fd`).length,
    rssKiB: () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0),
  };
}

/**
 * Another process closes descriptors in its own time and there is no event for it, so this
 * polls until `done()` holds or `ms` pass, and returns whether it held.
 */
export async function settle(done: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await delay(50);
  }
  return true;
}

/**
 * GETs `path` and hangs up: as soon as the first body bytes arrive, or (`early`) right after
 * the request is sent, while the server is still resolving and opening the file.
 */
export async function abortedDownload(port: number, path: string, early = false): Promise<void> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  req.on('error', () => {});
  req.end();
  if (early) {
    await once(req, 'finish');
    await new Promise((resolve) => setImmediate(resolve));
    req.destroy();
    return;
  }
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.on('error', () => {});
  await once(res, 'data');
  req.destroy();
}

/** Runs `task` `count` times, `width` at a time. */
export async function inParallel(
  count: number,
  width: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}
