// src/proxy/target.ts
// A proxy destination: a checked http(s) URL, and the path a request is given there. Pure: no
// socket, no DNS.

/** Where proxied requests go: the parts of a destination URL the HTTP client needs. */
export interface ProxyTarget {
  readonly protocol: 'http:' | 'https:';
  /** Host name or address, IPv6 without brackets (as http.request wants it). */
  readonly hostname: string;
  readonly port: number;
  /** The Host header the app is sent: the destination's own `host[:port]`. */
  readonly host: string;
  /** A path put before every request path: '' or e.g. '/v1' (never a trailing '/'). */
  readonly basePath: string;
  /** The destination as people wrote it, for the banner and the log (never for a response). */
  readonly label: string;
}

/** The destination, or why it can't be one (a phrase to follow the quoted URL). */
export type TargetParse =
  | { readonly kind: 'target'; readonly target: ProxyTarget }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads a destination such as `http://localhost:3000` or `https://127.0.0.1:8443/v1`. Only
 * http and https, no user name or password (they would travel to the app on every request and
 * show in the banner), no query or fragment (a request's own query would have nowhere to go).
 */
export function parseProxyTarget(destination: string): TargetParse {
  let url: URL;
  try {
    url = new URL(destination);
  } catch {
    return invalid('is not a URL; write it as http://host:port');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid('must start with http:// or https://');
  }
  if (url.hostname === '') return invalid('has no host; write it as http://host:port');
  if (url.username !== '' || url.password !== '') return invalid('must not hold a user name or password');
  if (url.search !== '' || url.hash !== '' || destination.includes('?') || destination.includes('#')) {
    return invalid('must not have a query or fragment');
  }
  const basePath = url.pathname.replace(/\/+$/, '');
  const defaultPort = url.protocol === 'https:' ? 443 : 80;
  return {
    kind: 'target',
    target: {
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? defaultPort : Number(url.port),
      host: url.host,
      basePath,
      label: `${url.origin}${basePath}`,
    },
  };
}

function invalid(reason: string): TargetParse {
  return { kind: 'invalid', reason };
}

/** Matches the scheme and authority of an absolute-form request-target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

/**
 * The request-target the app is sent: the request's own path and query, unchanged, after the
 * destination's path, as Vite and http-proxy do (`/api/users?page=2` to `http://app/v1` asks
 * the app for `/v1/api/users?page=2`). An absolute-form target keeps only its path and query.
 */
export function upstreamPath(target: ProxyTarget, requestTarget: string): string {
  let rest = requestTarget;
  const authority = ABSOLUTE_FORM.exec(rest);
  if (authority !== null) rest = rest.slice(authority[0].length);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  if (!rest.startsWith('/')) rest = `/${rest}`;
  return `${target.basePath}${rest}`;
}
