// src/upload/index.ts
// --upload: writes into the served folder. `PUT /path/name` stores its body under a new name;
// `POST /folder/` takes a multipart form of files (and `mkdir` fields), and `POST
// /folder/?mkdir=name` makes a folder. Names are checked (names.ts), targets are found through
// the Resolver like reads, cross-site POSTs are refused (origin.ts), and every file goes through
// store.ts, which never leaves a partial file under its name. Off unless the flag is given.
import { mkdir } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Busboy } from 'busboy';
import { HttpError } from '../http/errors.js';
import { encodeUrlPath } from '../http/html.js';
import type { Exchange } from '../serve/exchange.js';
import type { HeaderList } from '../serve/headers.js';
import { escapeControl, formatBytes } from '../serve/log.js';
import { parseRequestPath } from '../serve/request-path.js';
import { isHiddenSegment, type Resolver } from '../serve/resolve.js';
import { decideWrite } from './conditions.js';
import { checkName } from './names.js';
import { isSameOrigin } from './origin.js';
import { type ItemResult, sendResults } from './reply.js';
import { type StoreOutcome, storeFile } from './store.js';

export { DEFAULT_MAX_UPLOAD, parseSize } from './size.js';
export { TEMP_PREFIX } from './store.js';

const require = createRequire(import.meta.url);

/** busboy (CommonJS) through require(), on the first form: a server that gets none never loads it. */
function loadBusboy(): typeof import('busboy') {
  return require('busboy') as typeof import('busboy');
}

/** What --upload and --max-upload set. */
export interface UploadSettings {
  /** Whether an upload may replace an existing file (`--upload=overwrite`). */
  readonly overwrite: boolean;
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
}

/** One stored file or made folder, for the log. */
export interface UploadLogEntry {
  /** The URL path of what was written. */
  readonly path: string;
  /** Bytes stored; undefined for a folder. */
  readonly bytes: number | undefined;
  readonly replaced: boolean;
}

/** A body that moves no byte for this long is given up (Node's own requestTimeout is off). */
const IDLE_MS = 30_000;

export type UploadHandler = (exchange: Exchange) => Promise<void>;

/** Creates the handler for PUT and POST, for a server started with --upload. */
export function createUploadHandler(
  settings: UploadSettings,
  resolver: Resolver,
  onUpload: ((entry: UploadLogEntry) => void) | undefined,
): UploadHandler {
  const context: Context = { settings, resolver, onUpload };
  return function handleUpload(exchange) {
    return exchange.req.method === 'PUT' ? put(exchange, context) : post(exchange, context);
  };
}

interface Context {
  readonly settings: UploadSettings;
  readonly resolver: Resolver;
  readonly onUpload: ((entry: UploadLogEntry) => void) | undefined;
}

async function put(exchange: Exchange, context: Context): Promise<void> {
  const { req } = exchange;
  const { settings } = context;
  const path = parseRequestPath(req.url ?? '/');
  const parent = path.segments.slice(0, -1);
  const name = path.segments.at(-1) ?? '';
  const back = encodeUrlPath(parent, true);
  const refuse = (status: number, message: string): void =>
    reply(exchange, context, status, [{ name: '', status, message }], back);
  // A browser page elsewhere can only PUT after a CORS preflight, which is never granted for
  // PUT; an Origin naming another site is refused all the same.
  if (req.headers.origin !== undefined && !isSameOrigin(req.headers, schemeOf(req))) {
    return refuse(403, 'uploads from other sites are refused');
  }
  if (!path.canonical) {
    return refuse(400, 'write to the plain path: no ., .. or empty segments, encoded slashes or backslashes');
  }
  if (path.trailingSlash)
    return refuse(400, 'PUT needs a file name; to upload into a folder, POST a form to it');
  const folder = await findFolder(context, exchange, parent);
  if (folder === undefined) return refuse(409, `there is no folder ${decodedPath(parent)}; create it first`);
  const check = checkName(name, exchange.config.dotfiles);
  if (!check.ok) return refuse(400, `${quoted(name)}: ${check.reason}`);
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > settings.maxBytes) return refuse(413, tooLarge(name, settings));

  const location = encodeUrlPath(path.segments, false);
  const outcome = await storeFile({
    folder,
    name,
    body: req,
    maxBytes: settings.maxBytes,
    idleMs: IDLE_MS,
    decide: (existing) => decideWrite(req.headers, existing, settings.overwrite),
  });
  if (outcome.kind === 'aborted') {
    exchange.res.destroy();
    return;
  }
  const result = resultOf(outcome, name, location, settings);
  report(context, outcome, location);
  reply(exchange, context, result.status, [result], back);
}

async function post(exchange: Exchange, context: Context): Promise<void> {
  const { req } = exchange;
  const path = parseRequestPath(req.url ?? '/');
  const back = encodeUrlPath(path.segments, true);
  const refuse = (status: number, message: string): void =>
    reply(exchange, context, status, [{ name: '', status, message }], back);
  // The one defence against cross-site request forgery: a form on another site can POST here,
  // and the browser says so in Origin (see origin.ts).
  if (!isSameOrigin(req.headers, schemeOf(req))) return refuse(403, 'uploads from other sites are refused');
  const folder = await findFolder(context, exchange, path.segments);
  if (folder === undefined) return refuse(404, `there is no folder ${decodedPath(path.segments)}`);

  const asked = new URLSearchParams(path.query).get('mkdir');
  if (asked !== null) {
    const result = await makeFolder(exchange, context, folder, path.segments, asked);
    return reply(exchange, context, result.status, [result], back);
  }
  const results = await receiveForm(exchange, context, folder, path.segments);
  if (results === undefined) return; // the client went away
  if (typeof results === 'string') return refuse(415, results);
  if (results.length === 0) return refuse(400, 'the form held no file and no folder name');
  const failed = results.find((r) => r.status >= 300);
  const status = failed?.status ?? 201;
  reply(exchange, context, status, results, back);
}

/**
 * Reads a multipart (or URL-encoded) form: each file is stored as it arrives, each `mkdir`
 * field makes a folder, in order. Undefined when the client went away; a string when the body
 * is not a form.
 */
async function receiveForm(
  exchange: Exchange,
  context: Context,
  folder: string,
  segments: readonly string[],
): Promise<ItemResult[] | string | undefined> {
  const { req, config } = exchange;
  const { settings } = context;
  let parser: Busboy;
  try {
    parser = loadBusboy()({
      headers: req.headers,
      // Names are checked, not cleaned: a client's `a/b.txt` is refused, never cut to `b.txt`.
      preservePath: true,
      defParamCharset: 'utf8',
      limits: { fields: 100, fieldSize: 4096, parts: 1000, headerPairs: 50 },
    });
  } catch {
    return 'send the files as multipart/form-data';
  }
  const results: ItemResult[] = [];
  let gone = false;
  let stopped = false;
  // One item at a time, in the form's order; a file's stream waiting its turn holds the
  // parser, and so the socket (backpressure).
  let queue: Promise<void> = Promise.resolve();
  const stop = (): void => {
    stopped = true;
    req.unpipe(parser);
    parser.destroy();
  };
  parser.on('file', (_field, stream, info) => {
    queue = queue.then(async () => {
      const name = info.filename;
      // An empty file input sends a part without a name or content: nothing was picked.
      if (stopped || name === undefined || name === '') {
        stream.resume();
        return;
      }
      const check = checkName(name, config.dotfiles);
      if (!check.ok) {
        stream.resume();
        results.push({ name, status: 400, message: `${quoted(name)}: ${check.reason}` });
        return;
      }
      const location = encodeUrlPath([...segments, name], false);
      const outcome = await storeFile({
        folder,
        name,
        body: stream,
        maxBytes: settings.maxBytes,
        idleMs: IDLE_MS,
        decide: (existing) => decideWrite({}, existing, settings.overwrite),
      });
      if (outcome.kind === 'aborted') {
        gone = true;
        return stop();
      }
      // A refusal decided before the first byte (409, 412) leaves the part unread: skip it.
      stream.resume();
      report(context, outcome, location);
      results.push(resultOf(outcome, name, location, settings));
      // The rest of a file over the limit would still have to come through: stop here.
      if (outcome.kind === 'too-large') stop();
    });
  });
  parser.on('field', (field, value) => {
    if (field !== 'mkdir') return;
    queue = queue.then(async () => {
      if (stopped) return;
      results.push(await makeFolder(exchange, context, folder, segments, value));
    });
  });
  try {
    await pipeline(req, parser);
  } catch {
    // Cut short: by stop() (the results say why) or by the client.
    if (!stopped) gone = true;
  }
  await queue;
  if (gone || exchange.res.destroyed) {
    exchange.res.destroy();
    return undefined;
  }
  return results;
}

async function makeFolder(
  exchange: Exchange,
  context: Context,
  folder: string,
  segments: readonly string[],
  name: string,
): Promise<ItemResult> {
  const check = checkName(name, exchange.config.dotfiles);
  if (!check.ok) return { name, status: 400, message: `${quoted(name)}: ${check.reason}` };
  const location = encodeUrlPath([...segments, name], true);
  try {
    await mkdir(join(folder, name));
  } catch (error) {
    switch ((error as NodeJS.ErrnoException).code) {
      case 'EEXIST':
        return { name, status: 409, message: `${quoted(name)} already exists` };
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return { name, status: 403, message: `${quoted(name)}: this folder is not writable` };
      case 'ENOSPC':
      case 'EDQUOT':
        return { name, status: 507, message: `${quoted(name)}: the disk is full` };
      case 'ENOENT':
        return { name, status: 409, message: `${quoted(name)}: the folder it was to go in is gone` };
      default:
        throw error;
    }
  }
  context.onUpload?.({ path: location, bytes: undefined, replaced: false });
  return { name, status: 201, message: `created the folder ${name}/`, location };
}

/**
 * The real path of the folder at `segments`, by the same rules as reads: hidden names are not
 * found without --dotfiles, and a path that leads out of the root (a symlink) is refused by
 * the Resolver. Undefined when there is no folder there.
 */
async function findFolder(
  context: Context,
  exchange: Exchange,
  segments: readonly string[],
): Promise<string | undefined> {
  if (!exchange.config.dotfiles && segments.some((s, i) => isHiddenSegment(s, i))) {
    throw new HttpError(404);
  }
  const found = await context.resolver.lookup(segments);
  return found?.stats.isDirectory() ? found.filePath : undefined;
}

function resultOf(
  outcome: StoreOutcome,
  name: string,
  location: string,
  settings: UploadSettings,
): ItemResult {
  const shown = quoted(name);
  switch (outcome.kind) {
    case 'created':
    case 'replaced':
      return {
        name,
        status: outcome.kind === 'created' ? 201 : 200,
        message: `${outcome.kind === 'created' ? 'stored' : 'replaced'} ${name} (${formatBytes(outcome.bytes)})`,
        location,
        bytes: outcome.bytes,
      };
    case 'exists':
      return {
        name,
        status: 409,
        message: settings.overwrite
          ? `${shown} is a folder or a link; it can't be replaced by a file`
          : `${shown} already exists; the server does not overwrite files`,
      };
    case 'precondition-failed':
      return { name, status: 412, message: `${shown} changed (If-Match or If-None-Match is false)` };
    case 'too-large':
      return { name, status: 413, message: tooLarge(name, settings) };
    case 'no-space':
      return { name, status: 507, message: `${shown}: the disk is full` };
    case 'forbidden':
      return { name, status: 403, message: `${shown}: this folder is not writable` };
    case 'folder-gone':
      return { name, status: 409, message: `${shown}: the folder it was to go in is gone` };
    case 'aborted':
      return { name, status: 400, message: `${shown}: the upload was cut short` };
  }
}

function report(context: Context, outcome: StoreOutcome, location: string): void {
  if (outcome.kind !== 'created' && outcome.kind !== 'replaced') return;
  context.onUpload?.({ path: location, bytes: outcome.bytes, replaced: outcome.kind === 'replaced' });
}

function tooLarge(name: string, settings: UploadSettings): string {
  return `${quoted(name)} is larger than the server's limit of ${formatBytes(settings.maxBytes)} (--max-upload)`;
}

/** A name as a message shows it: quoted, control characters escaped, cut when very long. */
function quoted(name: string): string {
  return `"${escapeControl(name.length > 80 ? `${name.slice(0, 80)}…` : name)}"`;
}

function decodedPath(segments: readonly string[]): string {
  return `/${segments.map((s) => `${s}/`).join('')}`;
}

function schemeOf(req: IncomingMessage): 'http' | 'https' {
  return (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
}

/** Sends the results, taking care of a body that was not (wholly) read. */
function reply(
  exchange: Exchange,
  context: Context,
  status: number,
  results: readonly ItemResult[],
  back: string,
): void {
  const { maxBytes } = context.settings;
  const head = closeIfUnread(exchange.req, maxBytes);
  limitDrain(exchange, maxBytes);
  sendResults(exchange, status, results, { back, head });
}

/**
 * Headers for an answer given before the whole body was read. Node then reads the rest and
 * drops it, so the connection can serve the next request and the client, still sending, is
 * sure to see the answer; closing at once could reset the connection under it. A body that
 * announces more than the limit is not worth receiving: that connection closes. Either way no
 * more than `maxBytes` further bytes are read (see limitDrain).
 */
function closeIfUnread(req: IncomingMessage, maxBytes: number): HeaderList {
  if (req.complete) return [];
  const length = Number(req.headers['content-length'] ?? 0);
  return length > maxBytes ? ['Connection', 'close'] : [];
}

/** After the answer, cuts a connection whose unread body goes on beyond `maxBytes`. */
function limitDrain(exchange: Exchange, maxBytes: number): void {
  const { req, res } = exchange;
  if (req.complete) return;
  res.once('finish', () => {
    // After Node's own drain has started (it drops earlier 'data' listeners).
    setImmediate(() => {
      let dropped = 0;
      req.on('data', (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > maxBytes) req.socket.destroy();
      });
    });
  });
}
