// src/proxy/client.ts
// Opens requests to the app: node:http, or node:https loaded only for an https destination
// (it brings TLS along, which a plain start never needs).
import { Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';
import type { ProxyTarget } from './target.js';

const require = createRequire(import.meta.url);

/** One request to the app; `agent: false` for a WebSocket handshake, whose socket is handed over. */
export interface AppRequest {
  readonly target: ProxyTarget;
  readonly method: string;
  readonly path: string;
  readonly headers: string[];
  readonly agent: Agent | false;
}

export function openAppRequest(request: AppRequest): ClientRequest {
  const { target } = request;
  const open =
    target.protocol === 'https:'
      ? (require('node:https') as typeof import('node:https')).request
      : httpRequest;
  return open({
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    method: request.method,
    path: request.path,
    headers: request.headers,
    agent: request.agent,
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
