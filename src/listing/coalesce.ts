// src/listing/coalesce.ts
// Shares folder reads between requests without ever answering one with a read that began
// before it arrived: callers that come while a read runs all wait for, and share, the next one.

interface Slot<T> {
  /** The read under way; it may have begun before a newcomer's change to the folder. */
  readonly running: Promise<T>;
  /** The read that starts when `running` settles, shared by everyone who came meanwhile. */
  queued: Promise<T> | undefined;
}

/**
 * Runs at most one task per key at a time. A caller gets either a task that starts now or
 * the one queued behind the running task, never the running one: that one may have read the
 * folder before the caller's request arrived, so sharing it could show a stale listing.
 * With N clients polling one big folder, each read serves everyone who asked during the last.
 */
export class Coalescer<T> {
  readonly #slots = new Map<string, Slot<T>>();

  run(key: string, task: () => Promise<T>): Promise<T> {
    const slot = this.#slots.get(key);
    if (slot === undefined) return this.#start(key, task);
    slot.queued ??= slot.running.then(settled, settled).then(() => this.#start(key, task));
    return slot.queued;
  }

  /** How many keys have a task running (for tests: nothing is left behind). */
  get size(): number {
    return this.#slots.size;
  }

  #start(key: string, task: () => Promise<T>): Promise<T> {
    const running = task();
    const slot: Slot<T> = { running, queued: undefined };
    this.#slots.set(key, slot);
    const forget = (): void => {
      // A queued task replaces this slot when it starts; otherwise the key is idle again.
      if (this.#slots.get(key) === slot && slot.queued === undefined) this.#slots.delete(key);
    };
    running.then(forget, forget);
    return running;
  }
}

function settled(): void {}
