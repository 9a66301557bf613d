// src/stat-path.ts
// The stat every request needs, done the cheapest safe way. On a local disk a stat of a
// cached inode takes a few microseconds, less than a round trip through libuv's thread pool
// costs in wake-ups, so, as nginx does from its event loop, the call is made directly. A file
// system that turns out slow (a network mount, a disk spinning up) must not stall every other
// client: each direct call is timed, and SLOW_CALLS calls slower than SLOW_MS within one
// second send all calls through the thread pool for the next COOL_DOWN_MS. (One slow call
// alone proves nothing: the process may simply have been descheduled, or paused for GC.)
import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { MaybePromise } from './maybe.js';

/** A direct stat slower than this counts as slow. */
export const SLOW_MS = 2;
/** This many slow calls within SLOW_WINDOW_MS switch to the thread pool. */
export const SLOW_CALLS = 3;
const SLOW_WINDOW_MS = 1000;
/** How long the thread pool is used after a slow call, before direct calls are tried again. */
export const COOL_DOWN_MS = 10_000;

export type StatMode = 'direct' | 'thread-pool';

export class PathStatter {
  readonly #now: () => number;
  #threadPoolUntil = 0;
  /** When the recent slow calls happened (at most SLOW_CALLS of them). */
  #slowCalls: number[] = [];

  /** `now` is a millisecond clock (tests pass their own). */
  constructor(now: () => number = performance.now.bind(performance)) {
    this.#now = now;
  }

  /** How the next call will be made. */
  get mode(): StatMode {
    return this.#now() < this.#threadPoolUntil ? 'thread-pool' : 'direct';
  }

  /**
   * Stats `path`, following links: undefined when nothing is there (ENOENT, ENOTDIR), so a 404
   * costs no Error object. A direct call answers at once; a thread-pool call gives a promise.
   * Other errors always come as a rejected promise, never as a synchronous throw.
   */
  stat(path: string): MaybePromise<Stats | undefined> {
    if (this.mode === 'thread-pool') return stat(path).catch(undefinedIfMissing);
    const started = this.#now();
    try {
      return statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR is "missing"; anything else (EACCES, ELOOP, EMFILE…) is the caller's to judge.
      return isMissing(error) ? undefined : Promise.reject(error);
    } finally {
      this.noteDuration(this.#now() - started);
    }
  }

  /** Records how long a direct call took; repeated slow calls switch to the thread pool for a while. */
  noteDuration(ms: number): void {
    if (ms <= SLOW_MS) return;
    const now = this.#now();
    this.#slowCalls = [...this.#slowCalls, now].filter((at) => now - at < SLOW_WINDOW_MS).slice(-SLOW_CALLS);
    if (this.#slowCalls.length >= SLOW_CALLS) {
      this.#threadPoolUntil = now + COOL_DOWN_MS;
      this.#slowCalls = [];
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function undefinedIfMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined;
  throw error;
}
