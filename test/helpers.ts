// test/helpers.ts
// Shared test helpers: real folders in a temp dir, a real server on port 0, and HTTP clients
// that send paths byte for byte (http.request and raw sockets; fetch would normalise them).
import { once } from 'node:events';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { type RunningServer, type StartOptions, startServer } from '../src/serve/server.js';

/** A file's content, a folder (`{}` marker via trailing '/'), or a symlink. */
export type TreeSpec = Readonly<Record<string, string | Buffer | { readonly symlink: string }>>;

/**
 * Creates a temp folder with `spec` (keys are relative paths; a key ending in '/' is a
 * folder) and removes it after the test. Returns the folder's absolute path.
 */
export async function makeTree(t: Pick<TestContext, 'after'>, spec: TreeSpec): Promise<string> {
  const base = await mkdtemp(join(tmpdir(), 'serve-here-'));
  t.after(() => removeTree(base));
  for (const [name, content] of Object.entries(spec)) {
    const path = join(base, name);
    if (name.endsWith('/')) {
      await mkdir(path, { recursive: true });
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) await symlink(content.symlink, path);
    else await writeFile(path, content);
  }
  return base;
}

/**
 * Removes a test's folder. A test that took the permissions away from a folder inside it (mode
 * 000, to check a 403) leaves one that a normal user cannot empty; root can, which is why only
 * a run as a normal user ever saw the removal fail, and the test fail in its cleanup.
 */
async function removeTree(base: string): Promise<void> {
  try {
    await rm(base, { recursive: true, force: true });
  } catch {
    await allowOwner(base);
    await rm(base, { recursive: true, force: true });
  }
}

/** Gives the owner back every folder under `dir` (links are left alone, never followed). */
async function allowOwner(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await allowOwner(join(dir, entry.name));
  }
}

/** Starts a real server on 127.0.0.1, port 0, and closes it after the test. */
export async function serve(t: Pick<TestContext, 'after'>, options: StartOptions): Promise<RunningServer> {
  const server = await startServer({ host: '127.0.0.1', port: 0, ...options });
  t.after(() => {
    server.server.closeAllConnections();
    return server.close();
  });
  return server;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** Sends one request with the path exactly as given (no normalisation) and reads the reply. */
export async function get(
  port: number,
  path: string,
  headers: OutgoingHttpHeaders = {},
  method = 'GET',
): Promise<Reply> {
  const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') };
}

/** Writes `text` to a raw socket and returns everything the server sends until it closes. */
export async function rawRequest(port: number, text: string | Buffer): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  // write(), not end(): Node's server aborts a request whose client half-closes before the
  // (asynchronous) response is ready, so end() would lose every reply that touches the disk.
  socket.write(text);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

/** A raw GET of `target` with Connection: close; returns the status code and the whole reply. */
export async function rawGet(port: number, target: string): Promise<{ status: number; reply: string }> {
  const reply = await rawRequest(
    port,
    `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
  );
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
  return { status, reply };
}
