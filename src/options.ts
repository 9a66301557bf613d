// src/options.ts
// The options the handler and server accept, their defaults in one place, and the resolved
// (complete, validated) form the rest of the code reads.
import { resolve } from 'node:path';

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
  /** Called with the cause of every 5xx and unexpected error. @default undefined */
  readonly onError?: ((error: unknown, requestPath: string) => void) | undefined;
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
  readonly onError: ((error: unknown, requestPath: string) => void) | undefined;
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
    zip: options.zip ?? false,
    headers: options.headers ?? {},
    onResponse: options.onResponse,
    onError: options.onError,
  };
}
