// src/tls/tls-server.ts
// The HTTPS server: HTTP/2 and HTTP/1.1 on one port (ALPN, RFC 7301), the same limits against
// slow clients as the plain server plus HTTP/2's own, a plain-HTTP request answered instead of
// left hanging, and a graceful close that also winds down HTTP/2 sessions.

import type { OutgoingHttpHeaders } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { Handler } from '../serve/handler.js';
import type { ServerTimeouts } from '../serve/server.js';
import type { TlsMaterial } from './pem-files.js';
import { answerPlainHttp, isTlsClientHello, MAX_PLAIN_HEAD_BYTES } from './plain-http.js';

/**
 * The server startServer() gets back: an Http2SecureServer with the two connection-closing
 * methods of node:http's Server, so that the graceful close works the same on both.
 */
export type TlsServer = Http2SecureServer & {
  /** Closes idle HTTP/1.1 connections and asks every HTTP/2 session to finish (GOAWAY). */
  closeIdleConnections(): void;
  /** Destroys every connection at once. */
  closeAllConnections(): void;
};

/**
 * HTTP/2's own limits against abusive clients. Streams per connection as nginx's default
 * (http2_max_concurrent_streams 128 in nginx is close; 100 is what RFC 9113 §6.5.2 recommends
 * as a minimum); the header list as large as node:http accepts (16 KiB); the rest are Node's
 * defaults, set here so that they are visible and cannot drift.
 */
export const H2_LIMITS = {
  maxConcurrentStreams: 100,
  maxHeaderListSize: 16 * 1024,
  /** Entries in one SETTINGS frame. */
  maxSettings: 32,
  /** PINGs the client may leave unanswered (flood protection; nghttp2 bounds SETTINGS too). */
  maxOutstandingPings: 10,
  /** Memory one session may use for its buffers, in MB. */
  maxSessionMemory: 10,
  /** Invalid frames and refused streams after which a session is closed. */
  maxSessionInvalidFrames: 1000,
  maxSessionRejectedStreams: 100,
} as const;

/**
 * An h2 response with the `destroyed` flag the pipeline reads on node:http responses (a
 * client gone before a file opened must not leak its descriptor). @types/node declares it, but
 * Node 20's Http2ServerResponse has none.
 */
class ServeHereResponse extends Http2ServerResponse {
  /**
   * Node's compatibility writeHead takes a header list through removeHeader and appendHeader,
   * one field at a time, then again through respond(): a fifth of the CPU of a small file over
   * h2. A plain list (the pipeline's own) goes to the stream's respond() at once; anything else
   * (fields set before, a repeated or connection-specific name) takes Node's way.
   */
  override writeHead(statusCode: number, reasonOrHeaders?: unknown, headers?: unknown): this {
    const given = typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders;
    const stream = this.stream;
    const fields =
      Array.isArray(given) && this.getHeaderNames().length === 0 && !stream.headersSent && !stream.closed
        ? h2Fields(statusCode, given)
        : undefined;
    if (fields === undefined) {
      return super.writeHead(statusCode, reasonOrHeaders as never, headers as never) as this;
    }
    this.statusCode = statusCode;
    // No trailers: the body's last DATA frame ends the stream (Node's way waits for trailers
    // and sends an empty frame after it).
    stream.respond(fields, { waitForTrailers: false });
    return this;
  }
}

/**
 * Fields that RFC 9113 §8.2.2 forbids in HTTP/2: a list with one of them goes to Node's own
 * writeHead, which drops them (respond() would throw).
 */
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'http2-settings',
]);

/** A flat header list as respond()'s object, or undefined when a name repeats or is forbidden. */
function h2Fields(statusCode: number, list: readonly unknown[]): OutgoingHttpHeaders | undefined {
  // Node's way refuses an odd list and reads a list of pairs; neither is ours.
  if (list.length % 2 !== 0 || Array.isArray(list[0])) return undefined;
  const fields: OutgoingHttpHeaders = { ':status': statusCode };
  for (let i = 0; i < list.length; i += 2) {
    const name = String(list[i]).toLowerCase();
    // `__proto__` would set the object's prototype rather than a field: Node's way handles it.
    if (Object.hasOwn(fields, name) || CONNECTION_SPECIFIC.has(name) || name === '__proto__')
      return undefined;
    fields[name] = list[i + 1] as string;
  }
  return fields;
}

Object.defineProperty(ServeHereResponse.prototype, 'destroyed', {
  get(this: Http2ServerResponse): boolean {
    return this.stream.destroyed;
  },
});

/**
 * Creates the HTTPS server (not yet listening). `createHandler` makes the request handler
 * for both protocols given the writeHead of h2 responses; it comes from the caller, so that
 * this module (a chunk of its own in the CLI bundle) shares no code with start-up.
 */
export function createTlsServer(
  tls: TlsMaterial,
  limits: ServerTimeouts,
  createHandler: (h2WriteHead: (...args: never[]) => unknown) => Handler,
): TlsServer {
  const handler = createHandler(ServeHereResponse.prototype.writeHead);
  const server = createSecureServer(
    {
      cert: tls.cert,
      key: tls.key,
      passphrase: tls.passphrase,
      allowHTTP1: true,
      minVersion: 'TLSv1.2',
      // A client must finish the TLS handshake as quickly as it must send its headers.
      handshakeTimeout: limits.headersMs,
      settings: {
        maxConcurrentStreams: H2_LIMITS.maxConcurrentStreams,
        maxHeaderListSize: H2_LIMITS.maxHeaderListSize,
        enablePush: false,
      },
      maxHeaderListPairs: 128,
      maxSettings: H2_LIMITS.maxSettings,
      maxOutstandingPings: H2_LIMITS.maxOutstandingPings,
      maxSessionMemory: H2_LIMITS.maxSessionMemory,
      maxSessionInvalidFrames: H2_LIMITS.maxSessionInvalidFrames,
      maxSessionRejectedStreams: H2_LIMITS.maxSessionRejectedStreams,
      Http2ServerResponse: ServeHereResponse,
    },
    handler as never,
  );
  // HTTP/1.1 connections (allowHTTP1) go through node:http's connection handling, which reads
  // these from the server: the same limits as the plain server's. For HTTP/2 sessions, the
  // idle limit (setTimeout) closes a session on which nothing moved for that long.
  const http1 = server as unknown as {
    headersTimeout: number;
    requestTimeout: number;
    keepAliveTimeout: number;
    connectionsCheckingInterval: number;
    httpAllowHalfOpen: boolean;
  };
  http1.headersTimeout = limits.headersMs;
  http1.requestTimeout = limits.requestMs;
  http1.keepAliveTimeout = limits.keepAliveMs;
  http1.connectionsCheckingInterval = limits.checkIntervalMs;
  http1.httpAllowHalfOpen = true;
  server.setTimeout(limits.idleSocketMs);

  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    closeWhenIdle(session, limits);
  });
  const sockets = routePlainHttp(server, limits.headersMs);
  // Declared by Node for allowHTTP1 servers, missing from @types/node.
  const closeIdleHttp1 = (server as unknown as { closeIdleConnections(): void }).closeIdleConnections.bind(
    server,
  );
  return Object.assign(server, {
    closeIdleConnections(): void {
      closeIdleHttp1();
      for (const session of sessions) if (!session.closed) session.close();
    },
    closeAllConnections(): void {
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
    },
  });
}

/**
 * HTTP/2's version of the HTTP/1.1 header and keep-alive limits: a session must bring its first
 * request within the header limit, and one with no open stream for the keep-alive time is
 * closed (GOAWAY, RFC 9113 §6.8), so idle or silent clients don't hold connections.
 */
function closeWhenIdle(session: ServerHttp2Session, limits: ServerTimeouts): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined;
  const wait = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!session.closed) session.close();
    }, ms).unref();
  };
  wait(limits.headersMs);
  session.on('stream', (stream) => {
    open += 1;
    clearTimeout(timer);
    stream.once('close', () => {
      open -= 1;
      if (open === 0) wait(limits.keepAliveMs);
    });
  });
  session.once('close', () => clearTimeout(timer));
}

/**
 * Puts a look at the first byte in front of the TLS server's own connection handler: a TLS
 * handshake goes on to it, anything else is read as a plain HTTP request and answered with a
 * redirect to https:// (or a 400), then closed. Returns the set of open connections.
 */
function routePlainHttp(server: Http2SecureServer, headersMs: number): Set<Socket> {
  const handlers = server.listeners('connection') as ((socket: Socket) => void)[];
  const [startTls] = handlers;
  if (handlers.length !== 1 || startTls === undefined) {
    throw new Error('node:tls changed: expected one connection handler on the TLS server');
  }
  server.removeListener('connection', startTls);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Until a byte arrives, nothing else watches this socket: give up as on a silent client.
    const drop = (): void => void socket.destroy();
    socket.on('error', drop);
    socket.setTimeout(headersMs, drop);
    socket.once('readable', () => {
      const chunk = socket.read() as Buffer | null;
      if (chunk === null || chunk.length === 0) return drop();
      if (isTlsClientHello(chunk[0] as number)) {
        socket.off('error', drop);
        socket.setTimeout(0);
        // Put the bytes back: the TLS socket reads what its parent has buffered first.
        socket.unshift(chunk);
        startTls.call(server, socket);
      } else {
        answerPlain(socket, chunk);
      }
    });
  });
  return sockets;
}

/** Reads the rest of a plain request's head (bounded), answers it and closes. */
function answerPlain(socket: Socket, first: Buffer): void {
  let head = first.toString('latin1');
  const answer = (): void => {
    socket.off('data', more);
    const end = head.indexOf('\r\n\r\n');
    // A head that never ends within the limit gets the 400.
    socket.end(answerPlainHttp(end === -1 ? '' : head.slice(0, end)));
  };
  const more = (chunk: Buffer): void => {
    head += chunk.toString('latin1');
    if (head.includes('\r\n\r\n') || head.length > MAX_PLAIN_HEAD_BYTES) answer();
  };
  if (head.includes('\r\n\r\n') || head.length > MAX_PLAIN_HEAD_BYTES) {
    answer();
    return;
  }
  socket.on('data', more);
  socket.resume();
}
