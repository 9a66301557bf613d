// test/tls-helpers.ts
// A local certificate authority in a temporary config folder, a server over TLS, and
// clients that trust only that authority: node:https for HTTP/1.1, node:http2 for h2.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type ClientHttp2Session, connect as connectHttp2, type IncomingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { type RunningServer, type StartOptions, startServer } from '../src/serve/server.js';
import { type LocalCertificate, prepareTls } from '../src/tls/index.js';

/** A fresh config folder (removed after the test) and the --https certificate from it. */
export async function localCa(
  t: Pick<TestContext, 'after'>,
  host = '127.0.0.1',
): Promise<{ folder: string; local: LocalCertificate }> {
  const folder = await mkdtemp(join(tmpdir(), 'serve-here-config-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  const setup = await prepareTls({
    https: true,
    host,
    lanAddresses: [],
    env: { SERVE_HERE_CONFIG_DIR: folder },
    shown: String,
  });
  if (setup.kind !== 'ready' || setup.local === undefined)
    throw new Error(`no local CA: ${JSON.stringify(setup)}`);
  return { folder, local: setup.local };
}

/** Starts a TLS server on 127.0.0.1, port 0, with the local authority's leaf. */
export async function serveTls(
  t: Pick<TestContext, 'after'>,
  local: LocalCertificate,
  options: StartOptions,
): Promise<RunningServer> {
  const running = await startServer({
    host: '127.0.0.1',
    port: 0,
    tls: local.material,
    caCertificate: local.caCertificate,
    ...options,
  });
  t.after(() => {
    running.server.closeAllConnections();
    return running.close();
  });
  return running;
}

export interface TlsReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly httpVersion: string;
}

/** One HTTPS/1.1 request that trusts only `ca`, by name `servername` (checks the leaf's names). */
export async function httpsGet(
  port: number,
  ca: string,
  path: string,
  headers: Record<string, string> = {},
  servername = 'localhost',
): Promise<TlsReply> {
  const req = httpsRequest({ host: '127.0.0.1', servername, port, path, ca, headers, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: Buffer.concat(chunks),
    httpVersion: res.httpVersion,
  };
}

/** An h2 session that trusts only `ca`; closed after the test. */
export async function h2Session(
  t: Pick<TestContext, 'after'>,
  port: number,
  ca: string,
): Promise<ClientHttp2Session> {
  // By name (the leaf must cover `localhost`), on the address the server listens on.
  const session = connectHttp2(`https://localhost:${port}`, {
    createConnection: () =>
      tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2'] }),
  });
  t.after(() => session.destroy());
  await once(session, 'remoteSettings');
  return session;
}

/** One request on an h2 session. */
export async function h2Get(
  session: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<TlsReply> {
  const stream = session.request({ ':path': path, ':method': method, ...headers });
  stream.end();
  const [responseHeaders] = (await once(stream, 'response')) as [IncomingHttpHeaders];
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return {
    status: Number(responseHeaders[':status']),
    headers: responseHeaders,
    body: Buffer.concat(chunks),
    httpVersion: '2.0',
  };
}
