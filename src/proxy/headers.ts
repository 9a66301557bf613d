// src/proxy/headers.ts
// Which header fields cross the proxy, each way. Pure: lists in, lists out. The lists are in
// Node's rawHeaders form, `[name, value, name, value…]`, so repeated fields (Set-Cookie) and
// their order survive.

/**
 * Fields that describe one connection, not the message, and so never cross a proxy (RFC 9110
 * §7.6.1), plus Proxy-Connection (a pre-standard spelling clients still send) and the
 * proxy-authentication fields, which are meant for a proxy and not for the app (§11.7).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Fields of the request that serve-here sets itself for the app. */
const REPLACED_REQUEST = new Set(['host', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-for']);

/** What the app is told about the client's request besides its own fields. */
export interface ForwardContext {
  /** The app's Host (the destination's). */
  readonly host: string;
  /** The client's address, appended to X-Forwarded-For; undefined when unknown. */
  readonly clientAddress: string | undefined;
  /** The scheme the client used to reach serve-here. */
  readonly proto: 'http' | 'https';
  /** A WebSocket handshake: Connection and Upgrade pass, as the handshake needs them. */
  readonly upgrade: boolean;
}

/**
 * The request fields for the app: the client's, less the hop-by-hop ones and those named in
 * its Connection field; Host is the app's own, with the client's in X-Forwarded-Host (so an
 * app that checks Host, like Vite's dev server, accepts the request). Expect is dropped:
 * Node's server has already answered `100-continue` to the client.
 * Framing: a chunked body goes on chunked; Content-Length passes as it came (Node's parser
 * has refused any request that had both, RFC 9112 §6.3).
 */
export function requestHeadersForApp(raw: readonly string[], context: ForwardContext): string[] {
  const dropped = connectionOptions(raw);
  const out: string[] = ['Host', context.host];
  const forwardedFor: string[] = [];
  let chunked = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwardedFor.push(value);
    if (lower === 'transfer-encoding') chunked = true;
    if (REPLACED_REQUEST.has(lower) || HOP_BY_HOP.has(lower) || dropped.has(lower) || lower === 'expect') {
      continue;
    }
    out.push(name, value);
  }
  if (chunked) out.push('Transfer-Encoding', 'chunked');
  if (context.upgrade) out.push('Connection', 'Upgrade', 'Upgrade', headerValue(raw, 'upgrade') ?? '');
  if (context.clientAddress !== undefined) forwardedFor.push(context.clientAddress);
  if (forwardedFor.length > 0) out.push('X-Forwarded-For', forwardedFor.join(', '));
  out.push('X-Forwarded-Proto', context.proto);
  const clientHost = headerValue(raw, 'host');
  if (clientHost !== undefined) out.push('X-Forwarded-Host', clientHost);
  return out;
}

/**
 * The app's response fields for the client, less the hop-by-hop ones and those named in its
 * Connection field. Transfer-Encoding goes too: Node frames the body for our client itself.
 * For a WebSocket handshake's 101, Connection and Upgrade pass.
 */
export function responseHeadersForClient(raw: readonly string[], upgrade: boolean): string[] {
  const dropped = connectionOptions(raw);
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    const handshake = upgrade && (lower === 'connection' || lower === 'upgrade');
    if (!handshake && (HOP_BY_HOP.has(lower) || dropped.has(lower))) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

/** The field names listed in Connection (RFC 9110 §7.6.1), lower-cased; never the framing ones. */
function connectionOptions(raw: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const option of (raw[i + 1] as string).split(',')) {
      const name = option.trim().toLowerCase();
      if (name !== '' && name !== 'content-length') names.add(name);
    }
  }
  return names;
}

/** The first value of field `lowerName`, or undefined. */
function headerValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === lowerName) return raw[i + 1] as string;
  }
  return undefined;
}
