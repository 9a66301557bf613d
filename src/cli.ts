// src/cli.ts
// The command line: parses flags (commander), checks the folder, starts the server, prints
// the banner and the request log, and turns every user mistake into one line and an exit code.
// The only module that touches process.argv, process.exit, stdout/stderr or signals.
import { readFileSync } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { colors, escapeControl, formatBanner, formatErrorLine, formatRequestLine } from './log.js';
import { DEFAULT_PORT, type RunningServer, type StartOptions, startServer } from './server.js';

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

/** Exit codes (README, "Exit codes"). */
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** A mistake in how the command was called: exit 2. */
class UsageError extends Error {}
/** A problem that stops the server from starting: exit 1. */
class StartupError extends Error {}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface CliFlags {
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
}

export const HELP_EXAMPLES = `
Examples:
  $ serve-here                    serve this folder at http://localhost:8000/
  $ serve-here dist -p 3000       serve ./dist on port 3000
  $ serve-here 8080               serve this folder on port 8080
  $ serve-here --host             share on your network (all interfaces)
  $ serve-here build --spa        single-page app: unknown routes get index.html
`;

export function createProgram(): Command {
  const { Command, Option } = commander();
  return new Command('serve-here')
    .description('Serve a folder over HTTP: files with the right type, folders as a listing.')
    .usage('[root] [options]')
    .argument('[root]', 'folder to serve (a bare number is the port)', '.')
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
    .option('-q, --quiet', 'do not log requests')
    .version(VERSION, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_EXAMPLES)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
}

const HELP_WIDTH = 88;

/** Rewrites commander's error text as one short line: `--port: must be …` rather than
 * `error: option '-p, --port <n>' argument '…' is invalid. …`. */
function usageMessage(raw: string): string {
  const message = raw.replace(/^error: /, '').trim();
  const invalid = /^option '(?:-\w, )?(--[\w-]+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(message);
  const text = invalid === null ? message : `${invalid[1]}: ${invalid[2]}`;
  return `${text} (see --help)`;
}

/** What the command line asks for: the folder argument as typed, and the flags. */
interface ParsedArgs {
  readonly root: string;
  readonly flags: CliFlags;
}

/** Runs the CLI; resolves once the server has stopped (or failed to start). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // `serve-here --help | head` closes the pipe early; that is not an error worth a stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
      throw error;
    });
  }
  const parsed = parseCommonArgs(argv) ?? parseWithCommander(argv);
  if (parsed === undefined) return;
  try {
    const options = await optionsFrom(parsed.root, parsed.flags, env);
    await run(options, parsed.flags);
  } catch (error) {
    if (error instanceof UsageError || error instanceof StartupError) {
      process.stderr.write(`${formatErrorLine(error.message)}\n`);
      process.exitCode = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
      return;
    }
    throw error;
  }
}

/**
 * Parses with commander, which also prints --help, --version and every usage error; returns
 * undefined (with process.exitCode set) when it has already answered.
 */
function parseWithCommander(argv: readonly string[]): ParsedArgs | undefined {
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
      process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return undefined;
    }
    throw error;
  }
  return { root: program.processedArgs[0] as string, flags: program.opts<CliFlags>() };
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
  const flags: CliFlags = { listing: true, compress: true, cleanUrls: true };
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

interface CliRun extends StartOptions {
  readonly root: string;
  readonly folderLabel: string;
  readonly explicitPort: boolean;
}

async function optionsFrom(rootArg: string, flags: CliFlags, env: NodeJS.ProcessEnv): Promise<CliRun> {
  let root = rootArg;
  let port = flags.port;
  // `serve-here 8080` means the port, as with `python -m http.server 8080`, unless a folder
  // of that name exists.
  if (/^\d+$/.test(root) && port === undefined && !(await isDirectory(root))) {
    port = parsePortOrThrow(root, UsageError);
    root = '.';
  }
  let explicitPort = port !== undefined;
  if (port === undefined && env.PORT !== undefined && env.PORT !== '') {
    port = parsePortOrThrow(env.PORT, UsageError, '$PORT');
    explicitPort = true;
  }
  const absolute = resolve(root);
  await checkFolder(root, absolute);
  if (flags.host === '')
    throw new UsageError('--host: give an address, or leave the value out for every interface');
  if (typeof flags.spa === 'string') await checkSpaPage(flags.spa, absolute);
  return {
    root: absolute,
    folderLabel: labelFor(absolute),
    explicitPort,
    port: port ?? DEFAULT_PORT,
    portFallback: !explicitPort,
    host: flags.host === true ? '::' : flags.host,
    dotfiles: flags.dotfiles === true,
    followSymlinks: flags.followSymlinks === true,
    cache: flags.cache,
    listing: flags.listing,
    compress: flags.compress,
    cleanUrls: flags.cleanUrls,
    spa: flags.spa === undefined ? false : flags.spa,
    cors: flags.cors === true,
    isolate: flags.isolate === true,
    headers: Object.fromEntries((flags.header ?? []).map((h) => splitHeader(h))),
  };
}

/**
 * The --spa page is served like any other file, so it must be a path inside the folder; a
 * page that doesn't exist yet only earns a warning (a build may be about to write it).
 */
async function checkSpaPage(page: string, root: string): Promise<void> {
  const segments = page.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  if (isAbsolute(page) || segments.includes('..') || segments.length === 0) {
    throw new UsageError(`--spa: "${page}" must be a file inside the served folder, such as index.html`);
  }
  if (
    !(await stat(join(root, ...segments)).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    process.stderr.write(`${formatErrorLine(`warning: --spa page ${page} is not in the folder (yet)`)}\n`);
  }
}

async function run(options: CliRun, flags: CliFlags): Promise<void> {
  const quiet = flags.quiet === true;
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      onResponse: quiet
        ? undefined
        : (entry) => process.stdout.write(`${formatRequestLine(entry, new Date())}\n`),
      onError: (error, path) => process.stderr.write(`${formatErrorLine(describeError(error, path))}\n`),
    });
  } catch (error) {
    throw new StartupError(listenFailure(error, options));
  }
  const busyPort = server.port !== options.port && options.port !== 0 ? options.port : undefined;
  process.stdout.write(
    formatBanner(
      {
        version: VERSION,
        folder: options.folderLabel,
        url: server.url,
        port: server.port,
        host: options.host,
        busyPort,
      },
      process.stdout.isTTY === true,
    ),
  );
  const open = flags.open;
  if (open !== undefined) {
    // Not awaited: the server is already answering, and a missing browser is only a note.
    // Loaded here so that only --open pays for the module.
    void import('./open-browser.js')
      .then(({ browserUrl, openBrowser }) => openBrowser(browserUrl(server.url, open)))
      .then((outcome) => {
        if (outcome.kind === 'skipped') process.stdout.write(`${colors().dim(outcome.note)}\n`);
      });
  }
  server.server.on('error', (error) => {
    process.stderr.write(`${formatErrorLine(`server error: ${(error as Error).message}`)}\n`);
    process.exitCode = EXIT_FAILURE;
    void server.close();
  });
  await waitForStop(server);
}

/** First SIGINT/SIGTERM: stop gracefully. A second one: exit at once. */
function waitForStop(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) {
        process.stdout.write(`${colors().dim('forced stop')}\n`);
        process.exit(process.exitCode ?? EXIT_OK);
      }
      stopping = true;
      process.stdout.write(`\n${colors().dim('stopping…')}\n`);
      void server.close().then(() => {
        process.stdout.write(`${colors().dim('stopped')}\n`);
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    server.server.once('close', () => {
      if (!stopping) resolve();
    });
  });
}

function listenFailure(error: unknown, options: CliRun): string {
  const code = (error as NodeJS.ErrnoException).code;
  const where = options.host === undefined || options.host === '::' ? '' : ` on ${options.host}`;
  switch (code) {
    case 'EADDRINUSE':
      return options.explicitPort
        ? `port ${options.port} is already in use${where}; choose another with --port, or --port 0 for any free port`
        : `ports ${options.port} and the next ones are all in use; choose one with --port, or --port 0 for any free port`;
    case 'EACCES':
      return `not allowed to listen on port ${options.port}${where}: ports below 1024 need administrator rights; use --port ${DEFAULT_PORT} or any port from 1024 up`;
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${options.host}: this machine has no such address; leave out --host for localhost, or use --host alone for every interface`;
    default:
      return `cannot start the server: ${(error as Error).message}`;
  }
}

/**
 * One line for operating-system errors (out of descriptors, I/O errors: their code says it
 * all), the stack as well for anything else, which is a bug worth reporting.
 */
function describeError(error: unknown, path: string): string {
  const where = path === '' ? '' : ` (${escapeControl(path)})`;
  if (!(error instanceof Error)) return `${String(error)}${where}`;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' || error.stack === undefined) return `${error.message}${where}`;
  return `${error.message}${where}\n${colors().dim(error.stack)}`;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function checkFolder(shown: string, absolute: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES') throw new StartupError(`cannot read the folder ${shown}: permission denied`);
    throw new StartupError(`folder not found: ${shown}`);
  }
  if (!info.isDirectory()) {
    throw new StartupError(`not a folder: ${shown} (serve-here serves folders; try its parent folder)`);
  }
  try {
    await access(absolute, constants.R_OK | constants.X_OK);
  } catch {
    throw new StartupError(`cannot read the folder ${shown}: permission denied`);
  }
}

function labelFor(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  if (rel === '') return '.';
  return rel.startsWith('..') ? absolute : `./${rel}`;
}

function parsePort(value: string): number {
  return parsePortOrThrow(value, commander().InvalidArgumentError, '');
}

function parsePortOrThrow(value: string, Failure: new (message: string) => Error, label = 'port'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(port) || port > 65535) {
    const subject = label === '' ? '' : `${label} `;
    throw new Failure(`${subject}must be a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
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

/** Headers that frame the message; serve-here computes them, and a wrong one breaks the response. */
const FRAMING_HEADERS = new Set([
  'content-length',
  'content-encoding',
  'content-range',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'trailer',
]);

function splitHeader(value: string, Failure: new (message: string) => Error = UsageError): [string, string] {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  const content = colon === -1 ? '' : value.slice(colon + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(content)) {
    throw new Failure(`"${value}" is not a header; write it as "Name: value"`);
  }
  if (FRAMING_HEADERS.has(name.toLowerCase())) {
    throw new Failure(`${name} can't be set with --header; serve-here computes it for each response`);
  }
  return [name, content];
}
