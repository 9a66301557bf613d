// src/proxy/index.ts
// The proxy to an app behind the pages: `--proxy URL` sends every request no file answers to
// the app, and the config file's `proxy` rules send matching paths to theirs before any file
// is looked for. Streams both ways, sets X-Forwarded-*, drops hop-by-hop fields, answers 502
// or 504 when the app can't, and passes WebSocket handshakes through.
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HttpError } from '../http/errors.js';
import type { Exchange } from '../serve/exchange.js';
import type { MaybePromise } from '../serve/maybe.js';
import { parseRequestPath, type RequestPath } from '../serve/request-path.js';
import { createAgents } from './client.js';
import { forwardRequest, ProxyError } from './forward.js';
import { matchesSource, parseSource, type SourcePattern } from './match.js';
import { type ProxyTarget, parseProxyTarget } from './target.js';
import { forwardUpgrade } from './upgrade.js';

export { parseSource } from './match.js';
export { type ProxyTarget, parseProxyTarget } from './target.js';

/** A proxy rule: requests whose path matches `source` go to the app at `destination`. */
export interface ProxyRoute {
  /** A path pattern: `/api` (that path), `/api/*` (one segment under it), `/api/**` (all of it). */
  readonly source: string;
  /** The app's URL, `http://localhost:3000`; a path in it goes before the request's path. */
  readonly destination: string;
}

/** The `proxy` option: one app for every request no file answers, or rules checked before files. */
export type ProxyOption = string | readonly ProxyRoute[];

/** How long the app has to start its answer before the client gets 504 (ms). */
export const DEFAULT_PROXY_TIMEOUT_MS = 30_000;

interface CompiledRule {
  readonly source: string;
  readonly pattern: SourcePattern;
  readonly target: ProxyTarget;
}

/** The proxy as the pipeline uses it; created once at start-up, only when the option is set. */
export interface AppProxy {
  /** Rules as given, for the banner (`source → destination`). */
  readonly rules: readonly ProxyRoute[];
  /** The `--proxy` app, when there is one. */
  readonly fallback: ProxyTarget | undefined;
  /**
   * Forwards the request when a rule takes its path (any method), or returns undefined.
   * Paths are matched decoded and normalised, so `/api/../admin` can't reach the app as
   * `/api/...`: a request spelled that way is answered as any non-canonical path is (a GET
   * is redirected to its canonical spelling, which is then matched), other methods get 400.
   */
  byRule(exchange: Exchange): MaybePromise<void> | undefined;
  /** Forwards the request to the `--proxy` app; the caller checks `fallback` first. */
  toFallback(exchange: Exchange): Promise<void>;
}

/**
 * Builds the proxy for `option`, or returns undefined when there is nothing to proxy. Throws a
 * TypeError naming the bad source or destination (the CLI and the config file check first).
 */
export function createProxy(
  option: ProxyOption | undefined,
  timeoutMs = DEFAULT_PROXY_TIMEOUT_MS,
): AppProxy | undefined {
  const compiled = compileProxyOption(option);
  if (compiled === undefined) return undefined;
  const { rules, fallback } = compiled;
  const settings = { agentFor: createAgents(), timeoutMs };
  return {
    rules: rules.map(({ source, target }) => ({ source, destination: target.label })),
    fallback,
    byRule(exchange) {
      if (rules.length === 0) return undefined;
      const path = parseRequestPath(exchange.req.url ?? '/');
      const rule = ruleFor(rules, path);
      if (rule === undefined) return undefined;
      if (!path.canonical) {
        const method = exchange.req.method;
        if (method === 'GET' || method === 'HEAD') return undefined;
        throw new HttpError(400);
      }
      return forwardRequest(exchange, rule.target, settings);
    },
    toFallback(exchange) {
      if (fallback === undefined) return Promise.reject(new HttpError(404));
      return forwardRequest(exchange, fallback, settings);
    },
  };
}

/** A server 'upgrade' listener, and a way to end the sockets it passed to apps. */
export interface UpgradeProxy {
  readonly listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * Closes every open tunnel. Node's server no longer tracks an upgraded socket, so neither
   * closeAllConnections() nor close() would end it, and close() would wait for it forever.
   */
  closeAll(): void;
}

/**
 * The listener for HTTP/1.1 Upgrade requests (WebSocket handshakes), or undefined when there is
 * nothing to proxy. A handshake for a path the proxy takes (a rule's, or any path when there is
 * a `--proxy` app) goes to the app. Any other is answered by `plain` as an ordinary request,
 * its Upgrade ignored (RFC 9110 §7.8 lets a server do so), as it would be without a proxy.
 */
export function createUpgradeListener(
  option: ProxyOption | undefined,
  settings: {
    readonly timeoutMs?: number | undefined;
    readonly onError: ((error: unknown, requestPath: string) => void) | undefined;
    readonly plain: (req: IncomingMessage, res: ServerResponse) => void;
  },
): UpgradeProxy | undefined {
  const compiled = compileProxyOption(option);
  if (compiled === undefined) return undefined;
  const { rules, fallback } = compiled;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS;
  const open = new Set<Duplex>();
  const listener = function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let target: ProxyTarget | undefined;
    try {
      const path = parseRequestPath(req.url ?? '/');
      target = path.canonical ? (ruleFor(rules, path)?.target ?? fallback) : undefined;
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      answerPlainly(req, socket, head, settings.plain);
      return;
    }
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    forwardUpgrade(req, { socket, head }, target, {
      timeoutMs,
      onError: settings.onError,
      describeFailure: (where, error, timedOut) =>
        timedOut
          ? new ProxyError(`proxy: ${where.label} did not answer the upgrade in time`, 'PROXY_TIMEOUT')
          : new ProxyError(
              `proxy: ${where.label} could not be reached (${error.code ?? error.message})`,
              'PROXY_UNREACHABLE',
            ),
    });
  };
  return {
    listener,
    closeAll: () => {
      for (const socket of open) socket.destroy();
    },
  };
}

/**
 * Answers an upgrade request the proxy doesn't take as Node's server answers any request,
 * then closes the connection (after an Upgrade, Node no longer reads further requests on it).
 */
function answerPlainly(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  plain: (req: IncomingMessage, res: ServerResponse) => void,
): void {
  if (head.length > 0) socket.unshift(head);
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  // An http.Server's upgrade socket is a net.Socket (a TLSSocket under https).
  res.assignSocket(socket as Socket);
  res.once('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  plain(req, res);
}

/** Checks and compiles the option once; undefined when nothing is proxied. */
function compileProxyOption(
  option: ProxyOption | undefined,
): { readonly rules: readonly CompiledRule[]; readonly fallback: ProxyTarget | undefined } | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'string') return { rules: [], fallback: targetOrThrow(option, 'proxy') };
  if (option.length === 0) return undefined;
  const rules = option.map((route, index): CompiledRule => {
    const parsed = parseSource(route.source);
    if (parsed.kind === 'invalid') {
      throw new TypeError(`proxy[${index}].source "${route.source}" ${parsed.reason}`);
    }
    return {
      source: route.source,
      pattern: parsed.pattern,
      target: targetOrThrow(route.destination, `proxy[${index}].destination`),
    };
  });
  return { rules, fallback: undefined };
}

function targetOrThrow(destination: string, where: string): ProxyTarget {
  const parsed = parseProxyTarget(destination);
  if (parsed.kind === 'invalid') throw new TypeError(`${where} "${destination}" ${parsed.reason}`);
  return parsed.target;
}

/** The first rule, in the order given, whose source takes `path`. */
function ruleFor(rules: readonly CompiledRule[], path: RequestPath): CompiledRule | undefined {
  return rules.find((rule) => matchesSource(rule.pattern, path.segments));
}
