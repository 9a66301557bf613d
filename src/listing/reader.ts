// src/listing/reader.ts
// Chooses where a folder is read: on the event loop in short slices, or, for a folder whose
// last read was big, in a worker thread, so its thousands of stats run on another core.
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../serve/young-generation.js';
import type { ListingEntry } from './entry.js';
import { type ReadReply, type ReadRequest, unpackEntries } from './packed.js';
import { type ReadRules, readListing } from './read.js';

/**
 * A folder whose last read found at least this many entries is read in the worker. Below it
 * the stats take a few milliseconds and the trip to the worker isn't worth it; above it they
 * take 2.5 ms per 1,000 entries, which the event loop then spends on other clients.
 */
export const WORKER_THRESHOLD = 2000;

/** How many folders' sizes are remembered to make that choice. */
const REMEMBERED_FOLDERS = 256;

/**
 * The worker's young generation at 2 MiB rather than up to V8's 48: each read makes one array of
 * entries, which is sent and dropped.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 2 };

/** An idle worker is stopped after this long, giving back its memory (about 10 MB). */
const IDLE_MS = 30_000;

interface Pending {
  resolve(entries: ListingEntry[]): void;
  reject(error: unknown): void;
}

/** The worker failed (not the folder): the read is done on the event loop instead. */
class WorkerUnavailable extends Error {}

export class FolderReader {
  /** The worker's script; tests give one that fails to check the fallback. */
  readonly #script: URL;
  readonly #sizes = new Map<string, number>();
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | undefined;
  /** Set once a worker failed to start or crashed: from then on every read is inline. */
  #disabled = false;
  #nextId = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(script: URL = new URL('./read-worker.js', import.meta.url)) {
    this.#script = script;
  }

  /**
   * Reads `dirPath` as readListing() does; `folder` is the key its size is remembered under.
   * Throws the folder's own error (ENOENT, EACCES…) as readListing() would.
   */
  async read(dirPath: string, rules: ReadRules, folder: string): Promise<ListingEntry[]> {
    const big = (this.#sizes.get(folder) ?? 0) >= WORKER_THRESHOLD;
    let entries: ListingEntry[] | undefined;
    if (big && !this.#disabled) {
      entries = await this.#readInWorker(dirPath, rules).catch((error: unknown) => {
        if (error instanceof WorkerUnavailable) return undefined;
        throw error;
      });
    }
    entries ??= await readListing(dirPath, rules);
    this.#remember(folder, entries.length);
    if (!big && entries.length >= WORKER_THRESHOLD) this.#warmUp();
    return entries;
  }

  /**
   * Starts the worker now, while the page renders, rather than on the next request, which
   * would wait some 40 ms for it. Idle from the start: it must not keep the process alive.
   */
  #warmUp(): void {
    if (this.#disabled || this.#started() === undefined) return;
    if (this.#pending.size === 0) this.#idle();
  }

  /** True while a worker thread is running (for tests). */
  get hasWorker(): boolean {
    return this.#worker !== undefined;
  }

  /** Stops the worker, if any; the next big read starts a new one. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#forget(worker);
    await worker?.terminate();
  }

  #remember(folder: string, count: number): void {
    this.#sizes.delete(folder);
    this.#sizes.set(folder, count);
    if (this.#sizes.size > REMEMBERED_FOLDERS) {
      const oldest = this.#sizes.keys().next().value;
      if (oldest !== undefined) this.#sizes.delete(oldest);
    }
  }

  #readInWorker(dirPath: string, rules: ReadRules): Promise<ListingEntry[]> {
    const worker = this.#started();
    if (worker === undefined) return Promise.reject(new WorkerUnavailable());
    clearTimeout(this.#idleTimer);
    const id = this.#nextId++;
    const request: ReadRequest = { id, dirPath, rules };
    return new Promise<ListingEntry[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage(request);
    });
  }

  #started(): Worker | undefined {
    if (this.#worker !== undefined) return this.#worker;
    let worker: Worker;
    try {
      // Not `new Worker`: making its isolate would lift the young generation's cap.
      worker = startWorker(this.#script, { resourceLimits: WORKER_LIMITS });
    } catch {
      this.#disabled = true;
      return undefined;
    }
    worker.on('message', (reply: ReadReply) => this.#settle(reply));
    const fail = (): void => {
      this.#disabled = true;
      this.#forget(worker);
      void worker.terminate();
    };
    worker.on('error', fail);
    // A reply that can't be read would leave its request waiting forever.
    worker.on('messageerror', fail);
    worker.on('exit', () => this.#forget(worker));
    // An idle worker never keeps the process alive, so a server that closes can exit; one
    // with reads owed does (#readInWorker refs it). After the listeners, which ref its port.
    worker.unref();
    this.#worker = worker;
    return worker;
  }

  #settle(reply: ReadReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if ('packed' in reply) pending.resolve(unpackEntries(reply.packed));
    else pending.reject(Object.assign(new Error(`readdir failed: ${reply.error}`), { code: reply.error }));
    if (this.#pending.size === 0) this.#idle();
  }

  /** Nothing is owed: the worker no longer keeps the process alive, and stops if left idle. */
  #idle(): void {
    this.#worker?.unref();
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.stop(), IDLE_MS);
    this.#idleTimer.unref();
  }

  /** Drops `worker`; reads it still owed are done on the event loop instead. */
  #forget(worker: Worker | undefined): void {
    if (worker === undefined || this.#worker !== worker) return;
    this.#worker = undefined;
    clearTimeout(this.#idleTimer);
    const owed = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of owed) pending.reject(new WorkerUnavailable());
  }
}
