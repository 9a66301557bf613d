// src/serve/file-cache.ts
// A small LRU of small files' bytes, so that a hot file costs the one stat the request already
// does instead of open, read and close. An entry is only ever used for the exact file version
// the fresh stat describes; it never decides on its own that a file still exists or is unchanged.
import type { Stats } from 'node:fs';

export interface FileCacheLimits {
  /** Files larger than this are streamed, never kept. @default 256 KiB */
  readonly maxFileBytes: number;
  /** Total bytes kept; the least recently used files go first. @default 16 MiB */
  readonly maxTotalBytes: number;
  /**
   * A file whose ctime is less than this many ms old is read from disk every time. File
   * times come from a coarse clock (a few ms on Linux), so two writes of the same size in
   * one tick can leave size and times unchanged; once a version is older than this, any later
   * write moves ctime to a later tick, which the version check sees. ctime rather than mtime,
   * because no one can set it back (`cp -p` and `touch -d` can set mtime). @default 1000
   */
  readonly settleMs: number;
}

const DEFAULT_LIMITS: FileCacheLimits = {
  maxFileBytes: 256 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  settleMs: 1000,
};

interface Entry {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly bytes: Buffer;
}

function sameVersion(entry: Entry, stats: Stats): boolean {
  return (
    entry.ino === stats.ino &&
    entry.dev === stats.dev &&
    entry.size === stats.size &&
    entry.mtimeMs === stats.mtimeMs &&
    entry.ctimeMs === stats.ctimeMs
  );
}

export class FileCache {
  #limits: FileCacheLimits;
  /** Map order is recency order: the first key is the least recently used. */
  readonly #entries = new Map<string, Entry>();
  #totalBytes = 0;

  constructor(limits: Partial<FileCacheLimits> = {}) {
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Changes the limits and drops every entry (tests use a settle time of 0). */
  configure(limits: Partial<FileCacheLimits>): void {
    this.#limits = { ...this.#limits, ...limits };
    this.clear();
  }

  clear(): void {
    this.#entries.clear();
    this.#totalBytes = 0;
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** True when a file of this size would be kept; the caller then reads it whole. */
  fits(stats: Stats): boolean {
    return stats.isFile() && stats.size <= this.#limits.maxFileBytes;
  }

  /** The bytes of `path` when they belong to exactly the version `stats` describes. */
  get(path: string, stats: Stats): Buffer | undefined {
    const entry = this.#entries.get(path);
    if (entry === undefined) return undefined;
    if (!sameVersion(entry, stats)) {
      this.#remove(path, entry);
      return undefined;
    }
    this.#entries.delete(path);
    this.#entries.set(path, entry);
    return entry.bytes;
  }

  /**
   * Keeps `bytes`, read from `path` starting at `readStartedAt` (ms since the epoch) after a
   * stat that returned `stats`. Ignored unless the version had settled before the read began:
   * then a write during or after the read gives the file a later ctime than `stats` has.
   */
  set(path: string, stats: Stats, bytes: Buffer, readStartedAt: number): void {
    if (!this.fits(stats) || bytes.length !== stats.size) return;
    this.#keep(path, stats, bytes, readStartedAt);
  }

  /**
   * Keeps bytes derived from the file at this version (say its brotli form) under `key`, with
   * the same version check and settle rule as set(); `readStartedAt` is when reading the file
   * for them began.
   */
  setDerived(key: string, stats: Stats, bytes: Buffer, readStartedAt: number): void {
    if (!this.fits(stats)) return;
    this.#keep(key, stats, bytes, readStartedAt);
  }

  /** True when a version read at `at` is old enough to be kept (see FileCacheLimits.settleMs). */
  settled(stats: Stats, at: number): boolean {
    return at - Math.max(stats.ctimeMs, stats.mtimeMs) >= this.#limits.settleMs;
  }

  #keep(key: string, stats: Stats, bytes: Buffer, readStartedAt: number): void {
    if (!this.settled(stats, readStartedAt)) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    const { dev, ino, size, mtimeMs, ctimeMs } = stats;
    this.#entries.set(key, { dev, ino, size, mtimeMs, ctimeMs, bytes });
    this.#totalBytes += bytes.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#totalBytes <= this.#limits.maxTotalBytes) break;
      this.#remove(oldest, entry);
    }
  }

  #remove(path: string, entry: Entry): void {
    this.#entries.delete(path);
    this.#totalBytes -= entry.bytes.length;
  }
}

/** The process-wide cache: keyed by real path, so every handler may share it. */
export const fileCache = new FileCache();
