// src/read-range.ts
// Reads a byte range of an open file as a series of chunks for pipeline() to write. Large
// reads go into buffers that are reused: two in turn within a response, and across responses
// through a small shared pool, so that big downloads and ranges neither leave garbage behind
// nor make the kernel hand out (and zero) fresh pages for every megabyte.
import type { FileHandle } from 'node:fs/promises';

/** Large reads: fewer round trips to the thread pool for big files and ranges. */
export const CHUNK_BYTES = 1024 * 1024;

/** Reads smaller than this get a buffer of their own size; pooling them would waste memory. */
const POOLED_MIN_BYTES = 64 * 1024;

/** Free CHUNK_BYTES buffers kept for the next responses (8 MiB at most). */
const POOL_LIMIT = 8;
const pool: Buffer[] = [];

/**
 * The read buffers of one response. Pooled buffers go back only once the response has
 * finished, that is once the socket has taken every byte written from them; an aborted
 * response simply leaves its buffers to the garbage collector.
 */
export class ReadBuffers {
  readonly #taken: Buffer[] = [];

  /** A buffer of at least `size` bytes. */
  take(size: number): Buffer {
    if (size < POOLED_MIN_BYTES) return Buffer.allocUnsafeSlow(size);
    const buffer = pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.#taken.push(buffer);
    return buffer;
  }

  /** Returns the pooled buffers; call after the response's 'finish', never before. */
  release(): void {
    for (const buffer of this.#taken.splice(0)) if (pool.length < POOL_LIMIT) pool.push(buffer);
  }
}

/**
 * Yields the bytes `start`..`end` (inclusive), or fewer if the file shrank: the caller counts.
 *
 * Reusing a buffer within the response is safe because of how pipeline() writes to a
 * ServerResponse. A buffer is only reused when the range needs more than one read, and then
 * every chunk but the last is CHUNK_BYTES long, far above the response's 16 KiB high-water
 * mark: write() returns false and pipeline() waits for 'drain' (the socket has taken the
 * whole chunk) before it asks for the next one. So the buffer handed out two chunks ago is
 * always free again. (A short read only happens at the end of the file, and the read after it
 * returns 0.)
 */
export async function* readRange(
  handle: FileHandle,
  range: { readonly start: number; readonly end: number },
  buffers: ReadBuffers,
): AsyncGenerator<Buffer, void, undefined> {
  const { start, end } = range;
  const size = Math.min(CHUNK_BYTES, end - start + 1);
  const ring: Buffer[] = [];
  let position = start;
  for (let turn = 0; position <= end; turn ^= 1) {
    ring[turn] ??= buffers.take(size);
    const buffer = ring[turn] as Buffer;
    const { bytesRead } = await handle.read(buffer, 0, Math.min(size, end - position + 1), position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
