// src/serve/options.ts
// The options the handler and server accept, their defaults in one place, and the resolved
// (complete, validated) form the rest of the code reads.
import { resolve } from 'node:path';
import type { AuthGate } from '../auth/index.js';
import type { CompiledRules, HeaderRule, RedirectRule, RewriteRule } from '../config/index.js';
import type { LiveReload } from '../live/index.js';
import type { AppProxy, ProxyOption } from '../proxy/index.js';
import type { UploadLogEntry, UploadSettings } from '../upload/index.js';
import { DEFAULT_MAX_UPLOAD } from '../upload/size.js';
import { type Capabilities, checkCapabilities } from './capabilities.js';

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
  /** Offer every listed folder as a zip download at `?download=zip`. @default false */
  readonly zip?: boolean;
  /** Extra headers for every response. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called once per finished (or aborted) request. @default undefined */
  readonly onResponse?: ((entry: ResponseLogEntry) => void) | undefined;
  /** The local authority's certificate (PEM), served at `/__serve-here/ca.crt` (--https). @default undefined */
  readonly caCertificate?: string | undefined;
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
   * HTTP Basic authentication for every URL: `user:password` or `user:sha256:<hex>`.
   * @default undefined
   */
  readonly auth?: string | undefined;
  /** Called once when a client address is refused (429) after too many failed logins. @default undefined */
  readonly onAuthBlocked?: ((address: string, retryAfterSeconds: number) => void) | undefined;
  /**
   * Proxy to an app: a URL gets every request no file answers (any method); rules
   * (`[{ source: '/api/**', destination: 'http://localhost:3000' }]`) take matching paths
   * before files are looked for. @default undefined
   */
  readonly proxy?: ProxyOption | undefined;
  /** How long the app may take to start answering before the client gets 504, in ms. @default 30000 */
  readonly proxyTimeoutMs?: number | undefined;
  /** Accept PUT and multipart POST uploads; `'overwrite'` also lets them replace files. @default false */
  readonly upload?: boolean | 'overwrite';
  /** Largest file an upload may store, in bytes. @default 1073741824 (1 GiB) */
  readonly maxUpload?: number;
  /** Called once per file stored or folder made by an upload. @default undefined */
  readonly onUpload?: ((entry: UploadLogEntry) => void) | undefined;
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
  readonly zip: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly onResponse: ((entry: ResponseLogEntry) => void) | undefined;
  /** PEM served at /__serve-here/ca.crt; undefined: no such URL. */
  readonly caCertificate: string | undefined;
  readonly onError: ((error: unknown, requestPath: string) => void) | undefined;
  readonly live: LiveReload | undefined;
  readonly trailingSlash: boolean;
  readonly etag: boolean;
  /** The config rules, compiled once (src/config); each undefined when not configured. */
  readonly rules: CompiledRules;
  /** The --auth check, or undefined when off; one per config, so HTTP/1.1 and h2 count failures together. */
  readonly authGate: AuthGate | undefined;
  /** The proxy to an app, or undefined when off. */
  readonly proxy: AppProxy | undefined;
  /** Undefined unless uploads are on. */
  readonly upload: UploadSettings | undefined;
  readonly onUpload: ((entry: UploadLogEntry) => void) | undefined;
}

/** Rules when the options give none: every step of the pipeline that rules add is skipped. */
const NO_RULES: CompiledRules = {
  redirect: undefined,
  rewrite: undefined,
  headersFor: undefined,
  headWriters: undefined,
  unlisted: undefined,
};

/**
 * Applies the defaults. `capabilities` holds the modules the options need (loadCapabilities);
 * asking for one that is missing throws, as does a bad --auth spec or proxy rule.
 */
export function resolveConfig(options: ServeOptions = {}, capabilities: Capabilities = {}): ServeConfig {
  checkCapabilities(options, capabilities);
  const { auth, rules, proxy } = capabilities;
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
    zip: options.zip ?? false,
    headers: options.headers ?? {},
    onResponse: options.onResponse,
    caCertificate: options.caCertificate,
    onError: options.onError,
    live: options.live,
    trailingSlash: options.trailingSlash ?? false,
    etag: options.etag ?? true,
    rules: rules?.compileRules(options) ?? NO_RULES,
    authGate:
      options.auth === undefined
        ? undefined
        : auth?.createAuthGate(options.auth, { onBlocked: options.onAuthBlocked }),
    proxy: proxy?.createProxy(options.proxy, options.proxyTimeoutMs),
    upload:
      options.upload === undefined || options.upload === false
        ? undefined
        : { overwrite: options.upload === 'overwrite', maxBytes: options.maxUpload ?? DEFAULT_MAX_UPLOAD },
    onUpload: options.onUpload,
  };
}
