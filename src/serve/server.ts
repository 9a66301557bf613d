// src/serve/server.ts
// startServer(): an http.Server for a folder, listening where it was asked (loopback on both
// IPv4 and IPv6 by default), with timeouts for slow clients and a graceful close().
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Server as NetServer, Socket } from 'node:net';
import type { LiveReload } from '../live/index.js';
import type { UpgradeProxy } from '../proxy/index.js';
import type { TlsMaterial, TlsServer } from '../tls/index.js';
import { type Capabilities, loadCapabilities } from './capabilities.js';
import { handlerFor, handlerForBoth } from './handler.js';
import { resolveConfig, type ServeConfig, type ServeOptions } from './options.js';

export interface StartOptions extends ServeOptions {
  /** TCP port; 0 picks any free port. @default 8000 */
  readonly port?: number;
  /**
   * Address to listen on. Undefined means loopback only, on 127.0.0.1 and ::1, so that
   * `http://localhost:PORT` works whichever the client tries first. `'::'` means every
   * interface, IPv4 and IPv6. @default undefined
   */
  readonly host?: string | undefined;
  /** When the port is taken, try the following ports instead of failing. @default false */
  readonly portFallback?: boolean;
  /** How long close() lets in-flight responses finish, in ms. @default 5000 */
  readonly gracePeriodMs?: number;
  /**
   * Advanced: overrides for the connection limits (tests shorten them). Leave unset in
   * normal use; the defaults are DEFAULT_TIMEOUTS.
   */
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Live reload: watch the root, add the reload script to pages, answer /__serve-here/. @default false */
  readonly watch?: boolean;
  /** Called with one line when an optional feature can't work (the OS refuses to watch). @default undefined */
  readonly onWarning?: ((message: string) => void) | undefined;
  /**
   * Serve HTTPS with this certificate chain and key (PEM), HTTP/2 and HTTP/1.1 on the same
   * port; a plain-HTTP request there is redirected to https://. @default undefined
   */
  readonly tls?: TlsMaterial | undefined;
}

/** Limits that stop slow, idle or stalled clients from holding connections (ms). */
export interface ServerTimeouts {
  /** A client must send its whole header block within this time (slowloris). */
  readonly headersMs: number;
  /** …and its whole request, body included. Responses are not limited by this. */
  readonly requestMs: number;
  /** An idle keep-alive connection is closed after this long. */
  readonly keepAliveMs: number;
  /**
   * A socket on which nothing moves in either direction for this long is dead. A slow but
   * steady download keeps moving, so it is never cut off by this.
   */
  readonly idleSocketMs: number;
  /** How often the header and request limits are checked (Node's default is 30 s). */
  readonly checkIntervalMs: number;
}

export interface RunningServer {
  /** The URL to open in a browser, e.g. `http://localhost:8000/` (`https://` with tls). */
  readonly url: string;
  readonly port: number;
  /** The address given, or undefined for loopback. */
  readonly host: string | undefined;
  /** node:http's Server, or with tls the Http2SecureServer (tls/). */
  readonly server: Server | TlsServer;
  /** The live reload of a server started with `watch` (await its `ready` before editing files). */
  readonly live: LiveReload | undefined;
  /** Stops accepting, lets in-flight responses finish (up to the grace period), then resolves. */
  close(): Promise<void>;
}

/**
 * node:net through require(), when the loopback listener needs it: an ES import would also
 * load its BlockList and SocketAddress classes (two more modules) on every start.
 */
const require = createRequire(import.meta.url);

export const DEFAULT_PORT = 8000;
/** How many ports after the requested one portFallback tries. */
const FALLBACK_ATTEMPTS = 20;

/** The production limits (see README, Security model). */
export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 15_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
  idleSocketMs: 120_000,
  checkIntervalMs: 1_000,
};

/** Starts serving; rejects with the listen error (code EADDRINUSE, EACCES…) if it cannot. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const configured = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  // An upload may take longer than any fixed limit; it is guarded by its own idle timer
  // (src/upload/) and every other request by idleSocketMs. (Node's requestTimeout covers the
  // whole body and cannot be lifted for one request.)
  const uploads = options.upload !== undefined && options.upload !== false;
  const limits = uploads ? { ...configured, requestMs: 0 } : configured;
  // Auth, URL rules and the proxy load only when the options use them (capabilities.ts); a bad
  // --auth spec or proxy rule throws here, before anything is watched or listening.
  const capabilities = await loadCapabilities(options);
  const resolved = resolveConfig(options, capabilities);
  // Loaded only for --watch: a plain start neither loads nor runs any of it.
  const live = options.watch === true ? await startLiveReload(resolved, options.onWarning) : undefined;
  const config = live === undefined ? resolved : { ...resolved, live };
  const plain =
    options.tls === undefined ? createHttpServer(config, options, capabilities, limits) : undefined;
  const upgrade = plain?.upgrade;
  const server =
    plain?.server ??
    (await import('../tls/index.js')).createTlsServer(options.tls as TlsMaterial, limits, (h2WriteHead) =>
      handlerForBoth(config, h2WriteHead),
    );
  const requested = options.port ?? DEFAULT_PORT;
  const attempts = options.portFallback === true && requested !== 0 ? FALLBACK_ATTEMPTS : 1;

  let extra: NetServer | undefined;
  let port = requested;
  for (let attempt = 0; ; attempt++) {
    try {
      extra = await listen(server, port, options.host);
      break;
    } catch (error) {
      const retry = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt + 1 < attempts;
      if (!retry || port >= 65535) {
        await live?.close();
        throw error;
      }
      port += 1;
    }
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: urlFor(options.host, boundPort, options.tls === undefined ? 'http' : 'https'),
    port: boundPort,
    host: options.host,
    server,
    live,
    close: async () => {
      // The events streams never finish on their own; ending them lets close() be quick.
      await live?.close();
      upgrade?.closeAll();
      return closeGracefully(server, extra, options.gracePeriodMs ?? 5_000);
    },
  };
}

async function startLiveReload(
  config: ServeConfig,
  onWarning: StartOptions['onWarning'],
): Promise<LiveReload> {
  const { createLiveReload } = await import('../live/index.js');
  const { root, dotfiles, followSymlinks } = config;
  return createLiveReload(root, { dotfiles, followSymlinks, onWarning });
}

/** The plain HTTP server, with the limits against slow clients. */
function createHttpServer(
  config: ServeConfig,
  options: StartOptions,
  capabilities: Capabilities,
  limits: ServerTimeouts,
): { server: Server; upgrade: UpgradeProxy | undefined } {
  const handler = handlerFor(config);
  const server = createServer(
    {
      // Whatever NODE_OPTIONS says: a request with both Content-Length and Transfer-Encoding,
      // or a bad chunk, is refused with 400 by Node's parser and never reaches a handler (nor
      // a proxied app: request smuggling, RFC 9112 §6.3 and §11.2).
      insecureHTTPParser: false,
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      keepAliveTimeout: limits.keepAliveMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    handler,
  );
  // With a proxy, WebSocket handshakes for its paths go to the app (src/proxy).
  const upgrade = capabilities.proxy?.createUpgradeListener(options.proxy, {
    timeoutMs: options.proxyTimeoutMs,
    onError: options.onError,
    plain: handler,
  });
  if (upgrade !== undefined) server.on('upgrade', upgrade.listener);
  server.setTimeout(limits.idleSocketMs);
  // By default Node aborts every pending response as soon as the client half-closes its side
  // (`printf 'GET / …' | nc`, some proxies): the client then gets nothing at all. Let such a
  // client still receive its answers; the socket is ended after the last one. (Long-standing
  // Server property, missing from @types/node.)
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return { server, upgrade };
}

/** The URL a person should open for a server listening on `host`. */
export function urlFor(host: string | undefined, port: number, scheme: 'http' | 'https' = 'http'): string {
  if (host === undefined || host === '::' || host === '0.0.0.0' || host === 'localhost') {
    return `${scheme}://localhost:${port}/`;
  }
  return host.includes(':') ? `${scheme}://[${host}]:${port}/` : `${scheme}://${host}:${port}/`;
}

/**
 * Listens on `host`, or on loopback: the http server takes 127.0.0.1 and a plain net server
 * takes ::1 on the same port and hands its connections over, so one server sees both.
 */
async function listen(
  server: NetServer,
  port: number,
  host: string | undefined,
): Promise<NetServer | undefined> {
  if (host === '::') {
    // Every interface; a machine without IPv6 falls back to every IPv4 interface.
    await listenOnce(server, port, '::').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EAFNOSUPPORT' && error.code !== 'EADDRNOTAVAIL') throw error;
      return listenOnce(server, port, '0.0.0.0');
    });
    return undefined;
  }
  if (host !== undefined) {
    await listenOnce(server, port, host);
    return undefined;
  }
  await listenOnce(server, port, '127.0.0.1');
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const { createServer: createNetServer } = require('node:net') as typeof import('node:net');
  const ipv6 = createNetServer((socket: Socket) => server.emit('connection', socket));
  try {
    await listenOnce(ipv6, bound, '::1');
    return ipv6;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A machine without IPv6 still serves on IPv4.
    if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return undefined;
    await new Promise<void>((done) => server.close(() => done()));
    throw error;
  }
}

function listenOnce(server: NetServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host, exclusive: true });
  });
}

function closeGracefully(
  server: Server | TlsServer,
  extra: NetServer | undefined,
  graceMs: number,
): Promise<void> {
  return new Promise((resolve) => {
    extra?.close();
    // Responses finishing after close() leave keep-alive sockets behind; sweep them.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
