// test/cli-helpers.ts
// Spawns the real bin (node bin/serve-here.js) and waits for what it prints, without sleeps.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/serve-here.js', import.meta.url));

export interface Cli {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout (waits for more output as needed). */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Runs `serve-here ...args`; the environment has no PORT unless given, and no colour. */
export interface CliOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Run as this user id (and the same group id); only root may ask for it. */
  readonly uid?: number;
  /** Another copy of bin/serve-here.js to run (test/unprivileged.ts makes one). */
  readonly bin?: string;
}

export function startCli(args: readonly string[], options: CliOptions = {}): Cli {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  if (options.env?.PORT === undefined) delete env.PORT;
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(pattern) {
      for (;;) {
        const match = pattern.exec(out);
        if (match !== null) return match;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`serve-here exited before printing ${pattern}; stdout: ${out} stderr: ${err}`);
        }
        await Promise.race([once(child.stdout as NodeJS.ReadableStream, 'data'), exited]);
      }
    },
  };
}

/** Runs serve-here to completion (for commands that exit by themselves). */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const code = await cli.exited;
  // Let the pipes drain after exit.
  await Promise.all([
    cli.child.stdout?.readableEnded ? undefined : once(cli.child.stdout as NodeJS.ReadableStream, 'end'),
    cli.child.stderr?.readableEnded ? undefined : once(cli.child.stderr as NodeJS.ReadableStream, 'end'),
  ]);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Starts serve-here, waits for its URL, and kills it after the test. */
export async function startServing(
  t: { after(fn: () => unknown): void },
  args: readonly string[],
  options: CliOptions = {},
): Promise<{ cli: Cli; url: string; port: number }> {
  const cli = startCli(args, options);
  t.after(() => {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });
  const match = await cli.waitFor(/http:\/\/[^\s/]+:(\d+)\//);
  return { cli, url: match[0], port: Number(match[1]) };
}
