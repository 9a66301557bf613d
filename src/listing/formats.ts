// src/listing/formats.ts
// The listing for scripts: JSON (one object, every field always present) and plain text (one
// name per line). Pure, like the HTML renderer, and fed the same sorted, paged entries.
import { encodePathSegment } from '../http/html.js';
import type { EntryType, ListingEntry } from './entry.js';

export interface JsonListing {
  /** The folder's decoded path, e.g. "/sub/". */
  readonly path: string;
  /** How many entries the whole folder has, whatever the page. */
  readonly total: number;
  readonly offset: number;
  /** The page size, or null when every entry from `offset` on is included. */
  readonly limit: number | null;
  readonly entries: readonly JsonEntry[];
}

export interface JsonEntry {
  readonly name: string;
  readonly type: EntryType;
  /** Bytes; null for folders and unreadable entries. */
  readonly size: number | null;
  /** ISO 8601, UTC; null when it couldn't be read. */
  readonly mtime: string | null;
  /** Absolute, percent-encoded URL path; folders end in '/'. */
  readonly url: string;
}

export interface FormatInput {
  readonly segments: readonly string[];
  /** The folder's canonical, percent-encoded URL path, ending in '/'. */
  readonly urlPath: string;
  readonly entries: readonly ListingEntry[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number | 'all';
}

/** How many entries each chunk holds; the sender yields to other clients between chunks. */
const ENTRIES_PER_CHUNK = 1000;

export function renderJson(input: FormatInput): string {
  return Array.from(renderJsonChunks(input)).join('');
}

/**
 * The JSON listing in pieces of ENTRIES_PER_CHUNK entries, so that 100,000 entries never hold
 * the event loop for one long JSON.stringify. Joined, the pieces are one JSON document.
 */
export function* renderJsonChunks(input: FormatInput): Generator<string> {
  const head: Omit<JsonListing, 'entries'> = {
    path: `/${input.segments.map((s) => `${s}/`).join('')}`,
    total: input.total,
    offset: input.offset,
    limit: input.limit === 'all' ? null : input.limit,
  };
  yield `${JSON.stringify(head).slice(0, -1)},"entries":[`;
  for (let start = 0; start < input.entries.length; start += ENTRIES_PER_CHUNK) {
    const chunk = input.entries
      .slice(start, start + ENTRIES_PER_CHUNK)
      .map((entry) => toJsonEntry(entry, input));
    yield `${start === 0 ? '' : ','}${chunk.map((e) => JSON.stringify(e)).join(',')}`;
  }
  yield ']}\n';
}

function toJsonEntry(entry: ListingEntry, input: FormatInput): JsonEntry {
  return {
    name: entry.name,
    type: entry.type,
    size: entry.size ?? null,
    mtime: entry.mtimeMs === undefined ? null : new Date(entry.mtimeMs).toISOString(),
    url: `${input.urlPath}${encodePathSegment(entry.name)}${entry.type === 'directory' ? '/' : ''}`,
  };
}

export function renderText(input: FormatInput): string {
  return Array.from(renderTextChunks(input)).join('');
}

/**
 * One name per line, folders ending in '/'. A line break in a name would split it, so control
 * characters are written as `\xHH`, and a '\' of the name as `\\`, so that the two can't be
 * confused (`a\x0ab` is a name with a line break, `a\\x0ab` one with a backslash).
 */
export function* renderTextChunks(input: FormatInput): Generator<string> {
  for (let start = 0; start < input.entries.length; start += ENTRIES_PER_CHUNK) {
    let text = '';
    for (const entry of input.entries.slice(start, start + ENTRIES_PER_CHUNK)) {
      text += `${escapeTextName(entry.name)}${entry.type === 'directory' ? '/' : ''}\n`;
    }
    yield text;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 and C1 controls are what it matches
const TEXT_ESCAPED = /[\\\u0000-\u001f\u007f-\u009f]/g;

function escapeTextName(name: string): string {
  return name.replace(TEXT_ESCAPED, (ch) =>
    ch === '\\' ? '\\\\' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
