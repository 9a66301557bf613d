// src/config/index.ts
// Adds the config file: `--config FILE`, or serve-here.json in the root, read and checked at
// start-up (one line naming file, key path and expectation on any mistake), its options merged
// under the command line's, and its URL rules (redirects, rewrites, headers per path,
// unlisted names) compiled once into the functions the handler calls. serve.json works as is.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CliFlags } from '../cli/args.js';
import { encodeUrlPath } from '../http/html.js';
import { hasExtension } from '../serve/fallback.js';
import { escapeControl } from '../serve/log.js';
import type { ServeOptions } from '../serve/options.js';
import { parseRequestPath, type RequestPath } from '../serve/request-path.js';
import { CONFIG_FILE_NAME } from '../serve/resolve.js';
import { parseSize } from '../upload/size.js';
import type { CheckFailure } from './check.js';
import { createRuleHeadWriters, ruleHeadWriterFor } from './head-writers.js';
import {
  createHeaderRules,
  createRedirects,
  createRewrites,
  createUnlisted,
  type HeaderRule,
  type Redirect,
  type RedirectRule,
  type RewriteRule,
} from './rules.js';
import { CONFIG_SHAPE } from './schema.js';

export type { HeaderRule, Redirect, RedirectRule, RedirectStatus, RewriteRule } from './rules.js';

export { CONFIG_FILE_NAME };

/** A proxy rule as the config file writes it; the proxy capability does the proxying. */
export interface ProxyRule {
  readonly source: string;
  readonly destination: string;
}

/** A config file that passed the check (every key optional). */
export interface ConfigFile {
  readonly $schema?: string;
  readonly port?: number;
  readonly host?: string | true;
  readonly dotfiles?: boolean;
  readonly followSymlinks?: boolean;
  readonly cache?: number;
  readonly listing?: boolean;
  readonly compress?: boolean;
  readonly quiet?: boolean;
  readonly cleanUrls?: boolean;
  readonly spa?: boolean | string;
  readonly cors?: boolean;
  readonly header?: readonly string[];
  readonly isolate?: boolean;
  readonly open?: boolean | string;
  readonly watch?: boolean;
  readonly auth?: string;
  readonly qr?: boolean;
  readonly https?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsPasswordFile?: string;
  readonly upload?: boolean | 'overwrite';
  readonly maxUpload?: number | string;
  readonly zip?: boolean;
  readonly public?: string;
  readonly rewrites?: readonly RewriteRule[];
  readonly redirects?: readonly RedirectRule[];
  readonly headers?: readonly HeaderRule[];
  readonly directoryListing?: boolean;
  readonly unlisted?: readonly string[];
  readonly trailingSlash?: true;
  readonly etag?: boolean;
  readonly symlinks?: true;
  readonly renderSingle?: false;
  readonly proxy?: string | readonly ProxyRule[];
}

/** A config file that can't be used; the message is the whole line after `serve-here: `. */
export class ConfigError extends Error {}

export type ConfigCheck =
  | { readonly ok: true; readonly config: ConfigFile }
  | { readonly ok: false; readonly failure: CheckFailure };

/** Checks a parsed JSON value against the config file's shape. Pure. */
export function checkConfig(value: unknown): ConfigCheck {
  const failure = CONFIG_SHAPE.check(value, '');
  return failure === undefined ? { ok: true, config: value as ConfigFile } : { ok: false, failure };
}

/** The one-line message for a failed check: `serve.json: redirects[0].type: expected …`. */
export function formatConfigFailure(label: string, failure: CheckFailure): string {
  const where = failure.path === '' ? '' : `${failure.path}: `;
  return escapeControl(`${label}: ${where}${failure.message}`);
}

/** A config file that was read: where it is, how to name it in messages, what it says. */
export interface LoadedConfig {
  readonly path: string;
  readonly label: string;
  readonly config: ConfigFile;
}

/**
 * Reads `--config FILE` (which must exist), or else serve-here.json in `root` if there is one.
 * Throws ConfigError for a file that can't be read, isn't JSON, or doesn't pass the check.
 */
export async function loadConfig(
  root: string,
  configFlag: string | undefined,
): Promise<LoadedConfig | undefined> {
  const path = configFlag === undefined ? resolve(root, CONFIG_FILE_NAME) : resolve(configFlag);
  const label = configFlag ?? CONFIG_FILE_NAME;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (configFlag === undefined && code === 'ENOENT') return undefined;
    throw new ConfigError(escapeControl(`cannot read the config file ${label}: ${readProblem(code)}`));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new ConfigError(escapeControl(`${label}: not valid JSON: ${jsonProblem(error, text)}`));
  }
  const checked = checkConfig(parsed);
  if (!checked.ok) throw new ConfigError(formatConfigFailure(label, checked.failure));
  return { path, label, config: checked.config };
}

function readProblem(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return code ?? 'unknown error';
  }
}

/** JSON.parse's message without the file's text, with a line and column where Node gives a position. */
function jsonProblem(error: unknown, text: string): string {
  const message = (error instanceof Error ? error.message : String(error))
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '');
  const position = /in JSON at position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (position === null) return message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

/**
 * The command line over the file: a flag that was given wins, a flag left at its default takes
 * the file's value. Every flag's default is recognisable (undefined, or true for the
 * `--no-…` switches), so "given" needs no bookkeeping.
 */
export function mergeFlags(file: ConfigFile, flags: CliFlags): CliFlags {
  const listing = file.listing ?? file.directoryListing;
  const merged = {
    ...flags,
    port: flags.port ?? file.port,
    host: flags.host ?? file.host,
    quiet: flags.quiet ?? file.quiet,
    dotfiles: flags.dotfiles ?? file.dotfiles,
    followSymlinks: flags.followSymlinks ?? file.followSymlinks,
    cache: flags.cache ?? file.cache,
    listing: flags.listing && (listing ?? true),
    compress: flags.compress && (file.compress ?? true),
    cleanUrls: flags.cleanUrls && (file.cleanUrls ?? true),
    spa: flags.spa ?? (file.spa === false ? undefined : file.spa),
    cors: flags.cors ?? file.cors,
    // Both apply; for the same name, the command line's value is added last and wins.
    header: file.header === undefined ? flags.header : [...file.header, ...(flags.header ?? [])],
    isolate: flags.isolate ?? file.isolate,
    open: flags.open ?? (file.open === false ? undefined : file.open),
    watch: flags.watch ?? file.watch,
    auth: flags.auth ?? file.auth,
    qr: flags.qr && (file.qr ?? true),
    https: flags.https ?? file.https,
    tlsCert: flags.tlsCert ?? file.tlsCert,
    tlsKey: flags.tlsKey ?? file.tlsKey,
    tlsPasswordFile: flags.tlsPasswordFile ?? file.tlsPasswordFile,
    upload: flags.upload ?? (file.upload === false || file.upload === undefined ? undefined : file.upload),
    maxUpload:
      flags.maxUpload ?? (typeof file.maxUpload === 'string' ? parseSize(file.maxUpload) : file.maxUpload),
    zip: flags.zip ?? file.zip,
  };
  // Flags left out stay out (CliFlags has optional fields, never undefined ones).
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as unknown as CliFlags;
}

/** The folder to serve when the file names one (`public`, relative to the file, as in serve). */
export function publicFolder(loaded: LoadedConfig): string | undefined {
  const folder = loaded.config.public;
  return folder === undefined ? undefined : resolve(dirname(loaded.path), folder);
}

/** The library options the file's rules give (the command line has no flags for them). */
export function ruleOptions(loaded: LoadedConfig, root: string): ConfigRuleOptions {
  const { config } = loaded;
  const inside = relative(root, loaded.path);
  // The config file itself is never served, wherever it sits in the folder.
  const hidden =
    inside === '' || inside.startsWith('..') || isAbsolute(inside)
      ? undefined
      : [inside.split(sep).join('/')];
  return {
    ...(config.redirects === undefined ? {} : { redirects: config.redirects }),
    ...(config.rewrites === undefined ? {} : { rewrites: config.rewrites }),
    ...(config.headers === undefined ? {} : { headerRules: config.headers }),
    ...(config.unlisted === undefined ? {} : { unlisted: config.unlisted }),
    ...(hidden === undefined ? {} : { hidden }),
    ...(config.trailingSlash === undefined ? {} : { trailingSlash: config.trailingSlash }),
    ...(config.etag === undefined ? {} : { etag: config.etag }),
    ...(config.proxy === undefined ? {} : { proxy: config.proxy }),
  };
}

/** The ServeOptions fields this capability adds (documented in serve/options.ts). */
export type ConfigRuleOptions = Pick<
  ServeOptions,
  'redirects' | 'rewrites' | 'headerRules' | 'unlisted' | 'hidden' | 'trailingSlash' | 'etag' | 'proxy'
>;

/** The compiled rules the handler calls; each is undefined when its rules are absent. */
export interface CompiledRules {
  /** A redirect for the request path (trailingSlash first, then the rules in order). */
  readonly redirect: ((path: RequestPath) => Redirect | undefined) | undefined;
  /** The parsed path a rewrite serves instead; throws HttpError 400 for an unusable one. */
  readonly rewrite: ((path: RequestPath) => RequestPath | undefined) | undefined;
  /** The headers rules add for a request path, and a key naming that combination. */
  readonly headersFor:
    | ((path: RequestPath) => { readonly key: string; readonly headers: Record<string, string> } | undefined)
    | undefined;
  /** The response head writers of header rules (head-writers.ts); undefined without header rules. */
  readonly headWriters:
    | { readonly create: typeof createRuleHeadWriters; readonly forFile: typeof ruleHeadWriterFor }
    | undefined;
  /** True for a path that must not be served or listed (unlisted names, the config file). */
  readonly unlisted: ((segments: readonly string[]) => boolean) | undefined;
}

/** Compiles the rules once, at start-up; a request then only runs the matchers. */
export function compileRules(options: ConfigRuleOptions): CompiledRules {
  const redirects =
    options.redirects === undefined || options.redirects.length === 0
      ? undefined
      : createRedirects(options.redirects);
  const slash = options.trailingSlash === true;
  const rewrites =
    options.rewrites === undefined || options.rewrites.length === 0
      ? undefined
      : createRewrites(options.rewrites);
  const headers =
    options.headerRules === undefined || options.headerRules.length === 0
      ? undefined
      : createHeaderRules(options.headerRules);
  const unlisted = createHidden(options.unlisted ?? [], options.hidden ?? []);
  return {
    redirect:
      redirects === undefined && !slash
        ? undefined
        : (path) => {
            // serve's trailingSlash: true: `/about` → `/about/`, for names without an extension.
            const last = path.segments.at(-1);
            if (slash && !path.trailingSlash && last !== undefined && !hasExtension(last)) {
              return { status: 301, location: encodeUrlPath(path.segments, true) + path.query };
            }
            return redirects?.(urlPathOf(path), path.query);
          },
    rewrite:
      rewrites === undefined
        ? undefined
        : (path) => {
            const destination = rewrites(urlPathOf(path));
            return destination === undefined ? undefined : parseRequestPath(destination + path.query);
          },
    headersFor: headers === undefined ? undefined : (path) => headers(urlPathOf(path)),
    headWriters:
      headers === undefined ? undefined : { create: createRuleHeadWriters, forFile: ruleHeadWriterFor },
    unlisted,
  };
}

/** The decoded path rules match against: `/a/b`, `/` for the root, no trailing slash. */
function urlPathOf(path: RequestPath): string {
  return `/${path.segments.join('/')}`;
}

function createHidden(
  patterns: readonly string[],
  paths: readonly string[],
): ((segments: readonly string[]) => boolean) | undefined {
  if (patterns.length === 0 && paths.length === 0) return undefined;
  const byPattern = patterns.length === 0 ? undefined : createUnlisted(patterns);
  // Compared in lower case: on a case-insensitive disk /SERVE.JSON opens serve.json.
  const exact = new Set(paths.map((p) => p.toLowerCase()));
  return function isHidden(segments) {
    if (byPattern?.(segments) === true) return true;
    if (exact.size === 0) return false;
    let path = '';
    for (const segment of segments) {
      path = path === '' ? segment.toLowerCase() : `${path}/${segment.toLowerCase()}`;
      if (exact.has(path)) return true;
    }
    return false;
  };
}
