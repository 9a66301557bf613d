// src/listing/formats.ts
// The listing for scripts: JSON (one object, every field always present) and plain text (one
// name per line). Pure, like the HTML renderer, and fed the same sorted, paged entries.
import { encodePathSegment } from '../http/html.js';
import { escapeControl } from '../log.js';
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

export function renderJson(input: FormatInput): string {
  const listing: JsonListing = {
    path: `/${input.segments.map((s) => `${s}/`).join('')}`,
    total: input.total,
    offset: input.offset,
    limit: input.limit === 'all' ? null : input.limit,
    entries: input.entries.map((entry) => ({
      name: entry.name,
      type: entry.type,
      size: entry.size ?? null,
      mtime: entry.mtimeMs === undefined ? null : new Date(entry.mtimeMs).toISOString(),
      url: `${input.urlPath}${encodePathSegment(entry.name)}${entry.type === 'directory' ? '/' : ''}`,
    })),
  };
  return `${JSON.stringify(listing)}\n`;
}

/**
 * One name per line, folders ending in '/'. A line break in a name would split it, so control
 * characters are written as `\xHH`; that can't be confused with a real backslash because
 * names containing '\' are never listed (read.ts).
 */
export function renderText(input: FormatInput): string {
  let text = '';
  for (const entry of input.entries) {
    text += `${escapeControl(entry.name)}${entry.type === 'directory' ? '/' : ''}\n`;
  }
  return text;
}
