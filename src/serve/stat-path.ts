// src/serve/stat-path.ts
// The stat every request needs, done the cheapest safe way. On a local disk a stat of a
// cached inode takes a few microseconds, less than a round trip through libuv's thread pool
// costs in wake-ups, so, as nginx does from its event loop, the call is made directly. A file
// system that turns out slow (a network mount) must not stall every other client: a direct
// call slower than SLOW_MS is timed once more, and SLOW_CALLS such confirmed slow calls within
// one second send all calls through the thread pool for the next COOL_DOWN_MS. One slow call
// alone proves nothing: on a busy machine the process is often descheduled in the middle of a
// call (with wrk on the other core of the bench machine, often enough to switch several times
// a minute), and a cold inode is read from disk once. A file system that is slow every time
// answers the second call slowly too.
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

/** Direct stats taken during the current batch, by path (null: nothing there, so one get() answers). */
let shared: Map<string, Stats | null> | undefined;

/**
 * Runs `work` with direct stats shared: a path stat'ed twice during `work` is asked once.
 * Only for work that answers requests which had all arrived before it began (see batch.ts):
 * then a shared stat is still taken after each request it answers was received.
 */
export function sharingStats(work: () => void): void {
  shared = new Map();
  try {
    work();
  } finally {
    shared = undefined;
  }
}

export class PathStatter {
  readonly #now: () => number;
  #threadPoolUntil = 0;
  /** When the recent slow calls happened (at most SLOW_CALLS of them). */
  #slowCalls: number[] = [];

  /**
   * `now` is a millisecond clock (tests pass their own). Date.now's whole milliseconds are
   * enough to tell 2 ms from a few microseconds, and unlike `performance` it loads nothing at
   * start-up (perf_hooks cost about 1 ms there).
   */
  constructor(now: () => number = Date.now) {
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
    const known = shared?.get(path);
    if (known !== undefined) return known ?? undefined;
    const started = this.#now();
    if (started < this.#threadPoolUntil) return stat(path).catch(undefinedIfMissing);
    let result: MaybePromise<Stats | undefined>;
    try {
      result = statSync(path, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR is "missing"; anything else (EACCES, ELOOP, EMFILE…) is the caller's to judge,
      // and is asked again rather than shared.
      result = isMissing(error) ? undefined : Promise.reject(error);
    }
    if (this.#now() - started > SLOW_MS) this.#timeAgain(path);
    if (!(result instanceof Promise)) shared?.set(path, result ?? null);
    return result;
  }

  /** Times a second stat of `path` after a slow one: only its duration counts (see top). */
  #timeAgain(path: string): void {
    const started = this.#now();
    try {
      statSync(path, { throwIfNoEntry: false });
    } catch {
      // Only the time matters here; the first call's answer stands.
    }
    this.noteDuration(this.#now() - started);
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
