// src/http/conditional.ts
// Conditional requests (RFC 9110 §13): evaluates If-Match, If-Unmodified-Since, If-None-Match
// and If-Modified-Since in the order of §13.2.2, and If-Range (§13.1.5). Pure: no I/O.
import type { IncomingHttpHeaders } from 'node:http';

export interface Validators {
  /** A strong or weak entity tag, quoted: `"abc"` or `W/"abc"`. */
  readonly etag: string;
  /** Last modification time in ms since the epoch; compared at one-second precision. */
  readonly lastModified: number;
}

export type Precondition = 'proceed' | 'not-modified' | 'precondition-failed';

/** Decides whether a GET or HEAD proceeds, gets 304, or gets 412. */
export function evaluatePreconditions(headers: IncomingHttpHeaders, validators: Validators): Precondition {
  const lastModified = toSeconds(validators.lastModified);

  // Step 1 and 2: If-Match, else If-Unmodified-Since → 412 when false.
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!matchesAny(ifMatch, validators.etag, strongMatch)) return 'precondition-failed';
  } else {
    const since = parseHttpDate(headers['if-unmodified-since']);
    if (since !== undefined && lastModified > since) return 'precondition-failed';
  }

  // Step 3 and 4: If-None-Match, else If-Modified-Since → 304 when false (GET/HEAD only;
  // the handler never lets other methods this far).
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return matchesAny(ifNoneMatch, validators.etag, weakMatch) ? 'not-modified' : 'proceed';
  }
  const since = parseHttpDate(headers['if-modified-since']);
  if (since !== undefined && lastModified <= since) return 'not-modified';
  return 'proceed';
}

/**
 * RFC 9110 §13.1.5: a Range applies only if If-Range is absent or still names the current
 * representation, by a strongly matching entity tag or an exactly equal Last-Modified date.
 */
export function isRangeCurrent(headers: IncomingHttpHeaders, validators: Validators): boolean {
  const ifRange = headers['if-range'];
  if (ifRange === undefined) return true;
  if (typeof ifRange !== 'string') return false;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return strongMatch(value, validators.etag);
  const date = parseHttpDate(value);
  return date !== undefined && date === toSeconds(validators.lastModified);
}

/** Formats a time as an IMF-fixdate (RFC 9110 §5.6.7). */
export function formatHttpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = `(?<month>${MONTHS.join('|')})`;
const TIME = '(?<hours>\\d{2}):(?<minutes>\\d{2}):(?<seconds>\\d{2})';
/** The three forms of RFC 9110 §5.6.7, which a recipient must all accept. */
const HTTP_DATES = [
  // IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
  new RegExp(`^${DAY}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  // obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
  new RegExp(
    `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<day>\\d{2})-${MONTH}-(?<year>\\d{2}) ${TIME} GMT$`,
  ),
  // obsolete asctime: `Sun Nov  6 08:49:37 1994`
  new RegExp(`^${DAY} ${MONTH} (?<day>[ \\d]\\d) ${TIME} (?<year>\\d{4})$`),
];

/**
 * Returns seconds since the epoch, or undefined for a missing or invalid date, which the
 * caller then ignores (RFC 9110 §13.1.3, §13.1.4). Only real HTTP-dates count: Date.parse()
 * reads garbage such as `1` or `9999` as a year, and a garbage If-Modified-Since must not
 * produce a 304, nor a garbage If-Unmodified-Since a 412.
 */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const groups = HTTP_DATES.map((format) => format.exec(text)).find((m) => m !== null)?.groups;
  if (groups === undefined) return undefined;
  const yearText = groups.year ?? '';
  const year = yearText.length === 2 ? twoDigitYear(Number(yearText)) : Number(yearText);
  const fields = [
    year,
    MONTHS.indexOf(groups.month ?? ''),
    Number(groups.day),
    Number(groups.hours),
    Number(groups.minutes),
    Number(groups.seconds),
  ] as const;
  const date = new Date(Date.UTC(...fields));
  // Date.UTC rolls 31 Feb over into March and 25:00 into the next day; such dates are invalid.
  const roundTrip = [
    date.getUTCFullYear(),
    date.getUTCMonth(),
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  return roundTrip.every((n, i) => n === fields[i]) ? toSeconds(date.getTime()) : undefined;
}

/** §5.6.7: a two-digit year more than 50 years ahead means the most recent such past year. */
function twoDigitYear(yy: number): number {
  const thisYear = new Date().getUTCFullYear();
  const year = Math.floor(thisYear / 100) * 100 + yy;
  return year > thisYear + 50 ? year - 100 : year;
}

// Leading commas and spaces are skipped: RFC 9110 §5.6.1 allows empty list elements.
const ENTITY_TAG = /[\s,]*((?:W\/)?"[^"]*")\s*(?:,|$)/gy;

/** `*` matches any current representation; otherwise any listed tag that `same` accepts. */
function matchesAny(header: string, etag: string, same: (a: string, b: string) => boolean): boolean {
  if (header.trim() === '*') return true;
  ENTITY_TAG.lastIndex = 0;
  for (let m = ENTITY_TAG.exec(header); m !== null; m = ENTITY_TAG.exec(header)) {
    if (same(m[1] ?? '', etag)) return true;
    if (ENTITY_TAG.lastIndex >= header.length) break;
  }
  return false;
}

/** §8.8.3.2: strong comparison needs both tags strong and equal. */
function strongMatch(a: string, b: string): boolean {
  return !a.startsWith('W/') && !b.startsWith('W/') && a === b;
}

/** §8.8.3.2: weak comparison ignores the W/ prefix. */
function weakMatch(a: string, b: string): boolean {
  return opaque(a) === opaque(b);
}

function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
