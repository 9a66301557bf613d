// src/live/send-page.ts
// Sends an HTML file with the live-reload script in it. The page as sent is its own
// representation: its own ETag (the file's plus a marker), its length, its compressed forms
// (RFC 9110 §8.8.3). Range requests get the whole page (§14.2 lets a server ignore Range),
// and no Accept-Ranges invites them. Anything else is sendFile's, unchanged.
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { evaluatePreconditions, formatHttpDate } from '../http/conditional.js';
import { HttpError, httpErrorFromFs } from '../http/errors.js';
import {
  compressWhole,
  type Encoding,
  MIN_COMPRESS_SIZE,
  negotiateEncoding,
  type SiblingLookup,
} from '../serve/compress.js';
import { contentTypeFor } from '../serve/content-type.js';
import type { Exchange } from '../serve/exchange.js';
import { fileCache } from '../serve/file-cache.js';
import type { HeaderList } from '../serve/headers.js';
import { andThen, type MaybePromise } from '../serve/maybe.js';
import { cacheControl, etagFor, type FileToSend, sendFile } from '../serve/send-file.js';
import { sendText, sendWhole } from '../serve/send-whole.js';
import { injectScript } from './inject.js';

/** A page bigger than this is sent as it is, without the script: it is read whole to inject. */
export const MAX_INJECTED_BYTES = 16 * 1024 * 1024;

/** A page read and injected, with the stat of the very version read. */
interface InjectedPage {
  readonly bytes: Buffer;
  readonly stats: Stats;
  /** When reading began (ms since the epoch), for the file cache's settle rule. */
  readonly readStartedAt: number;
}

/** sendFile, except that an HTML page gets the live-reload script. */
export function sendFileWithLiveScript(
  exchange: Exchange,
  file: FileToSend,
  findSibling?: SiblingLookup,
): MaybePromise<void> {
  const contentType = contentTypeFor(file.name);
  if (!contentType.startsWith('text/html') || file.stats.size > MAX_INJECTED_BYTES) {
    return sendFile(exchange, file, findSibling);
  }
  return andThen(injectedPage(file), (page) => sendPage(exchange, { file, page, contentType }));
}

function injectedPage(file: FileToSend): MaybePromise<InjectedPage> {
  const key = `${file.filePath}\0live`;
  const cached = fileCache.get(key, file.stats);
  if (cached !== undefined) return { bytes: cached, stats: file.stats, readStartedAt: Date.now() };
  const plain = fileCache.get(file.filePath, file.stats);
  if (plain !== undefined) {
    const bytes = injectScript(plain);
    fileCache.setDerived(key, file.stats, bytes, Date.now());
    return { bytes, stats: file.stats, readStartedAt: Date.now() };
  }
  return readPage(file.filePath).then((page) => {
    fileCache.set(file.filePath, page.stats, page.bytes, page.readStartedAt);
    const bytes = injectScript(page.bytes);
    fileCache.setDerived(key, page.stats, bytes, page.readStartedAt);
    return { ...page, bytes };
  });
}

/** Reads the file whole, with the stat of the descriptor read from (it may have changed since the resolver's). */
async function readPage(filePath: string): Promise<InjectedPage> {
  const readStartedAt = Date.now();
  let handle: import('node:fs/promises').FileHandle;
  try {
    handle = await open(filePath, 'r');
  } catch (error) {
    throw httpErrorFromFs(error);
  }
  try {
    const stats = await handle.stat();
    const bytes = await handle.readFile();
    return { bytes, stats, readStartedAt };
  } catch (error) {
    throw httpErrorFromFs(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function sendPage(
  exchange: Exchange,
  answer: { readonly file: FileToSend; readonly page: InjectedPage; readonly contentType: string },
): MaybePromise<void> {
  const { req, config } = exchange;
  const { file, page, contentType } = answer;
  const encoding: Encoding =
    config.compress && page.bytes.length >= MIN_COMPRESS_SIZE
      ? negotiateEncoding(req.headers['accept-encoding'], ['br', 'gzip', 'identity'])
      : 'identity';
  const etag = liveEtag(page.stats, encoding);
  const head: HeaderList = [
    'Last-Modified',
    lastModifiedFor(page.stats.mtimeMs),
    'ETag',
    etag,
    'Cache-Control',
    file.revalidate === true ? 'no-cache' : cacheControl(config.cache),
  ];
  if (config.compress) head.push('Vary', 'Accept-Encoding');
  switch (evaluatePreconditions(req.headers, { etag, lastModified: page.stats.mtimeMs })) {
    case 'precondition-failed':
      throw new HttpError(412);
    case 'not-modified':
      sendWhole(exchange, 304, head);
      return;
    case 'proceed':
      break;
  }
  head.push('Content-Type', contentType);
  if (encoding === 'identity') return sendText(exchange, 200, head, page.bytes);
  head.push('Content-Encoding', encoding);
  return andThen(compressedPage(file.filePath, page, encoding, contentType), (body) =>
    sendText(exchange, 200, head, body),
  );
}

/** The last Last-Modified formatted: a busy server mostly answers for the same page. */
let lastFormatted = { mtimeMs: Number.NaN, text: '' };

function lastModifiedFor(mtimeMs: number): string {
  if (lastFormatted.mtimeMs !== mtimeMs) lastFormatted = { mtimeMs, text: formatHttpDate(mtimeMs) };
  return lastFormatted.text;
}

/**
 * The file's own tag with `-live` added, so a cache never takes the plain file for the page;
 * compressed forms are weak like sendFile's on-the-fly ones (another zlib, other bytes).
 */
export function liveEtag(stats: Stats, encoding: Encoding): string {
  const tag = `${etagFor(stats).slice(0, -1)}-live`;
  return encoding === 'identity' ? `${tag}"` : `W/${tag}-${encoding === 'br' ? 'br' : 'gz'}"`;
}

function compressedPage(
  filePath: string,
  page: InjectedPage,
  encoding: Exclude<Encoding, 'identity'>,
  contentType: string,
): MaybePromise<Buffer> {
  const key = `${filePath}\0live\0${encoding}`;
  const cached = fileCache.get(key, page.stats);
  if (cached !== undefined) return cached;
  return compressWhole(page.bytes, encoding, contentType).then((compressed) => {
    fileCache.setDerived(key, page.stats, compressed, page.readStartedAt);
    return compressed;
  });
}
