// src/cli/args.ts
// Reading the command line: the commander program (flags, help, version), a fast path for
// everyday command lines, and the checks of flag values. Knows nothing of HTTP or of the
// process; cli/index.ts decides what to do with the outcome.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { EXPORT_TARGETS, type ExportTarget } from '../export/targets.js';
import { FRAMING_HEADERS, HEADER_NAME } from '../http/header-name.js';
import { parseProxyTarget } from '../proxy/target.js';
import { escapeControl, formatErrorLine } from '../serve/log.js';
import { DEFAULT_PORT } from '../serve/server.js';
import { parseSize } from '../upload/size.js';
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js';

type Commander = typeof import('commander');

const require = createRequire(import.meta.url);

let loadedCommander: Commander | undefined;

/**
 * commander through require(): it is CommonJS, and importing it as ES module costs a wrapper
 * module and a scan of its source for export names on every start.
 */
function commander(): Commander {
  loadedCommander ??= require('commander') as Commander;
  return loadedCommander;
}

/** A mistake in how the command was called: exit 2. */
export class UsageError extends Error {}

/**
 * The package's own package.json: two folders up from the bundle (dist/cli/), three from this
 * compiled module (dist/src/cli/). Read with readFileSync, not require(): a first require() of
 * a JSON file costs some 0.7 ms of CommonJS loader set-up, which a plain start otherwise never
 * pays (commander is not loaded).
 */
export const VERSION = readOwnVersion();

function readOwnVersion(): string {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'serve-here' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not there (dist/package.json): one folder further up.
    }
  }
  throw new Error('serve-here: cannot find its own package.json');
}

export interface CliFlags {
  port?: number;
  host?: string | true;
  quiet?: boolean;
  dotfiles?: boolean;
  followSymlinks?: boolean;
  cache?: number;
  listing: boolean;
  compress: boolean;
  cleanUrls: boolean;
  spa?: string | true;
  cors?: boolean;
  header?: string[];
  isolate?: boolean;
  open?: string | true;
  watch?: boolean;
  config?: string;
  auth?: string;
  qr: boolean;
  https?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  tlsPasswordFile?: string;
  proxy?: string;
  upload?: 'overwrite' | true;
  maxUpload?: number;
  zip?: boolean;
  export?: ExportTarget;
}

export const HELP_EXAMPLES = `
Examples:
  $ serve-here                    serve this folder at http://localhost:8000/
  $ serve-here dist -p 3000       serve ./dist on port 3000
  $ serve-here 8080               serve this folder on port 8080
  $ serve-here --host             share on your network (all interfaces)
  $ serve-here build --spa        single-page app: unknown routes get index.html
`;

/** The headings of --help's flag groups, in the order they are printed. */
export const HELP_GROUPS = {
  serving: 'Serving:',
  webDevelopment: 'Web development:',
  sharing: 'Sharing:',
  beyondFiles: 'Beyond files:',
  other: 'Other:',
} as const;

export function createProgram(): Command {
  const { Command, Option } = commander();
  // Flags are grouped by purpose in --help (commander 14 help groups). A new flag joins the
  // group whose heading it follows: serving, web development, sharing, beyond files.
  return new Command('serve-here')
    .description('Serve a folder over HTTP: files with the right type, folders as a listing.')
    .usage('[root] [options]')
    .argument('[root]', 'folder to serve (a bare number is the port)', '.')
    .optionsGroup(HELP_GROUPS.serving)
    .option(
      '-p, --port <n>',
      `port to listen on, 0 for any free port (default: $PORT or ${DEFAULT_PORT})`,
      parsePort,
    )
    .option(
      '-H, --host [address]',
      'listen on this address; alone: on every interface (default: localhost only)',
    )
    .option('--dotfiles', 'serve and list files whose names start with a dot')
    .option('--follow-symlinks', 'serve symlinks that point outside the folder')
    .option('--cache <seconds>', 'Cache-Control max-age in seconds (default: no-cache)', parseSeconds)
    .option('--no-listing', 'answer 404 instead of listing folders')
    .option('--no-compress', 'send files uncompressed')
    .option('-q, --quiet', 'do not log requests')
    .optionsGroup(HELP_GROUPS.webDevelopment)
    .option('-w, --watch', 'reload pages when files change (CSS is swapped in place)')
    .option('--no-clean-urls', 'do not serve about.html for /about')
    .option('-s, --spa [file]', 'single-page app: unknown routes get index.html (or file)')
    .option('--cors', 'allow cross-origin requests (Access-Control-Allow-Origin: *)')
    .addOption(
      new Option('--header <"Name: value">', 'add a header to every response (repeatable)').argParser(
        collectHeader,
      ),
    )
    .option('--isolate', 'cross-origin isolation (COOP/COEP) for SharedArrayBuffer')
    .option('-o, --open [path]', 'open the browser at the served URL')
    .optionsGroup(HELP_GROUPS.sharing)
    .option('--auth <user:password>', 'password-protect every URL (or set $SERVE_HERE_AUTH)')
    .option('--no-qr', 'do not print the QR code of the network URL')
    .option('--https', 'serve HTTPS and HTTP/2 with a certificate from a local authority')
    .option('--tls-cert <file>', 'serve HTTPS and HTTP/2 with this certificate (PEM)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--tls-password-file <file>', 'file holding the password of an encrypted --tls-key')
    .option(
      '--upload [overwrite]',
      'accept uploads; --upload=overwrite may also replace files',
      parseUploadMode,
    )
    .option('--max-upload <size>', 'largest upload, e.g. 500M or 2G (default: 1G)', parseUploadSize)
    .option('--zip', 'offer every listed folder as a .zip download (?download=zip)')
    .optionsGroup(HELP_GROUPS.beyondFiles)
    .option('--config <file>', 'read options and URL rules from a JSON file (default: serve-here.json)')
    .option('--proxy <url>', 'send requests that match no file to the app at url', parseProxyUrl)
    .addOption(
      new Option('--export <server>', 'print an equivalent nginx, Caddy or Netlify config and exit').choices(
        EXPORT_TARGETS,
      ),
    )
    .optionsGroup(HELP_GROUPS.other)
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_EXAMPLES)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

const HELP_WIDTH = 88;

/** Rewrites commander's error text as one short line: `--port: must be …` rather than
 * `error: option '-p, --port <n>' argument '…' is invalid. …`. Its "(Did you mean …?)" joins
 * the line, and control characters in what the user typed are escaped. */
function usageMessage(raw: string): string {
  const message = raw
    .replace(/^error: /, '')
    .trim()
    .replace(/\n(\(Did you mean [^\n]*\?\))$/, ' $1');
  const invalid = /^option '(?:-\w, )?(--[\w-]+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(message);
  const text = invalid === null ? message : `${invalid[1]}: ${invalid[2]}`;
  return `${escapeControl(text)} (see --help)`;
}

/** What the command line asks for: the folder argument as typed, and the flags. */
export interface ParsedArgs {
  readonly root: string;
  readonly flags: CliFlags;
}

/** What parsing came to: arguments to run with, or an answer already printed (help, version, error). */
export type ParseOutcome =
  | { readonly kind: 'run'; readonly args: ParsedArgs }
  | { readonly kind: 'answered'; readonly exitCode: number };

/** Parses with commander, which also prints --help, --version and every usage error. */
export function parseWithCommander(argv: readonly string[]): ParseOutcome {
  const program = createProgram();
  program.exitOverride();
  program.configureOutput({
    // Commander's own messages ("error: unknown option '--x'") become our one-line format.
    outputError: (message, write) => write(`${formatErrorLine(usageMessage(message))}\n`),
    // A fixed width keeps --help identical everywhere (the README's usage block is tested).
    getOutHelpWidth: () => HELP_WIDTH,
    getErrHelpWidth: () => HELP_WIDTH,
  });
  try {
    program.parse(['node', 'serve-here', ...argv]);
  } catch (error) {
    if (error instanceof commander().CommanderError) {
      return { kind: 'answered', exitCode: error.exitCode === 0 ? EXIT_OK : EXIT_USAGE };
    }
    throw error;
  }
  return { kind: 'run', args: { root: program.processedArgs[0] as string, flags: program.opts<CliFlags>() } };
}

type Switch =
  | 'quiet'
  | 'dotfiles'
  | 'followSymlinks'
  | 'cors'
  | 'isolate'
  | 'listing'
  | 'compress'
  | 'cleanUrls';

/** The flags without a value, as createProgram() defines them, and what each one sets. */
const SWITCHES = new Map<string, readonly [Switch, boolean]>([
  ['-q', ['quiet', true]],
  ['--quiet', ['quiet', true]],
  ['--dotfiles', ['dotfiles', true]],
  ['--follow-symlinks', ['followSymlinks', true]],
  ['--cors', ['cors', true]],
  ['--isolate', ['isolate', true]],
  ['--no-listing', ['listing', false]],
  ['--no-compress', ['compress', false]],
  ['--no-clean-urls', ['cleanUrls', false]],
]);

/**
 * The everyday command lines (`serve-here`, `serve-here dist -p 3000 -q --host`) read without
 * loading commander, which costs about 7 ms of every start. Only spellings whose meaning is
 * certain are taken here; anything else (--help, --version, `--port=1`, `-qp 1`, a value that
 * needs checking, a second folder, an unknown flag…) returns undefined and goes to commander,
 * which also words every error. test/startup.test.ts checks that commander reads every
 * command line accepted here the same way.
 */
export function parseCommonArgs(argv: readonly string[]): ParsedArgs | undefined {
  const flags: CliFlags = { listing: true, compress: true, cleanUrls: true, qr: true };
  let root: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const toggle = SWITCHES.get(arg);
    if (toggle !== undefined) {
      flags[toggle[0]] = toggle[1];
    } else if (arg === '-p' || arg === '--port') {
      if (next === undefined || !/^\d+$/.test(next) || Number(next) > 65535) return undefined;
      flags.port = Number(next);
      i++;
    } else if (arg === '--cache') {
      if (next === undefined || !/^\d+$/.test(next)) return undefined;
      flags.cache = Number(next);
      i++;
    } else if (arg === '-H' || arg === '--host') {
      // An optional value, as commander reads it: the next word unless that is a flag.
      if (next === undefined || /^-[^\d.]/.test(next)) {
        flags.host = true;
      } else if (/^[^-]/.test(next)) {
        flags.host = next;
        i++;
      } else return undefined;
    } else if (/^[^-]/.test(arg) && root === undefined) {
      root = arg;
    } else {
      return undefined;
    }
  }
  return { root: root ?? '.', flags };
}

function parsePort(value: string): number {
  return parsePortOrThrow(value, commander().InvalidArgumentError, '');
}

export function parsePortOrThrow(
  value: string,
  Failure: new (message: string) => Error,
  label = 'port',
): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65535) {
    const subject = label === '' ? '' : `${label} `;
    throw new Failure(`${subject}must be a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}

/** A --proxy URL: http(s), a host, no credentials, no query (see src/proxy/target.ts). */
function parseProxyUrl(value: string): string {
  const parsed = parseProxyTarget(value);
  if (parsed.kind === 'invalid') {
    throw new (commander().InvalidArgumentError)(`"${escapeControl(value)}" ${parsed.reason}`);
  }
  return value;
}

function parseUploadMode(value: string): 'overwrite' {
  if (value !== 'overwrite') {
    throw new (commander().InvalidArgumentError)(
      `the only value is "overwrite", not "${value}" (put the folder before --upload)`,
    );
  }
  return value;
}

function parseUploadSize(value: string): number {
  const bytes = parseSize(value);
  if (bytes === undefined)
    throw new (commander().InvalidArgumentError)(`must be a size such as 500M or 2G, not "${value}"`);
  return bytes;
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value.trim()))
    throw new (commander().InvalidArgumentError)(`must be a whole number of seconds, not "${value}"`);
  return Number(value);
}

/** Accepts `Name: value` with a valid header name (RFC 9110 §5.1) and a value without CR/LF. */
function collectHeader(value: string, previous: string[] | undefined): string[] {
  splitHeader(value, commander().InvalidArgumentError);
  return [...(previous ?? []), value];
}

export function splitHeader(
  value: string,
  Failure: new (message: string) => Error = UsageError,
): [string, string] {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  const content = colon === -1 ? '' : value.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name) || /[\r\n\0]/.test(content)) {
    throw new Failure(`"${value}" is not a header; write it as "Name: value"`);
  }
  if (FRAMING_HEADERS.has(name.toLowerCase())) {
    throw new Failure(`${name} can't be set with --header; serve-here computes it for each response`);
  }
  return [name, content];
}
