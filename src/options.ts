// src/options.ts
// The options the handler and server accept, their defaults in one place, and the resolved
// (complete, validated) form the rest of the code reads.
import { resolve } from 'node:path';
import type { LiveReload } from './live/index.js';
import {
  type CompiledRules,
  compileRules,
  type HeaderRule,
  type ProxyRule,
  type RedirectRule,
  type RewriteRule,
} from './config/index.js';

/** Options for createHandler(); every field is optional. */
export interface ServeOptions {
  /** Folder to serve. @default process.cwd() */
  readonly root?: string;
  /** Serve and list names starting with '.' (`/.well-known/` is always served). @default false */
  readonly dotfiles?: boolean;
  /** Serve symlinks whose targets lie outside the root. @default false */
  readonly followSymlinks?: boolean;
  /** Show an HTML/JSON/text listing for folders without index.html. @default true */
  readonly listing?: boolean;
  /** Seconds for `Cache-Control: max-age`; undefined sends `no-cache`. @default undefined */
  readonly cache?: number | undefined;
  /** Compress text responses with brotli or gzip. @default true */
  readonly compress?: boolean;
  /** Serve `about.html` for `/about`. @default true */
  readonly cleanUrls?: boolean;
  /** Single-page-app fallback: true for `index.html`, or a file path relative to the root. @default false */
  readonly spa?: boolean | string;
  /** Send `Access-Control-Allow-Origin: *` and answer CORS preflights. @default false */
  readonly cors?: boolean;
  /** Send COOP/COEP/CORP so pages are cross-origin isolated. @default false */
  readonly isolate?: boolean;
  /** Extra headers for every response. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called once per finished (or aborted) request. @default undefined */
  readonly onResponse?: ((entry: ResponseLogEntry) => void) | undefined;
  /** Called with the cause of every 5xx and unexpected error. @default undefined */
  readonly onError?: ((error: unknown, requestPath: string) => void) | undefined;
  /** Live reload from createLiveReload(): pages get its script, /__serve-here/ its URLs. @default undefined */
  readonly live?: LiveReload | undefined;
  /** Redirects answered before looking for files, as serve.json's `redirects`. @default [] */
  readonly redirects?: readonly RedirectRule[];
  /** Paths served in place of missing ones, after files, before the SPA page. @default [] */
  readonly rewrites?: readonly RewriteRule[];
  /** Headers for the responses to matching paths, as serve.json's `headers`. @default [] */
  readonly headerRules?: readonly HeaderRule[];
  /** Names or path patterns neither listed nor served (404). @default [] */
  readonly unlisted?: readonly string[];
  /** Exact paths under the root neither listed nor served (the config file). @default [] */
  readonly hidden?: readonly string[];
  /** Redirect `/about` to `/about/` (names without an extension), as serve's `trailingSlash`. @default false */
  readonly trailingSlash?: boolean;
  /** Send `ETag` with files and listings. @default true */
  readonly etag?: boolean;
  /**
   * Where requests go that files don't answer: a URL (every miss) or rules by path. Accepted
   * and passed on here; the proxy capability (another engineer's) implements it. @default undefined
   */
  readonly proxy?: string | readonly { source: string; destination: string }[];
}

/** What the handler reports for each request, for the CLI's request log. */
export interface ResponseLogEntry {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Body bytes promised and sent, or undefined when the client went away first. */
  readonly bytes: number | undefined;
  readonly durationMs: number;
}

/** ServeOptions with every default applied and the root made absolute. */
export interface ServeConfig {
  readonly root: string;
  readonly dotfiles: boolean;
  readonly followSymlinks: boolean;
  readonly listing: boolean;
  readonly cache: number | undefined;
  readonly compress: boolean;
  readonly cleanUrls: boolean;
  /** Path of the fallback file relative to the root, or undefined when off. */
  readonly spa: string | undefined;
  readonly cors: boolean;
  readonly isolate: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly onResponse: ((entry: ResponseLogEntry) => void) | undefined;
  readonly onError: ((error: unknown, requestPath: string) => void) | undefined;
  readonly live: LiveReload | undefined;
  readonly trailingSlash: boolean;
  readonly etag: boolean;
  readonly proxy: string | readonly ProxyRule[] | undefined;
  /** The config rules, compiled once (src/config); each undefined when not configured. */
  readonly rules: CompiledRules;
}

export function resolveConfig(options: ServeOptions = {}): ServeConfig {
  return {
    root: resolve(options.root ?? process.cwd()),
    dotfiles: options.dotfiles ?? false,
    followSymlinks: options.followSymlinks ?? false,
    listing: options.listing ?? true,
    cache: options.cache,
    compress: options.compress ?? true,
    cleanUrls: options.cleanUrls ?? true,
    spa: options.spa === true ? 'index.html' : options.spa === false ? undefined : options.spa,
    cors: options.cors ?? false,
    isolate: options.isolate ?? false,
    headers: options.headers ?? {},
    onResponse: options.onResponse,
    onError: options.onError,
    live: options.live,
    trailingSlash: options.trailingSlash ?? false,
    etag: options.etag ?? true,
    proxy: options.proxy,
    rules: compileRules(options),
  };
}
