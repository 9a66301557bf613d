// src/serve/read-range.ts
// Reads a byte range of an open file as a series of chunks for pipeline() to write. Large
// reads go into buffers that are reused: two in turn within a response, and across responses
// through a shared pool (BufferPool), so that big downloads and ranges neither leave garbage behind
// nor make the kernel hand out (and zero) fresh pages for every megabyte.
import type { FileHandle } from 'node:fs/promises';

/** Large reads: fewer round trips to the thread pool for big files and ranges. */
export const CHUNK_BYTES = 1024 * 1024;

/** Reads smaller than this get a buffer of their own size; pooling them would waste memory. */
const POOLED_MIN_BYTES = 64 * 1024;

/** What a read gets when every pooled buffer is out: still far above the 16 KiB high-water mark. */
export const SMALL_CHUNK_BYTES = 64 * 1024;

/**
 * Buffers of one size that responses share: at most `limit` exist at a time, handed out or
 * free. When all are out, take() returns undefined and the caller makes do (a smaller pool, or
 * a buffer of its own), so memory stays bounded however many big bodies are in flight. After
 * `quietMs` in which none was taken, the pool keeps only `keepWhenQuiet` free ones.
 *
 * Why bounded: a buffer is out for the whole time its bytes take to reach the client. Under
 * wrk -c50 asking for 1 MiB ranges, 41 to 47 were out at a time, so an unbounded pool held
 * 50 MiB of RSS. Reused buffers still matter: a fresh megabyte must be faulted in and zeroed by
 * the kernel and freed by the garbage collector, and buffers made and dropped by the thousand
 * leave malloc's arenas fragmented, which RSS never gives back.
 */
export class BufferPool {
  readonly #free: Buffer[] = [];
  readonly #limit: number;
  readonly #keepWhenQuiet: number;
  readonly #quietMs: number;
  readonly #schedule: Schedule;
  /** Buffers handed out and neither given back nor abandoned. */
  #out = 0;
  #takenSinceCheck = false;
  #trimPending = false;

  /** `schedule` is for tests, which run the checks themselves. */
  constructor(
    readonly bufferBytes: number,
    limit: number,
    keepWhenQuiet: number,
    quietMs: number,
    schedule: Schedule = scheduleUnref,
  ) {
    this.#limit = limit;
    this.#keepWhenQuiet = keepWhenQuiet;
    this.#quietMs = quietMs;
    this.#schedule = schedule;
  }

  /** How many free buffers the pool holds. */
  get size(): number {
    return this.#free.length;
  }

  /** How many buffers are out. */
  get out(): number {
    return this.#out;
  }

  /** A buffer, reused when one is free; undefined when `limit` are out. */
  take(): Buffer | undefined {
    this.#takenSinceCheck = true;
    const buffer =
      this.#free.pop() ?? (this.#out < this.#limit ? Buffer.allocUnsafeSlow(this.bufferBytes) : undefined);
    if (buffer !== undefined) this.#out += 1;
    return buffer;
  }

  /** Takes back a buffer no write refers to any more. */
  give(buffer: Buffer): void {
    // Free and out together never pass the limit: take() makes a buffer only below it.
    this.#out -= 1;
    this.#free.push(buffer);
    this.#scheduleCheck();
  }

  /**
   * Counts out a buffer that will not come back (its response was aborted, and a write the
   * socket dropped may still hold it): the garbage collector frees it, and a new one may be made.
   */
  abandon(): void {
    this.#out -= 1;
  }

  #scheduleCheck(): void {
    if (this.#trimPending || this.#free.length <= this.#keepWhenQuiet) return;
    this.#trimPending = true;
    this.#takenSinceCheck = false;
    this.#schedule(() => {
      this.#trimPending = false;
      if (this.#takenSinceCheck) this.#scheduleCheck();
      else this.#free.length = Math.min(this.#free.length, this.#keepWhenQuiet);
    }, this.#quietMs);
  }
}

type Schedule = (check: () => void, ms: number) => void;

/** A timer that never keeps the process alive. */
function scheduleUnref(check: () => void, ms: number): void {
  setTimeout(check, ms).unref();
}

/**
 * The pools every response shares: 1 MiB buffers, at most 8 (2 kept after a quiet second),
 * enough for four whole downloads at full speed (two buffers each, in turn); then 64 KiB ones,
 * at most 128 (8 MiB), for the responses that find the first pool out. Beyond both, a response
 * reads into 64 KiB buffers of its own.
 */
const pools = [
  new BufferPool(CHUNK_BYTES, 8, 2, 1000),
  new BufferPool(SMALL_CHUNK_BYTES, 128, 16, 1000),
] as const;

/**
 * The read buffers of one response. Pooled buffers go back only once the response has
 * finished, that is once the socket has taken every byte written from them; an aborted
 * response abandons its buffers to the garbage collector.
 */
export class ReadBuffers {
  readonly #taken: { readonly pool: BufferPool; readonly buffer: Buffer }[] = [];

  /** A buffer for a read of `size` bytes; it may be shorter (SMALL_CHUNK_BYTES) when the big pool is out. */
  take(size: number): Buffer {
    if (size < POOLED_MIN_BYTES) return Buffer.allocUnsafeSlow(size);
    for (const pool of pools) {
      const buffer = pool.take();
      if (buffer === undefined) continue;
      this.#taken.push({ pool, buffer });
      return buffer;
    }
    return Buffer.allocUnsafeSlow(Math.min(size, SMALL_CHUNK_BYTES));
  }

  /** Returns the pooled buffers; call after the response's 'finish', never before. */
  release(): void {
    for (const { pool, buffer } of this.#taken.splice(0)) pool.give(buffer);
  }

  /** Abandons the pooled buffers not released; call on the response's 'close'. */
  abandon(): void {
    for (const { pool } of this.#taken.splice(0)) pool.abandon();
  }
}

/**
 * Yields the bytes `start`..`end` (inclusive), or fewer if the file shrank: the caller counts.
 *
 * Reusing a buffer within the response is safe because of how pipeline() writes to a
 * ServerResponse. A buffer is only reused when the range needs more than one read, and then
 * every chunk but the last is CHUNK_BYTES or SMALL_CHUNK_BYTES long, far above the response's 16 KiB high-water
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
    const length = Math.min(buffer.length, end - position + 1);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
