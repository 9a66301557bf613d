// src/serve/send-file.ts
// Answers GET and HEAD for one file: validators, preconditions (RFC 9110 §13), ranges
// (RFC 9110 §14) and a streamed body with backpressure. HTTP decisions come from the pure
// modules in http/; this module only applies them and does the I/O.
import type { Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import {
  evaluatePreconditions,
  formatHttpDate,
  isRangeCurrent,
  type Validators,
} from '../http/conditional.js';
import { HttpError, httpErrorFromFs } from '../http/errors.js';
import { type ByteRange, parseRange } from '../http/range.js';
import {
  chooseRepresentation,
  compressWhole,
  createEncoder,
  type Encoding,
  IDENTITY,
  isCompressible,
  type Representation,
  type SiblingLookup,
} from './compress.js';
import { contentTypeFor } from './content-type.js';
import type { Exchange } from './exchange.js';
import { fileCache } from './file-cache.js';
import { type HeaderList, setHeaders } from './headers.js';
import { andThen, type MaybePromise } from './maybe.js';
import { ReadBuffers, readRange } from './read-range.js';
import { sendText, sendWhole } from './send-whole.js';

export interface FileToSend {
  readonly filePath: string;
  /** The requested name; its extension picks the Content-Type. */
  readonly name: string;
  readonly stats: Stats;
  /** Always `Cache-Control: no-cache`, whatever --cache says (the SPA fallback's page answers
   * for many URLs, so it must never be cached as any one of them). @default false */
  readonly revalidate?: boolean;
}

/**
 * Sends `file` as the response, honouring conditional and range requests. With compression on,
 * `findSibling` lets a precompressed `.br`/`.gz` file stand in for the original. A 304, or a
 * small file (or its compressed form) held in memory, is answered synchronously (see
 * MaybePromise); anything that reads the disk or compresses returns a promise.
 */
export function sendFile(
  exchange: Exchange,
  file: FileToSend,
  findSibling?: SiblingLookup,
): MaybePromise<void> {
  const { req, config } = exchange;
  const contentType = contentTypeFor(file.name);
  if (!config.compress || !isCompressible(contentType)) {
    return sendRepresentation(exchange, file, { contentType, negotiable: false, chosen: IDENTITY });
  }
  const chosen = chooseRepresentation(
    {
      acceptEncoding: req.headers['accept-encoding'],
      hasRange: req.headers.range !== undefined,
      contentType,
      stats: file.stats,
    },
    findSibling,
  );
  return andThen(chosen, (representation) =>
    sendRepresentation(exchange, file, { contentType, negotiable: true, chosen: representation }),
  );
}

/** How the file is to be sent: its type, whether the coding was negotiated, and the coding. */
interface Choice {
  readonly contentType: string;
  /** True when the body depends on Accept-Encoding (then `Vary` says so). */
  readonly negotiable: boolean;
  readonly chosen: Representation;
}

function sendRepresentation(exchange: Exchange, file: FileToSend, choice: Choice): MaybePromise<void> {
  const { req, config } = exchange;
  const { contentType, negotiable, chosen } = choice;
  // A precompressed sibling is its own file: its bytes, size and validators are what we send.
  const source = chosen.kind === 'precompressed' ? chosen.file : file;
  const { size } = source.stats;
  // Opened only when a body is read from disk: a 304, a HEAD or a cached small file needs no
  // descriptor. Still before any byte goes out, so a refusal is a proper status page.
  let opening: Promise<FileHandle> | undefined;
  const openHandle = (): Promise<FileHandle> => {
    opening ??= openForResponse(exchange, source.filePath);
    return opening;
  };
  const validators: Validators = {
    etag: etagForRepresentation(chosen, source.stats),
    lastModified: source.stats.mtimeMs,
  };

  const head: HeaderList = [
    'Last-Modified',
    lastModifiedFor(source.stats),
    'ETag',
    validators.etag,
    'Accept-Ranges',
    'bytes',
    'Cache-Control',
    file.revalidate === true ? 'no-cache' : cacheControl(config.cache),
  ];
  // RFC 9110 §12.5.5: the body depends on Accept-Encoding, so caches must key on it; that holds
  // for identity answers too, and for 304s (§15.4.5).
  if (negotiable) head.push('Vary', 'Accept-Encoding');

  switch (evaluatePreconditions(req.headers, validators)) {
    case 'precondition-failed':
      throw new HttpError(412);
    case 'not-modified':
      sendWhole(exchange, 304, head);
      return;
    case 'proceed':
      break;
  }
  // Only now: headers that describe a body, which a 304 must not carry (RFC 9110 §15.4.5).
  if (chosen.kind !== 'identity') head.push('Content-Encoding', chosen.encoding);

  if (chosen.kind === 'on-the-fly') {
    head.push('Content-Type', contentType);
    return andThen(
      compressSmallFile({ ...source, encoding: chosen.encoding, contentType }, openHandle),
      (compressed) => {
        // Too big to keep: compressed as it streams, so the length is unknown until the end:
        // GET is chunked (close-delimited for HTTP/1.0) and HEAD leaves Content-Length out.
        // HEAD still opens the file, so that it is refused exactly when GET would be.
        if (compressed === undefined) {
          if (req.method === 'HEAD') return openHandle().then(() => sendWhole(exchange, 200, head));
          return streamCompressed(
            exchange,
            { ...source, encoding: chosen.encoding, contentType, head },
            openHandle,
          );
        }
        // A small file's compressed form is whole in memory (and cached): its length is known.
        sendText(exchange, 200, head, compressed);
      },
    );
  }

  const rangeHeader = req.headers.range;
  const range =
    rangeHeader !== undefined && isRangeCurrent(req.headers, validators)
      ? parseRange(rangeHeader, size)
      : { kind: 'ignore' as const };

  switch (range.kind) {
    case 'unsatisfiable':
      // RFC 9110 §15.5.17: say how big the representation is.
      throw new HttpError(416, { 'Content-Range': `bytes */${size}` });
    case 'ignore':
      return andThen(bodySource(source, openHandle), (body) => {
        head.push('Content-Type', contentType, 'Content-Length', String(size));
        const whole = size === 0 ? [] : [{ start: 0, end: size - 1 }];
        return sendBody(exchange, { status: 200, head, parts: whole }, body);
      });
    case 'ranges':
      return andThen(bodySource(source, openHandle), (body) => {
        const [only] = range.ranges;
        if (range.ranges.length === 1 && only !== undefined) {
          head.push(
            'Content-Type',
            contentType,
            'Content-Range',
            `bytes ${only.start}-${only.end}/${size}`,
            'Content-Length',
            String(only.end - only.start + 1),
          );
          return sendBody(exchange, { status: 206, head, parts: range.ranges }, body);
        }
        return sendMultipart(exchange, { ranges: range.ranges, size, contentType, head }, body);
      });
  }
}

/** Streams a file too big for the cache through the encoder. */
async function streamCompressed(
  exchange: Exchange,
  file: {
    readonly stats: Stats;
    readonly encoding: Exclude<Encoding, 'identity'>;
    readonly contentType: string;
    readonly head: HeaderList;
  },
  openHandle: () => Promise<FileHandle>,
): Promise<void> {
  const { res } = exchange;
  const handle = await openHandle();
  startStreamedHead(res, 200, file.head);
  await pipeline(
    handle.createReadStream({ autoClose: false, highWaterMark: 64 * 1024 }),
    createEncoder(file.encoding, file.stats.size, file.contentType),
    res,
  );
}

/**
 * A streamed body's head is set with setHeader rather than written at once: Node sends it with
 * the first bytes, so a read that fails before any byte went out can still be answered with a
 * status page (which drops these headers again, see error-page.ts).
 */
function startStreamedHead(res: Exchange['res'], status: number, head: HeaderList): void {
  setHeaders(res, head);
  res.statusCode = status;
}

/**
 * Each representation has its own tag (RFC 9110 §8.8.3): a precompressed file gets its own
 * strong tag plus the coding; on-the-fly output gets the original's tag plus the coding, weak,
 * because another zlib version may produce other bytes from the same file.
 */
function etagForRepresentation(chosen: Representation, stats: Stats): string {
  const tag = etagFor(stats);
  switch (chosen.kind) {
    case 'identity':
      return tag;
    case 'precompressed':
      return `${tag.slice(0, -1)}-${chosen.encoding === 'br' ? 'br' : 'gz'}"`;
    case 'on-the-fly':
      return `W/${tag.slice(0, -1)}-${chosen.encoding === 'br' ? 'br' : 'gz'}"`;
  }
}

/** `"ino-size-mtime"`: strong, because any change to the bytes changes size or mtime, and a
 * replaced file changes the inode (the same recipe as nginx and Apache). */
export function etagFor(stats: Stats): string {
  const last = lastFormatted;
  if (last.ino === stats.ino && last.size === stats.size && last.mtimeMs === stats.mtimeMs) return last.etag;
  const mtime = Math.round(stats.mtimeMs * 1000).toString(36);
  const etag = `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${mtime}"`;
  lastFormatted = { ...last, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, etag };
  return etag;
}

/** The Last-Modified value for `stats`, formatted once per file version (see lastFormatted). */
function lastModifiedFor(stats: Stats): string {
  const last = lastFormatted;
  if (last.lastModifiedMs === stats.mtimeMs) return last.lastModified;
  const lastModified = formatHttpDate(stats.mtimeMs);
  lastFormatted = { ...last, lastModifiedMs: stats.mtimeMs, lastModified };
  return lastModified;
}

/**
 * The validators last formatted, with the values they were made from. Number-to-base-36 and
 * Date formatting cost more than the rest of a cached small-file response's header work, and
 * a busy server mostly answers for the same few files; a different version simply misses.
 */
let lastFormatted = {
  ino: -1,
  size: -1,
  mtimeMs: Number.NaN,
  etag: '',
  lastModifiedMs: Number.NaN,
  lastModified: '',
};

export function cacheControl(maxAge: number | undefined): string {
  // no-cache: the browser may keep a copy but must revalidate, so edits show at once.
  return maxAge === undefined ? 'no-cache' : `public, max-age=${maxAge}`;
}

/**
 * Opens the file before any header goes out, so that a refusal (EACCES → 403, EMFILE → 503,
 * deleted → 404) is still a proper status page instead of a cut connection, and every part of
 * the body is read from this one descriptor. It is closed when the response closes, however
 * it ends: finished, refused, or a client hanging up mid-download.
 */
async function openForResponse(exchange: Exchange, filePath: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw httpErrorFromFs(error);
  }
  const close = (): void => void handle.close().catch(() => undefined);
  // A client that hung up while the file was opening has already fired 'close': without this
  // check the descriptor would leak (faults and load-fault tests count them).
  if (exchange.res.destroyed) close();
  else exchange.res.once('close', close);
  return handle;
}

/**
 * Where the body's bytes come from: memory for a small file whose cached bytes match this very
 * stat (at once, no promise), or the file read whole now and offered to the cache, else the
 * open descriptor. A HEAD reads a small file too: its compressed length needs the bytes, and
 * the GET that usually follows finds them cached.
 */
function bodySource(
  file: { readonly filePath: string; readonly stats: Stats },
  openHandle: () => Promise<FileHandle>,
): MaybePromise<Buffer | FileHandle> {
  return fileCache.get(file.filePath, file.stats) ?? readBody(file, openHandle);
}

async function readBody(
  file: { readonly filePath: string; readonly stats: Stats },
  openHandle: () => Promise<FileHandle>,
): Promise<Buffer | FileHandle> {
  const handle = await openHandle();
  if (!fileCache.fits(file.stats)) return handle;
  const readStartedAt = Date.now();
  const bytes = Buffer.allocUnsafe(file.stats.size);
  const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
  // Short: the file shrank since the stat; streaming reports that the usual way.
  if (bytesRead !== bytes.length) return handle;
  fileCache.set(file.filePath, file.stats, bytes, readStartedAt);
  return bytes;
}

/**
 * The compressed bytes of a small file, from the cache when they were made from this very
 * version, else compressed now (with the same encoder settings as a stream) and kept: brotli
 * costs far more than a read, and the same few files are asked for again and again.
 */
function compressSmallFile(
  file: {
    readonly filePath: string;
    readonly stats: Stats;
    readonly encoding: Exclude<Encoding, 'identity'>;
    readonly contentType: string;
  },
  openHandle: () => Promise<FileHandle>,
): MaybePromise<Buffer | undefined> {
  if (!fileCache.fits(file.stats)) return undefined;
  const key = `${file.filePath}\0${file.encoding}`;
  return fileCache.get(key, file.stats) ?? compressOnce({ ...file, key }, openHandle);
}

/**
 * Compressions under way, by cache key and file version. Fifty clients that ask for a file
 * before its compressed form is cached share one compression instead of running fifty brotli
 * encoders side by side (each holds megabytes while it works: RSS went to 127 MiB).
 */
const compressing = new Map<string, Promise<Buffer | undefined>>();

function compressOnce(
  file: Parameters<typeof compressNow>[0],
  openHandle: () => Promise<FileHandle>,
): Promise<Buffer | undefined> {
  // A version too fresh to cache may change within one tick of the file clock: no sharing.
  if (!fileCache.settled(file.stats, Date.now())) return compressNow(file, openHandle);
  const { ino, dev, size, mtimeMs, ctimeMs } = file.stats;
  const flight = `${file.key}\0${dev}:${ino}:${size}:${mtimeMs}:${ctimeMs}`;
  const running = compressing.get(flight);
  // The first request reads through its own descriptor, which its hang-up closes: a request
  // that shared that read and saw it fail compresses on its own instead.
  if (running !== undefined) return running.catch(() => compressNow(file, openHandle));
  const started = compressNow(file, openHandle);
  compressing.set(flight, started);
  const forget = (): void => void compressing.delete(flight);
  started.then(forget, forget);
  return started;
}

async function compressNow(
  file: {
    readonly filePath: string;
    readonly stats: Stats;
    readonly encoding: Exclude<Encoding, 'identity'>;
    readonly contentType: string;
    readonly key: string;
  },
  openHandle: () => Promise<FileHandle>,
): Promise<Buffer | undefined> {
  const readStartedAt = Date.now();
  const bytes = await bodySource(file, openHandle);
  if (!Buffer.isBuffer(bytes)) return undefined;
  const compressed = await compressWhole(bytes, file.encoding, file.contentType);
  fileCache.setDerived(file.key, file.stats, compressed, readStartedAt);
  return compressed;
}

/**
 * A boundary that won't occur in the file by chance (RFC 2046 §5.1.1). It needs no secrecy, so
 * Math.random does, and start-up is spared loading node:crypto.
 */
function newBoundary(): string {
  let boundary = 'serve-here-';
  for (let i = 0; i < 4; i++) boundary += Math.floor(Math.random() * 2 ** 32).toString(36);
  return boundary;
}

/** RFC 9110 §14.6: each part carries its own Content-Type and Content-Range. */
async function sendMultipart(
  exchange: Exchange,
  answer: {
    readonly ranges: readonly ByteRange[];
    readonly size: number;
    readonly contentType: string;
    readonly head: HeaderList;
  },
  body: Buffer | FileHandle,
): Promise<void> {
  const { ranges, size, head } = answer;
  const boundary = newBoundary();
  const heads = ranges.map(
    (r, i) =>
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${answer.contentType}\r\n` +
      `Content-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    heads.reduce((sum, partHead) => sum + Buffer.byteLength(partHead), 0) +
    ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0) +
    tail.length;
  head.push('Content-Type', `multipart/byteranges; boundary=${boundary}`, 'Content-Length', String(length));
  const parts = ranges.map((range, i) => ({ range, head: heads[i] ?? '' }));
  return sendBody(exchange, { status: 206, head, parts }, body, tail);
}

type BodyPart = ByteRange | { readonly range: ByteRange; readonly head: string };

/** The status, head and parts of the file a response sends. */
interface BodyAnswer {
  readonly status: number;
  readonly head: HeaderList;
  readonly parts: readonly BodyPart[];
}

/**
 * Sends the parts of the file (and any framing): from memory in one piece when it can, else
 * streamed. If the file shrank since it was stat'ed, the promised Content-Length can't be met:
 * the connection is destroyed so the client sees a truncated transfer instead of waiting for
 * bytes that never come.
 */
function sendBody(
  exchange: Exchange,
  answer: BodyAnswer,
  source: Buffer | FileHandle,
  tail = '',
): Promise<void> | undefined {
  const { req, res } = exchange;
  const { status, head, parts } = answer;
  if (req.method === 'HEAD' || parts.length === 0) {
    sendWhole(exchange, status, head);
    return undefined;
  }
  const [first] = parts;
  if (Buffer.isBuffer(source) && parts.length === 1 && first !== undefined && !('head' in first)) {
    // Synchronous (no promise to settle): the common answer, a small cached file, ends here.
    const whole = first.start === 0 && first.end === source.length - 1;
    sendWhole(exchange, status, head, whole ? source : source.subarray(first.start, first.end + 1));
    return undefined;
  }
  startStreamedHead(res, status, head);
  const buffers = new ReadBuffers();
  res.once('finish', () => buffers.release());
  res.once('close', () => buffers.abandon());
  async function* body(): AsyncGenerator<Buffer | string> {
    for (const part of parts) {
      const range = 'head' in part ? part.range : part;
      if ('head' in part) yield part.head;
      if (Buffer.isBuffer(source)) {
        yield source.subarray(range.start, range.end + 1);
        continue;
      }
      const handle = source;
      const expected = range.end - range.start + 1;
      let read = 0;
      // The descriptor belongs to the response (see openForResponse); readRange never closes it.
      for await (const chunk of readRange(handle, range, buffers)) {
        read += chunk.length;
        yield chunk;
      }
      if (read < expected) {
        // pipeline() destroys the response on error, which closes the connection.
        throw Object.assign(new Error('file shrank while it was being sent'), {
          code: 'ERR_FILE_CHANGED',
        });
      }
    }
    if (tail !== '') yield tail;
  }
  return pipeline(body, res);
}
