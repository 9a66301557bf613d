// src/listing/packed.ts
// Listing entries packed for the trip between threads: the names in one string and the rest in
// typed arrays, which move without copying, instead of thousands of cloned objects.
import type { EntryType, ListingEntry } from './entry.js';
import type { ReadRules } from './read.js';

export interface PackedEntries {
  /** The names in UTF-8, joined by '/', which no name can contain. */
  readonly names: Uint8Array;
  readonly types: Uint8Array;
  /** NaN where the entry has no size (folders, unreadable entries). */
  readonly sizes: Float64Array;
  /** NaN where the date couldn't be read. */
  readonly mtimes: Float64Array;
}

export interface ReadRequest {
  readonly id: number;
  readonly dirPath: string;
  readonly rules: ReadRules;
}

export type ReadReply =
  | { readonly id: number; readonly packed: PackedEntries }
  | { readonly id: number; readonly error: string };

const TYPES: readonly EntryType[] = ['file', 'directory', 'symlink'];

/** A copy of `array` at least `size` long (doubling its length), its contents kept. */
function grown<T extends Uint8Array | Float64Array>(array: T, size: number, make: (length: number) => T): T {
  let length = array.length * 2;
  while (length < size) length *= 2;
  const bigger = make(length);
  bigger.set(array);
  return bigger;
}

/**
 * Where packers write, kept from one read to the next rather than made per read (a thread
 * packs one folder at a time). Only the finished copies, exactly as long as the read, leave.
 * They stay as big as the biggest folder read; the worker that uses them stops after 30 idle
 * seconds (reader.ts), which gives them back.
 */
const scratch = {
  types: new Uint8Array(1024),
  sizes: new Float64Array(1024),
  mtimes: new Float64Array(1024),
  names: new Uint8Array(32 * 1024),
};

const SLASH = 0x2f;
const encoder = new TextEncoder();

/**
 * Packs entries as they are read. Each entry's name goes in as UTF-8 bytes and its numbers
 * into typed arrays, so nothing made for an entry outlives its turn: a worker reading 10,000
 * entries a time, 30 times a second, keeps its heap at its starting size (about 8 MiB)
 * instead of promoting every read's entries and names and growing to 15-26 MiB between
 * collections, as when it built the whole array first (bench mixed sequence, V8 heap stats).
 */
export class EntryPacker {
  #count = 0;
  #nameBytes = 0;

  push(entry: ListingEntry): void {
    const i = this.#count++;
    // The three number arrays are always the same length, so they fill up together.
    if (i === scratch.types.length) {
      scratch.types = grown(scratch.types, i + 1, (n) => new Uint8Array(n));
      scratch.sizes = grown(scratch.sizes, i + 1, (n) => new Float64Array(n));
      scratch.mtimes = grown(scratch.mtimes, i + 1, (n) => new Float64Array(n));
    }
    scratch.types[i] = TYPES.indexOf(entry.type);
    scratch.sizes[i] = entry.size ?? Number.NaN;
    scratch.mtimes[i] = entry.mtimeMs ?? Number.NaN;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; 1 more for the separator.
    const most = this.#nameBytes + 1 + entry.name.length * 3;
    if (most > scratch.names.length) scratch.names = grown(scratch.names, most, (n) => new Uint8Array(n));
    if (i > 0) scratch.names[this.#nameBytes++] = SLASH;
    this.#nameBytes += encoder.encodeInto(entry.name, scratch.names.subarray(this.#nameBytes)).written;
  }

  /** Copies of what was packed, to be moved to another thread without copying again. */
  finish(): PackedEntries {
    return {
      names: scratch.names.slice(0, this.#nameBytes),
      types: scratch.types.slice(0, this.#count),
      sizes: scratch.sizes.slice(0, this.#count),
      mtimes: scratch.mtimes.slice(0, this.#count),
    };
  }
}

export function unpackEntries(packed: PackedEntries): ListingEntry[] {
  const count = packed.types.length;
  if (count === 0) return [];
  // Not TextDecoder: by default it takes a first name's leading U+FEFF for a byte-order mark
  // and drops it. A Buffer decodes every byte.
  const { buffer, byteOffset, byteLength } = packed.names;
  const names = Buffer.from(buffer, byteOffset, byteLength).toString('utf8').split('/');
  const entries: ListingEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const size = packed.sizes[i] as number;
    const mtimeMs = packed.mtimes[i] as number;
    entries[i] = {
      name: names[i] as string,
      type: TYPES[packed.types[i] as number] as EntryType,
      size: Number.isNaN(size) ? undefined : size,
      mtimeMs: Number.isNaN(mtimeMs) ? undefined : mtimeMs,
    };
  }
  return entries;
}
