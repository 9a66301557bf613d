// src/export/site.ts
// What an export describes: the site serve-here would serve for a command line, reduced to the
// facts another server needs. Built once from the resolved options; every renderer reads it.
import type { StartOptions } from '../serve/server.js';
import { type ExportAuth, exportAuthFrom } from './auth.js';
import type { ExportProxy } from './proxy.js';
import type { ExportRules } from './rules.js';

/** The site as the command line asked for it. Paths are absolute. */
export interface ExportSite {
  /** serve-here's version, named in the header comment. */
  readonly version: string;
  readonly root: string;
  readonly port: number;
  /** undefined: loopback only; '::' or '0.0.0.0': every interface; else one address. */
  readonly host: string | undefined;
  readonly listing: boolean;
  readonly dotfiles: boolean;
  readonly followSymlinks: boolean;
  readonly cleanUrls: boolean;
  /** The SPA page relative to the root (`index.html`), or undefined when off. */
  readonly spa: string | undefined;
  /** Seconds for `Cache-Control: public, max-age`; undefined means `no-cache`. */
  readonly cache: number | undefined;
  readonly cors: boolean;
  readonly isolate: boolean;
  readonly compress: boolean;
  /** --header values, in the order given. */
  readonly headers: readonly (readonly [string, string])[];
  /** --auth's user and (when given in clear) password. */
  readonly auth?: ExportAuth | undefined;
  /** HTTPS with these PEM files (--tls-cert, --tls-key, --tls-password-file). */
  readonly tls?: ExportTls | undefined;
  /** --proxy and the config file's proxy rules. */
  readonly proxy?: ExportProxy | undefined;
  /** The config file's redirects, rewrites and header rules (undefined when it has none). */
  readonly rules?: ExportRules | undefined;
}

export interface ExportTls {
  readonly cert: string;
  readonly key: string;
  readonly passwordFile?: string | undefined;
  /** True when the files are serve-here's own leaf from its local authority (--https). */
  readonly localCa?: boolean | undefined;
}

/** The options the export reads besides StartOptions (flags other capabilities add). */
export interface ExportOptions extends StartOptions {
  readonly root: string;
  /** --auth / SERVE_HERE_AUTH: `user:password` or `user:sha256:<hex>`. */
  readonly auth?: string | undefined;
  /** The certificate files the CLI serves HTTPS with, as absolute paths. */
  readonly tlsFiles?: ExportTls | undefined;
}

/** The export's view of the options the CLI would start the server with. */
export function siteFrom(options: ExportOptions, version: string): ExportSite {
  const spa = options.spa === true ? 'index.html' : options.spa === false ? undefined : options.spa;
  return {
    version,
    root: options.root,
    port: options.port ?? 8000,
    host: options.host,
    listing: options.listing ?? true,
    dotfiles: options.dotfiles ?? false,
    followSymlinks: options.followSymlinks ?? false,
    cleanUrls: options.cleanUrls ?? true,
    spa:
      spa === undefined
        ? undefined
        : spa
            .split(/[/\\]/)
            .filter((s) => s !== '' && s !== '.')
            .join('/'),
    cache: options.cache,
    cors: options.cors ?? false,
    isolate: options.isolate ?? false,
    compress: options.compress ?? true,
    headers: Object.entries(options.headers ?? {}),
    auth: options.auth === undefined ? undefined : exportAuthFrom(options.auth),
    tls: options.tlsFiles,
    rules: rulesFrom(options),
    proxy:
      options.proxy === undefined
        ? undefined
        : typeof options.proxy === 'string'
          ? { fallback: options.proxy, rules: [] }
          : { fallback: undefined, rules: options.proxy },
  };
}

/** Every address a loopback-only serve-here listens on. */
export const LOOPBACK = ['127.0.0.1', '::1'] as const;

/** True when the site listens on every interface. */
export function isEveryInterface(host: string | undefined): boolean {
  return host === '::' || host === '0.0.0.0';
}

function rulesFrom(options: ExportOptions): ExportRules | undefined {
  const rules = {
    redirects: options.redirects ?? [],
    rewrites: options.rewrites ?? [],
    headerRules: options.headerRules ?? [],
  };
  const none = rules.redirects.length + rules.rewrites.length + rules.headerRules.length === 0;
  return none ? undefined : rules;
}
