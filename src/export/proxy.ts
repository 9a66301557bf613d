// src/export/proxy.ts
// The proxy (--proxy URL, and the config file's proxy rules) as the targets need it: each
// destination's origin, Host and path prefix, and each rule's source as one regular expression
// over the decoded path (PCRE for nginx, RE2 for Caddy: the same text works in both).

export interface ExportProxyRoute {
  /** A source pattern as the proxy reads it: `/api`, `/api/*`, `/api/**`, `*` inside a segment. */
  readonly source: string;
  readonly destination: string;
}

export interface ExportProxy {
  /** Every request no file answers goes here (any method). */
  readonly fallback: string | undefined;
  /** Matching paths go here before files are looked for. */
  readonly rules: readonly ExportProxyRoute[];
}

/** The parts of a destination URL a target writes. */
export interface Upstream {
  /** `http:` or `https:` */
  readonly scheme: string;
  /** `host:port` as written, the Host the app is sent. */
  readonly hostPort: string;
  /** The destination's path without its trailing slash; '' for none. */
  readonly basePath: string;
}

export function upstreamOf(destination: string): Upstream {
  const url = new URL(destination);
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return {
    scheme: url.protocol,
    hostPort: `${url.hostname}:${port}`,
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/**
 * The source as an anchored regular expression over the path: `**` is any depth (zero or more
 * segments), `*` any run of characters but `/`, and a trailing slash is optional as in the proxy.
 */
export function sourceRegExp(source: string): string {
  let out = '^';
  for (const segment of source.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '**') out += '(?:/.*)?';
    else if (segment === '*') out += '/[^/]+';
    else out += `/${segment.split('*').map(escapeRegExp).join('[^/]*')}`;
  }
  return `${out === '^' ? '^' : out}/?$`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.|?+()[\]{}*]/g, '\\$&');
}
