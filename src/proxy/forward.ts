// src/proxy/forward.ts
// Passes one request to the app and its answer back: both bodies streamed with backpressure,
// the app's head unchanged but for hop-by-hop fields, 502 when the app can't be reached, 504
// when it is too slow to start answering, and the app's request cancelled if the client leaves.
import type { Agent, IncomingMessage } from 'node:http';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '../http/errors.js';
import type { Exchange } from '../serve/exchange.js';
import { openAppRequest } from './client.js';
import { responseHeadersForClient } from './headers.js';
import type { ProxyTarget } from './target.js';

/** How a forwarded request is sent. */
export interface ForwardSettings {
  readonly agentFor: (target: ProxyTarget) => Agent;
  /** The app must start its answer within this long after it has the whole request (ms). */
  readonly timeoutMs: number;
}

/** Why the app gave no answer; the message is for the operator's log, never for the client. */
export class ProxyError extends Error {
  constructor(
    message: string,
    readonly code: 'PROXY_UNREACHABLE' | 'PROXY_TIMEOUT' | 'PROXY_BAD_RESPONSE',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Forwards the exchange's request to `target`. Rejects with HttpError 502 or 504 (its cause a
 * ProxyError for the log) while no head has been sent; after that a failure cuts the
 * connection, as the status can no longer change.
 */
export function forwardRequest(
  exchange: Exchange,
  target: ProxyTarget,
  settings: ForwardSettings,
): Promise<void> {
  const { req, res } = exchange;
  const encoding = req.headers['transfer-encoding'];
  // RFC 9112 §6.1: a transfer coding we can't pass on faithfully earns a 501.
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'chunked') {
    return Promise.reject(new HttpError(501));
  }
  return new Promise((resolve, reject) => {
    const upstream = openAppRequest(req, target, { upgrade: false, agent: settings.agentFor(target) });
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    // The clock starts once the app has the whole request: an upload may take its time.
    upstream.once('finish', () => {
      timer = setTimeout(() => {
        timedOut = true;
        upstream.destroy();
      }, settings.timeoutMs);
    });
    // A client that closes its side before the answer is complete has left, as nginx takes it
    // too (the server keeps such sockets half open so that `printf … | nc` gets its file, but
    // an app's work for nobody is not worth keeping).
    const socket = req.socket;
    const halfClosed = (): void => void res.destroy();
    socket.once('end', halfClosed);
    res.once('close', () => {
      socket.off('end', halfClosed);
      // The client is gone before the app's answer ended: stop the app's work too.
      if (!res.writableFinished) upstream.destroy();
    });
    if (socket.readableEnded) res.destroy();
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // After the head, the response pipeline settles (and cuts the connection).
      if (res.headersSent) return;
      if (res.destroyed) {
        resolve();
        return;
      }
      reject(
        timedOut
          ? new HttpError(
              504,
              {},
              new ProxyError(
                `proxy: ${target.label} sent no answer within ${seconds(settings.timeoutMs)}`,
                'PROXY_TIMEOUT',
              ),
            )
          : new HttpError(502, {}, unreachable(target, error)),
      );
    });
    upstream.once('response', (answer) => {
      clearTimeout(timer);
      const failure = writeAppHead(exchange, answer);
      if (failure !== undefined) {
        upstream.destroy();
        reject(
          new HttpError(502, {}, new ProxyError(`proxy: ${target.label} ${failure}`, 'PROXY_BAD_RESPONSE')),
        );
        return;
      }
      pipeline(answer, res).then(resolve, (error: unknown) => {
        upstream.destroy();
        reject(error);
      });
    });
    req.pipe(upstream);
  });
}

/**
 * Writes the app's status and fields as the response head, none of serve-here's own added
 * (its writeHead is the plain one again): the app's Location, cookies and caching pass as
 * they are. Returns why the head can't be sent instead, leaving the response untouched.
 */
function writeAppHead(exchange: Exchange, answer: IncomingMessage): string | undefined {
  const { res } = exchange;
  const head = responseHeadersForClient(answer.rawHeaders, false);
  try {
    for (let i = 0; i + 1 < head.length; i += 2) {
      validateHeaderName(head[i] as string);
      validateHeaderValue(head[i] as string, head[i + 1] as string);
    }
  } catch {
    return 'sent a header field Node refuses to pass on';
  }
  Reflect.deleteProperty(res, 'writeHead');
  for (let i = 0; i + 1 < head.length; i += 2) res.appendHeader(head[i] as string, head[i + 1] as string);
  const status = answer.statusCode ?? 502;
  if (answer.statusMessage) res.writeHead(status, answer.statusMessage);
  else res.writeHead(status);
  return undefined;
}

/** The log line for an app that could not be reached. */
function unreachable(target: ProxyTarget, error: NodeJS.ErrnoException): ProxyError {
  const why =
    error.code === 'ECONNREFUSED'
      ? 'refused the connection (is the app running?)'
      : error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN'
        ? 'has a host name that does not resolve'
        : `could not be reached (${error.code ?? error.message})`;
  return new ProxyError(`proxy: ${target.label} ${why}`, 'PROXY_UNREACHABLE', { cause: error });
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
