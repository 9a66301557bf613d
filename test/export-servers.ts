// test/export-servers.ts
// Starts real nginx and Caddy with a config that --export wrote, on a free loopback port, and
// stops them after the test. The rule for skipping matches the browser tests': only outside CI,
// and only when the program is missing.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ExternalServer = 'nginx' | 'caddy';

export const PROGRAMS: Readonly<Record<ExternalServer, string>> = {
  nginx: '/usr/sbin/nginx',
  caddy: '/usr/bin/caddy',
};

/** A reason to skip, or false. In CI the programs must be there (.ci/run installs them). */
export function externalSkipReason(server: ExternalServer): string | false {
  if (existsSync(PROGRAMS[server]) || process.env.CI) return false;
  return `${PROGRAMS[server]} not found (apt-get install ${server === 'nginx' ? 'nginx-light' : 'caddy'}); set CI=1 to make this a failure`;
}

/** A port that was free a moment ago (the server under test binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once something accepts connections on the port, or rejects when `child` exits first. */
async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${log()}`);
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`server did not listen on ${port}: ${log()}`);
}

/**
 * Runs `server` with the exported text (for nginx, a server block that this wraps in a minimal
 * nginx.conf) until the test ends. Returns once it accepts connections on `port`.
 */
export async function startExternal(
  cleanUp: (fn: () => Promise<void>) => void,
  server: ExternalServer,
  exported: string,
  port: number,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `serve-here-${server}-`));
  let output = '';
  let child: ChildProcess;
  if (server === 'nginx') {
    await writeFile(join(dir, 'site.conf'), exported);
    // As root, workers would drop to `nobody`, who cannot enter the test's mode-700 folders.
    const user = process.getuid?.() === 0 ? 'user root;\n' : '';
    await writeFile(join(dir, 'nginx.conf'), `${user}daemon off;\nmaster_process off;\n${nginxWrapper(dir)}`);
    child = spawn(PROGRAMS.nginx, ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    await writeFile(join(dir, 'Caddyfile'), exported);
    child = spawn(PROGRAMS.caddy, ['run', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    });
  }
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  cleanUp(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  });
  await waitForPort(port, child, () => output);
}

/**
 * The nginx.conf around an exported server block (`dir`/site.conf): every file nginx writes
 * (pid, logs, temporary bodies) goes in `dir`, so neither `nginx -t` nor a run needs the
 * rights to Debian's /var/log/nginx and /var/lib/nginx, which only root has.
 */
function nginxWrapper(dir: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (kind) => `  ${kind}_temp_path ${dir}/tmp;\n`,
  );
  return `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n${temp.join('')}  include ${dir}/site.conf;\n}\n`;
}

/** Checks a config the way its program would: `nginx -t` (wrapped as above) or `caddy validate`. */
export async function validateExternal(
  server: ExternalServer,
  exported: string,
): Promise<{ ok: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), `serve-here-${server}-check-`));
  try {
    let args: string[];
    let env = process.env;
    if (server === 'nginx') {
      await writeFile(join(dir, 'site.conf'), exported);
      await writeFile(join(dir, 'nginx.conf'), nginxWrapper(dir));
      args = ['-t', '-q', '-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')];
    } else {
      await writeFile(join(dir, 'Caddyfile'), exported);
      args = ['validate', '--adapter', 'caddyfile', '--config', join(dir, 'Caddyfile')];
      env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    }
    const child = spawn(PROGRAMS[server], args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      output += c;
    });
    const [code] = await once(child, 'exit');
    return { ok: code === 0, output };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
