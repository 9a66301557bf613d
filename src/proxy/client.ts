// src/proxy/client.ts
// Opens requests to the app: node:http, or node:https loaded only for an https destination
// (it brings TLS along, which a plain start never needs).
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';
import { requestHeadersForApp } from './headers.js';
import { type ProxyTarget, upstreamPath } from './target.js';

const require = createRequire(import.meta.url);

/**
 * Opens the app's request for the client's `req`: same method, the request path after the
 * destination's, the headers as headers.ts rewrites them. `agent: false` for a WebSocket
 * handshake, whose socket is handed over.
 */
export function openAppRequest(
  req: IncomingMessage,
  target: ProxyTarget,
  options: { readonly upgrade: boolean; readonly agent: Agent | false },
): ClientRequest {
  const open =
    target.protocol === 'https:'
      ? (require('node:https') as typeof import('node:https')).request
      : httpRequest;
  return open({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: req.method ?? 'GET',
    path: upstreamPath(target, req.url ?? '/'),
    headers: requestHeadersForApp(req.rawHeaders, {
      host: target.host,
      clientAddress: req.socket.remoteAddress,
      proto: clientProto(req),
      upgrade: options.upgrade,
    }),
    agent: options.agent,
    // Also refuse a malformed answer from the app, whatever NODE_OPTIONS says.
    insecureHTTPParser: false,
    // The Host field is in `headers` already (the app's own).
    setHost: false,
  });
}

/** Connections to the apps, kept open between requests (one pool per scheme). */
export function createAgents(): (target: ProxyTarget) => Agent {
  let http: Agent | undefined;
  let https: Agent | undefined;
  return (target) => {
    if (target.protocol === 'http:') {
      http ??= new Agent({ keepAlive: true });
      return http;
    }
    https ??= new (require('node:https') as typeof import('node:https')).Agent({ keepAlive: true });
    return https;
  };
}

/** The scheme the client used to reach serve-here: https when its socket is TLS. */
export function clientProto(req: IncomingMessage): 'http' | 'https' {
  return (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
}
