// src/cli/index.ts
// The command line's life: checks the folder, starts the server, prints the banner and the
// request log, stops on signals, and turns every user mistake into one line and an exit code.
// The only module that touches process.argv, process.exit, stdout/stderr or signals.
import { access, constants, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { LoadedConfig } from '../config/index.js';
import type { ExportTls } from '../export/site.js';
import type { ExportTarget } from '../export/targets.js';
import { spaSegments } from '../serve/fallback.js';
import {
  colors,
  escapeControl,
  formatBanner,
  formatErrorLine,
  formatRequestLine,
  isEveryInterface,
  type LocalCaInfo,
  lanAddresses,
  urlForAddress,
} from '../serve/log.js';
import { CONFIG_FILE_NAME } from '../serve/resolve.js';
import { DEFAULT_PORT, type RunningServer, type StartOptions, startServer } from '../serve/server.js';
import { formatUploadLine } from '../upload/log-line.js';
import {
  type CliFlags,
  parseCommonArgs,
  parsePortOrThrow,
  parseWithCommander,
  splitHeader,
  UsageError,
  VERSION,
} from './args.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';

/** A problem that stops the server from starting: exit 1. */
class StartupError extends Error {}

/** Runs the CLI; resolves once the server has stopped (or failed to start). */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // `serve-here --help | head` closes the pipe early; that is not an error worth a stack.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
      throw error;
    });
  }
  const common = parseCommonArgs(argv);
  const outcome = common === undefined ? parseWithCommander(argv) : { kind: 'run' as const, args: common };
  if (outcome.kind === 'answered') {
    process.exitCode = outcome.exitCode;
    return;
  }
  const parsed = outcome.args;
  try {
    const options = await optionsFrom(parsed.root, parsed.flags, env);
    if (options.flags.export !== undefined) return await printExport(options, options.flags.export);
    await run(options, options.flags);
  } catch (error) {
    if (error instanceof UsageError || error instanceof StartupError) {
      // Messages quote what the user typed: escaped, they stay one line (log.ts).
      process.stderr.write(`${formatErrorLine(escapeControl(error.message))}\n`);
      process.exitCode = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
      return;
    }
    throw error;
  }
}

interface CliRun extends StartOptions {
  readonly root: string;
  readonly folderLabel: string;
  readonly explicitPort: boolean;
  /** The command line's flags over the config file's values. */
  readonly flags: CliFlags;
  /** With --https: the banner's lines about the local authority (its URL is added later). */
  readonly localCa?: (Omit<LocalCaInfo, 'url'> & { readonly caPath: string }) | undefined;
}

async function optionsFrom(rootArg: string, cliFlags: CliFlags, env: NodeJS.ProcessEnv): Promise<CliRun> {
  let flags = cliFlags;
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
  let absolute = resolve(root);
  await checkFolder(root, absolute);
  // The config file: its values under the flags ($PORT still beats its port), its rules as options.
  const config = await configFor(absolute, flags.config);
  const folder = config === undefined || root !== '.' ? undefined : config.module.publicFolder(config.loaded);
  if (folder !== undefined) {
    root = relative(process.cwd(), folder) || '.';
    absolute = folder;
    await checkFolder(root, absolute);
  }
  if (config !== undefined) {
    flags = config.module.mergeFlags(config.loaded.config, flags);
    if (port === undefined && flags.port !== undefined) {
      port = flags.port;
      explicitPort = true;
    }
  }
  if (flags.host === '')
    throw new UsageError('--host: give an address, or leave the value out for every interface');
  if (typeof flags.spa === 'string') await checkSpaPage(flags.spa, absolute);
  if (flags.maxUpload !== undefined && flags.upload === undefined)
    throw new UsageError('--max-upload limits uploads; add --upload to accept them');
  const host = flags.host === true ? '::' : flags.host;
  const tls = await tlsFrom(flags, host, env);
  return {
    ...tls,
    root: absolute,
    folderLabel: labelFor(absolute),
    explicitPort,
    flags,
    ...(config === undefined ? {} : config.module.ruleOptions(config.loaded, absolute)),
    port: port ?? DEFAULT_PORT,
    portFallback: !explicitPort,
    host,
    dotfiles: flags.dotfiles === true,
    followSymlinks: flags.followSymlinks === true,
    cache: flags.cache,
    listing: flags.listing,
    compress: flags.compress,
    cleanUrls: flags.cleanUrls,
    spa: flags.spa === undefined ? false : flags.spa,
    cors: flags.cors === true,
    isolate: flags.isolate === true,
    zip: flags.zip === true,
    headers: Object.fromEntries((flags.header ?? []).map((h) => splitHeader(h))),
    // --proxy replaces the config file's proxy (given by ruleOptions above), never with nothing.
    ...(flags.proxy === undefined ? {} : { proxy: flags.proxy }),
    upload: flags.upload ?? false,
    ...(flags.maxUpload === undefined ? {} : { maxUpload: flags.maxUpload }),
    watch: flags.watch === true,
    auth: await authSpec(flags, env),
  };
}

/**
 * `--config FILE`, or serve-here.json in the root when there is one. The config code loads
 * only then: a folder without a config file costs one stat.
 */
async function configFor(
  root: string,
  configFlag: string | undefined,
): Promise<{ module: typeof import('../config/index.js'); loaded: LoadedConfig } | undefined> {
  const present =
    configFlag !== undefined ||
    (await stat(join(root, CONFIG_FILE_NAME)).then(
      () => true,
      () => false,
    ));
  if (!present) return undefined;
  const module = await import('../config/index.js');
  const loaded = await module.loadConfig(root, configFlag).catch((error: unknown) => {
    throw error instanceof module.ConfigError ? new StartupError(error.message) : error;
  });
  return loaded === undefined ? undefined : { module, loaded };
}

/** --auth, else $SERVE_HERE_AUTH (which keeps the password out of shell history and `ps`). */
async function authSpec(flags: CliFlags, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const [spec, source] =
    flags.auth !== undefined ? [flags.auth, '--auth'] : [env.SERVE_HERE_AUTH, '$SERVE_HERE_AUTH'];
  if (spec === undefined || (spec === '' && source !== '--auth')) return undefined;
  const { parseCredentials } = await import('../auth/index.js');
  const parsed = parseCredentials(spec);
  // The reason never quotes the spec: it holds the password.
  if (parsed.kind === 'invalid') throw new UsageError(`${source}: ${parsed.reason}`);
  return spec;
}

/**
 * --https or --tls-cert/--tls-key: the certificate is read (or issued) and checked here, so
 * that every mistake stops the start before anything listens. The TLS code loads only then.
 */
async function tlsFrom(
  flags: CliFlags,
  host: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Pick<CliRun, 'tls' | 'caCertificate' | 'localCa'>> {
  const files = [flags.tlsCert, flags.tlsKey, flags.tlsPasswordFile].some((file) => file !== undefined);
  if (!files && flags.https !== true) return {};
  if (files && flags.https === true) {
    throw new UsageError('--https makes its own certificate; use either it or --tls-cert and --tls-key');
  }
  const { prepareTls, trustCommand } = await import('../tls/index.js');
  const setup = await prepareTls({
    https: flags.https === true,
    certFile: flags.tlsCert,
    keyFile: flags.tlsKey,
    passwordFile: flags.tlsPasswordFile,
    host,
    lanAddresses: isEveryInterface(host) ? lanAddresses() : [],
    env,
    shown: (path) => escapeControl(path),
  });
  if (setup.kind === 'refused') throw new StartupError(setup.message);
  const { local } = setup;
  if (local === undefined) return { tls: setup.material };
  return {
    tls: setup.material,
    caCertificate: local.caCertificate,
    localCa: {
      caPath: local.caPath,
      fingerprint: local.caFingerprint,
      trustCommand: trustCommand(process.platform, local.caPath),
    },
  };
}

/**
 * The --spa page is served like any other file, so it must be a path inside the folder; a
 * page that doesn't exist yet only earns a warning (a build may be about to write it).
 */
async function checkSpaPage(page: string, root: string): Promise<void> {
  const segments = spaSegments(page);
  if (isAbsolute(page) || segments === undefined) {
    throw new UsageError(`--spa: "${page}" must be a file inside the served folder, such as index.html`);
  }
  if (
    !(await stat(join(root, ...segments)).then(
      (s) => s.isFile(),
      () => false,
    ))
  ) {
    const warning = `warning: --spa page ${escapeControl(page)} is not in the folder (yet)`;
    process.stderr.write(`${formatErrorLine(warning)}\n`);
  }
}

/** --export: prints the equivalent configuration instead of listening. Loaded only when asked for. */
async function printExport(options: CliRun, target: ExportTarget): Promise<void> {
  const { ExportError, renderExport, siteFrom } = await import('../export/index.js');
  try {
    process.stdout.write(
      renderExport(target, siteFrom({ ...options, tlsFiles: await tlsFilesOf(options) }, VERSION)),
    );
  } catch (error) {
    if (error instanceof ExportError)
      throw new StartupError(`--export ${target}: ${escapeControl(error.message)}`);
    throw error;
  }
}

/** The certificate files HTTPS is served with, as absolute paths, for --export. */
async function tlsFilesOf(options: CliRun): Promise<ExportTls | undefined> {
  const { flags } = options;
  if (flags.tlsCert !== undefined && flags.tlsKey !== undefined) {
    const passwordFile = flags.tlsPasswordFile === undefined ? undefined : resolve(flags.tlsPasswordFile);
    return { cert: resolve(flags.tlsCert), key: resolve(flags.tlsKey), passwordFile };
  }
  if (options.localCa === undefined) return undefined;
  const { LEAF_FILE, LEAF_KEY_FILE } = await import('../tls/local-ca.js');
  const folder = dirname(options.localCa.caPath);
  return { cert: join(folder, LEAF_FILE), key: join(folder, LEAF_KEY_FILE), localCa: true };
}

async function run(options: CliRun, flags: CliFlags): Promise<void> {
  const quiet = flags.quiet === true;
  // Looked for while the server starts listening; printed under the banner.
  const sharing = shareNotes(options, flags);
  let server: RunningServer;
  try {
    server = await startServer({
      ...options,
      onResponse: quiet
        ? undefined
        : (entry) => process.stdout.write(`${formatRequestLine(entry, new Date())}\n`),
      onError: (error, path) => process.stderr.write(`${formatErrorLine(describeError(error, path))}\n`),
      onWarning: (message) => process.stderr.write(`${formatErrorLine(message)}\n`),
      onAuthBlocked: (address, seconds) =>
        process.stderr.write(
          `${formatErrorLine(`too many failed logins from ${escapeControl(address)}; it gets 429 for ${seconds} s`)}\n`,
        ),
      onUpload: quiet
        ? undefined
        : (entry) => process.stdout.write(`${formatUploadLine(entry, new Date())}\n`),
    });
  } catch (error) {
    void sharing.catch(() => undefined);
    throw new StartupError(listenFailure(error, options));
  }
  // Awaited before the banner: the banner, the QR code and the warnings go out together.
  const notes = await sharing.catch(() => undefined);
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
        watching: options.watch,
        localCa:
          options.localCa === undefined
            ? undefined
            : { ...options.localCa, url: `${caUrlBase(server)}__serve-here/ca.crt` },
        proxy: options.proxy,
      },
      process.stdout.isTTY === true,
    ),
  );
  notes?.print(server.url);
  // A server from now on: its young generation stops growing at 16 MiB (young-generation.ts).
  // Loaded after the banner, so that start-up does not wait for it.
  void import('../serve/young-generation.js').then(({ capYoungGeneration }) => capYoungGeneration());
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

/**
 * On a network address only (src/share loads then): the warnings before exposing the folder,
 * and the QR code of the LAN URL when stdout is a terminal and --no-qr is not given.
 */
async function shareNotes(
  options: CliRun,
  flags: CliFlags,
): Promise<{ print(serverUrl: string): void } | undefined> {
  if (options.host === undefined || options.host === 'localhost') return undefined;
  const share = await import('../share/index.js');
  if (!share.isNetworkHost(options.host)) return undefined;
  const warnings = await share.exposureWarnings(
    {
      root: options.root,
      host: options.host,
      dotfiles: options.dotfiles === true,
      followSymlinks: options.followSymlinks === true,
      auth: options.auth !== undefined,
      tls: options.tls !== undefined,
      upload: options.upload !== undefined && options.upload !== false,
    },
    options.folderLabel,
  );
  const showQr = flags.qr && process.stdout.isTTY === true;
  return {
    print(serverUrl) {
      const everywhere = isEveryInterface(options.host);
      const url = !showQr ? undefined : everywhere ? share.lanUrl(serverUrl, lanAddresses()) : serverUrl;
      if (url !== undefined)
        process.stdout.write(`${share.renderQr(url)}\n  ${colors().dim(`scan to open ${url}`)}\n\n`);
      for (const line of warnings)
        process.stderr.write(`${colors().yellow(`serve-here: warning: ${line}`)}\n`);
    },
  };
}

/** Where a phone on the network finds the server: the first LAN address, else the URL. */
function caUrlBase(server: RunningServer): string {
  if (!isEveryInterface(server.host)) return server.url;
  const [address] = lanAddresses();
  return address === undefined ? server.url : urlForAddress(address, server.port, 'https');
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
  // The message may name the served folder, which is the user's input.
  const message = escapeControl(error.message);
  if (typeof code === 'string' || error.stack === undefined) return `${message}${where}`;
  return `${message}${where}\n${colors().dim(error.stack)}`;
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
