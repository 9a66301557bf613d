// src/zip/coalesce.ts
// Joins the zip writer's many small writes (a header is written field by field, a dozen writes
// of 2 to 8 bytes) into fewer, bigger chunks: each write to the response is a chunk of the
// chunked transfer coding and a system call of its own.
import { Transform, type TransformCallback } from 'node:stream';

/** A chunk this big goes out at once; smaller ones wait for the end of the event-loop turn. */
const FLUSH_BYTES = 64 * 1024;

/**
 * Passes bytes through, holding small writes until FLUSH_BYTES have gathered or the current
 * turn of the event loop ends (so nothing waits on the next file's read). Backpressure is the
 * Transform's own.
 */
export function createCoalescer(): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let scheduled = false;
  const flush = (stream: Transform): void => {
    scheduled = false;
    if (pendingBytes === 0) return;
    const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    stream.push(chunk);
  };
  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= FLUSH_BYTES) flush(this);
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          if (!this.destroyed) flush(this);
        });
      }
      callback();
    },
    flush(this: Transform, callback: TransformCallback) {
      flush(this);
      callback();
    },
  });
}
