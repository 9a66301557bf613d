// src/listing/packed.ts
// Listing entries packed for the trip between threads: the names in one string and the rest in
// typed arrays, which move without copying, instead of thousands of cloned objects.
import type { EntryType, ListingEntry } from './entry.js';
import type { ReadRules } from './read.js';

export interface PackedEntries {
  /** The names joined by '/', which no name can contain. */
  readonly names: string;
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

export function packEntries(entries: readonly ListingEntry[]): PackedEntries {
  const types = new Uint8Array(entries.length);
  const sizes = new Float64Array(entries.length);
  const mtimes = new Float64Array(entries.length);
  const names: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as ListingEntry;
    names.push(entry.name);
    types[i] = TYPES.indexOf(entry.type);
    sizes[i] = entry.size ?? Number.NaN;
    mtimes[i] = entry.mtimeMs ?? Number.NaN;
  }
  return { names: names.join('/'), types, sizes, mtimes };
}

export function unpackEntries(packed: PackedEntries): ListingEntry[] {
  const count = packed.types.length;
  if (count === 0) return [];
  const names = packed.names.split('/');
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
