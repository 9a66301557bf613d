// src/send-file.ts
// Answers GET and HEAD for one file: validators, preconditions (RFC 9110 §13), ranges
// (RFC 9110 §14) and a streamed body with backpressure. HTTP decisions come from the pure
// modules in http/; this module only applies them and does the I/O.
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { contentTypeFor } from './content-type.js';
import type { Exchange } from './exchange.js';
import {
  evaluatePreconditions,
  formatHttpDate,
  isRangeCurrent,
  type Validators,
} from './http/conditional.js';
import { HttpError } from './http/errors.js';
import { type ByteRange, parseRange } from './http/range.js';

export interface FileToSend {
  readonly filePath: string;
  /** The requested name; its extension picks the Content-Type. */
  readonly name: string;
  readonly stats: Stats;
}

/** Headers that describe a body; a 304 must not carry them (RFC 9110 §15.4.5). */
const BODY_HEADERS = ['Content-Type', 'Content-Length', 'Content-Encoding', 'Content-Range'];

/** Sends `file` as the response, honouring conditional and range requests. */
export async function sendFile(exchange: Exchange, file: FileToSend): Promise<void> {
  const { req, res, config } = exchange;
  const { size } = file.stats;
  const validators: Validators = { etag: etagFor(file.stats), lastModified: file.stats.mtimeMs };

  res.setHeader('Content-Type', contentTypeFor(file.name));
  res.setHeader('Last-Modified', formatHttpDate(validators.lastModified));
  res.setHeader('ETag', validators.etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', cacheControl(config.cache));

  switch (evaluatePreconditions(req.headers, validators)) {
    case 'precondition-failed':
      throw new HttpError(412);
    case 'not-modified':
      for (const name of BODY_HEADERS) res.removeHeader(name);
      res.statusCode = 304;
      res.end();
      return;
    case 'proceed':
      break;
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
      res.statusCode = 200;
      res.setHeader('Content-Length', size);
      return sendBody(exchange, size === 0 ? [] : [{ start: 0, end: size - 1 }], file.filePath);
    case 'ranges': {
      const [only] = range.ranges;
      res.statusCode = 206;
      if (range.ranges.length === 1 && only !== undefined) {
        res.setHeader('Content-Range', `bytes ${only.start}-${only.end}/${size}`);
        res.setHeader('Content-Length', only.end - only.start + 1);
        return sendBody(exchange, range.ranges, file.filePath);
      }
      return sendMultipart(exchange, range.ranges, file);
    }
  }
}

/** `"ino-size-mtime"`: strong, because any change to the bytes changes size or mtime, and a
 * replaced file changes the inode (the same recipe as nginx and Apache). */
export function etagFor(stats: Stats): string {
  const mtime = Math.round(stats.mtimeMs * 1000).toString(36);
  return `"${stats.ino.toString(36)}-${stats.size.toString(36)}-${mtime}"`;
}

export function cacheControl(maxAge: number | undefined): string {
  // no-cache: the browser may keep a copy but must revalidate, so edits show at once.
  return maxAge === undefined ? 'no-cache' : `public, max-age=${maxAge}`;
}

/** RFC 9110 §14.6: each part carries its own Content-Type and Content-Range. */
async function sendMultipart(
  exchange: Exchange,
  ranges: readonly ByteRange[],
  file: FileToSend,
): Promise<void> {
  const { res } = exchange;
  const boundary = randomBytes(12).toString('hex');
  const type = res.getHeader('Content-Type');
  const size = file.stats.size;
  const heads = ranges.map(
    (r, i) =>
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${type}\r\n` +
      `Content-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  const length =
    heads.reduce((sum, head) => sum + Buffer.byteLength(head), 0) +
    ranges.reduce((sum, r) => sum + r.end - r.start + 1, 0) +
    tail.length;
  res.setHeader('Content-Type', `multipart/byteranges; boundary=${boundary}`);
  res.setHeader('Content-Length', length);
  const parts = ranges.map((range, i) => ({ range, head: heads[i] ?? '' }));
  return sendBody(exchange, parts, file.filePath, tail);
}

type BodyPart = ByteRange | { readonly range: ByteRange; readonly head: string };

/**
 * Streams the parts of the file (and any framing) to the response. If the file shrank since
 * it was stat'ed, the promised Content-Length can't be met: the connection is destroyed so
 * the client sees a truncated transfer instead of waiting for bytes that never come.
 */
async function sendBody(
  exchange: Exchange,
  parts: readonly BodyPart[],
  filePath: string,
  tail = '',
): Promise<void> {
  const { req, res } = exchange;
  if (req.method === 'HEAD' || parts.length === 0) {
    res.end();
    return;
  }
  async function* body(): AsyncGenerator<Buffer | string> {
    for (const part of parts) {
      const range = 'head' in part ? part.range : part;
      if ('head' in part) yield part.head;
      const expected = range.end - range.start + 1;
      let read = 0;
      const stream = createReadStream(filePath, {
        start: range.start,
        end: range.end,
        highWaterMark: expected > 1 << 20 ? 1 << 20 : 64 * 1024,
      });
      for await (const chunk of stream) {
        read += (chunk as Buffer).length;
        yield chunk as Buffer;
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
  await pipeline(body, res);
}
