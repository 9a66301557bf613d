// test/upload-helpers.ts
// Helpers for the upload tests: a request with a body, a multipart body, and a snapshot of a
// folder (every name, hidden temporary files included, with each file's bytes) to compare
// before and after a refused or failed upload.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { uploadsInFlight } from '../src/upload/store.js';
import type { Reply } from './helpers.js';

/** Sends `method path` with `body` (a Buffer, or chunks sent one by one) and reads the reply. */
export async function send(
  port: number,
  method: string,
  path: string,
  body: Buffer | readonly Buffer[] = Buffer.alloc(0),
  headers: OutgoingHttpHeaders = {},
): Promise<Reply> {
  // A Buffer goes with its Content-Length: Node sends DELETE bodies unframed otherwise.
  const framed =
    Buffer.isBuffer(body) && headers['transfer-encoding'] === undefined
      ? { 'content-length': String(body.length), ...headers }
      : headers;
  const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: framed, agent: false });
  const response = once(req, 'response') as Promise<[IncomingMessage]>;
  if (Buffer.isBuffer(body)) req.end(body);
  else {
    for (const chunk of body) if (!req.write(chunk)) await once(req, 'drain');
    req.end();
  }
  const [res] = await response;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const data = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body: data, text: data.toString('utf8') };
}

export interface Part {
  readonly field: string;
  /** A file part when set; a plain field otherwise. */
  readonly filename?: string;
  readonly content: string | Buffer;
}

export const BOUNDARY = '----serve-here-test-boundary';

/** A multipart/form-data body as a browser sends it (RFC 7578). */
export function multipart(parts: readonly Part[]): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const file = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.filename === undefined ? '' : '\r\nContent-Type: application/octet-stream';
    pieces.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.field}"${file}${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content),
      Buffer.from('\r\n'),
    );
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

export const FORM_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** Every entry under `dir`, recursively, hidden ones included: name → sha1 of bytes, `dir/` or `-> link`. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(join(dir, rel), { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) out[path] = `-> ${await readlink(join(dir, path))}`;
      else if (entry.isDirectory()) {
        out[`${path}/`] = 'dir';
        await walk(path);
      } else
        out[path] = createHash('sha1')
          .update(await readFile(join(dir, path)))
          .digest('hex');
    }
  }
  await walk('');
  return out;
}

/**
 * Resolves once no upload is being received (their temporary files are removed by then). The
 * server cleans up after the socket has closed, which no client event tells; so this looks.
 */
export async function uploadsSettled(): Promise<void> {
  for (let i = 0; i < 1000 && uploadsInFlight() > 0; i++) await delay(5);
  if (uploadsInFlight() > 0) throw new Error('uploads still in flight');
}

/** Resolves once `dir` holds a temporary upload file with at least one byte. */
export async function tempFileStarted(dir: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const names = await readdir(dir);
    for (const name of names.filter((n) => n.startsWith('.serve-here-upload-'))) {
      const content = await readFile(join(dir, name)).catch(() => Buffer.alloc(0));
      if (content.length > 0) return;
    }
    await delay(5);
  }
  throw new Error(`no temporary upload file appeared in ${dir}`);
}
