// src/auth/failure-limiter.ts
// Counts failed logins per client address and says when an address must wait: after `limit`
// failures within `windowMs`, it is refused for `windowMs`. Memory is bounded: at most
// `maxAddresses` are remembered, the oldest forgotten first. The clock is injectable.

export interface FailureLimiterOptions {
  /** Failures allowed within one window. @default 10 */
  readonly limit?: number;
  /** The window, and how long an address that reached the limit waits, in ms. @default 60_000 */
  readonly windowMs?: number;
  /** Most addresses remembered at once. @default 10_000 */
  readonly maxAddresses?: number;
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
}

interface Entry {
  /** When the first failure of the current window happened. */
  windowStart: number;
  failures: number;
  /** Until when the address is refused; 0 while it is not. */
  blockedUntil: number;
}

/** What a failure led to: counted, or the one that reached the limit (worth a log line). */
export type FailureOutcome = 'counted' | 'blocked';

export class FailureLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  /** In insertion order, oldest first: a Map iterates so, which makes eviction cheap. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureLimiterOptions = {}) {
    this.#limit = options.limit ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds `address` must still wait (for Retry-After), or 0 when it may try. */
  retryAfter(address: string): number {
    const entry = this.#entries.get(address);
    if (entry === undefined || entry.blockedUntil === 0) return 0;
    const left = entry.blockedUntil - this.#now();
    if (left <= 0) {
      this.#entries.delete(address);
      return 0;
    }
    return Math.ceil(left / 1000);
  }

  /** Counts a failed login from `address`. */
  recordFailure(address: string): FailureOutcome {
    const now = this.#now();
    let entry = this.#entries.get(address);
    if (entry === undefined || now - entry.windowStart >= this.#windowMs) {
      // A new window goes to the end of the map, so the order stays oldest first.
      this.#entries.delete(address);
      this.#makeRoom();
      entry = { windowStart: now, failures: 0, blockedUntil: 0 };
      this.#entries.set(address, entry);
    }
    entry.failures += 1;
    if (entry.failures === this.#limit) {
      entry.blockedUntil = now + this.#windowMs;
      return 'blocked';
    }
    return 'counted';
  }

  /** A successful login starts the address afresh. */
  recordSuccess(address: string): void {
    if (this.#entries.size > 0) this.#entries.delete(address);
  }

  /** How many addresses are remembered (for tests of the bound). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Makes room for one more by forgetting the oldest windows. An attacker who owns enough
   * addresses to push out a blocked one could as well have used a fresh address; the bound
   * is there so that many addresses cannot grow memory without limit.
   */
  #makeRoom(): void {
    for (const address of this.#entries.keys()) {
      if (this.#entries.size < this.#maxAddresses) return;
      this.#entries.delete(address);
    }
  }
}
