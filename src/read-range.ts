// src/read-range.ts
// Reads a byte range of an open file as a series of chunks for pipeline() to write, reusing
// two buffers in turn instead of allocating one per chunk, so that a long download leaves no
// garbage behind and the process's memory stays flat however many bytes go out.
import type { FileHandle } from 'node:fs/promises';

/** Large reads: fewer round trips to the thread pool for big files and ranges. */
export const CHUNK_BYTES = 1024 * 1024;

/**
 * Yields the bytes `start`..`end` (inclusive), or fewer if the file shrank: the caller counts.
 *
 * Reusing a buffer is safe because of how pipeline() writes to a ServerResponse. A buffer is
 * only reused when the range needs more than one read, and then every chunk but the last is
 * CHUNK_BYTES long, far above the response's 16 KiB high-water mark: write() returns false
 * and pipeline() waits for 'drain' (the socket has taken the whole chunk) before it asks for
 * the next one. So the buffer handed out two chunks ago is always free again. (A short read
 * only happens at the end of the file, and the read after it returns 0.)
 */
export async function* readRange(
  handle: FileHandle,
  start: number,
  end: number,
): AsyncGenerator<Buffer, void, undefined> {
  const expected = end - start + 1;
  const size = Math.min(CHUNK_BYTES, expected);
  const ring: Buffer[] = [];
  let position = start;
  for (let turn = 0; position <= end; turn ^= 1) {
    ring[turn] ??= Buffer.allocUnsafeSlow(size);
    const buffer = ring[turn] as Buffer;
    const { bytesRead } = await handle.read(buffer, 0, Math.min(size, end - position + 1), position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
