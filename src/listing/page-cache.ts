// src/listing/page-cache.ts
// Keeps rendered listings, each tied to the exact entries it was rendered from: a page is reused
// only when a fresh read of the folder gives the same names, types, sizes and dates.
import type { ListingEntry } from './entry.js';

/** A rendered listing: the body, its ETag hash, and its compressed forms as they are asked for. */
export interface RenderedListing {
  readonly body: Buffer;
  /** Hash of the body, for the ETag. */
  readonly hash: string;
  /** Compressed forms by coding name ('br', 'gzip'), made on first request. */
  readonly encoded: Map<string, Promise<Buffer>>;
}

interface FolderRecord {
  /** What every cached page of this folder was rendered from. */
  readonly entries: readonly ListingEntry[];
  /** Pages by variant (format, sort, order, paging, URL). */
  readonly pages: Map<string, Promise<RenderedListing>>;
  bytes: number;
}

/** A rough count of what an entry holds in memory (object, name, numbers), for the budget. */
const BYTES_PER_ENTRY = 120;

/**
 * Rendered pages of the folders listed last, within a byte budget, least recently used first
 * out. Rendering is a pure function of the entries and the variant, so a page rendered from
 * entries equal to a fresh read is the page a fresh render would give, byte for byte.
 */
export class PageCache {
  readonly #maxBytes: number;
  readonly #folders = new Map<string, FolderRecord>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * The page for `variant` of `folder`, rendered from `entries` (just read), reused when the
   * cached one was rendered from equal entries, otherwise made by `render` and kept.
   */
  page(
    folder: string,
    entries: readonly ListingEntry[],
    variant: string,
    render: () => Promise<RenderedListing>,
  ): Promise<RenderedListing> {
    let record = this.#folders.get(folder);
    if (record !== undefined && !sameEntries(record.entries, entries)) {
      this.#drop(folder, record);
      record = undefined;
    }
    if (record === undefined) {
      record = { entries, pages: new Map(), bytes: entries.length * BYTES_PER_ENTRY };
      this.#bytes += record.bytes;
    } else {
      this.#folders.delete(folder); // re-inserted below: most recently used last
    }
    this.#folders.set(folder, record);
    const cached = record.pages.get(variant);
    if (cached !== undefined) return cached;

    const pending = render();
    record.pages.set(variant, pending);
    const owner = record;
    pending.then(
      (rendered) => this.#account(folder, owner, rendered.body.length),
      () => owner.pages.delete(variant),
    );
    this.#evict(folder);
    return pending;
  }

  /** The compressed form of a cached page, made once; counted in the budget. */
  encoded(
    folder: string,
    rendered: RenderedListing,
    coding: string,
    encode: () => Promise<Buffer>,
  ): Promise<Buffer> {
    const cached = rendered.encoded.get(coding);
    if (cached !== undefined) return cached;
    const pending = encode();
    rendered.encoded.set(coding, pending);
    const owner = this.#folders.get(folder);
    pending.then(
      (bytes) => {
        if (owner !== undefined) this.#account(folder, owner, bytes.length);
      },
      () => rendered.encoded.delete(coding),
    );
    return pending;
  }

  /** Bytes held now (for tests). */
  get bytes(): number {
    return this.#bytes;
  }

  #account(folder: string, record: FolderRecord, bytes: number): void {
    // A record replaced or evicted meanwhile no longer counts; its page simply goes with it.
    if (this.#folders.get(folder) !== record) return;
    record.bytes += bytes;
    this.#bytes += bytes;
    this.#evict(folder);
  }

  /** Drops the least recently used folders until the budget holds; the current one last. */
  #evict(current: string): void {
    for (const [folder, record] of this.#folders) {
      if (this.#bytes <= this.#maxBytes) return;
      if (folder !== current) this.#drop(folder, record);
    }
    const record = this.#folders.get(current);
    if (this.#bytes > this.#maxBytes && record !== undefined) this.#drop(current, record);
  }

  #drop(folder: string, record: FolderRecord): void {
    this.#folders.delete(folder);
    this.#bytes -= record.bytes;
  }
}

/** True when two reads of a folder found the same entries in the same order. */
export function sameEntries(a: readonly ListingEntry[], b: readonly ListingEntry[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as ListingEntry;
    const y = b[i] as ListingEntry;
    if (x.name !== y.name || x.type !== y.type || x.size !== y.size || x.mtimeMs !== y.mtimeMs) return false;
  }
  return true;
}
