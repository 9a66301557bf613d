// src/listing/query.ts
// What a listing request asks for: sort, order, format and paging from the query string, and
// the format from Accept. Pure. Invalid values fall back to the defaults: a typo in a query
// parameter should give a listing, not an error.
import type { SortKey, SortOrder } from './entry.js';

export type ListingFormat = 'html' | 'json' | 'text';

/** A page size, or every entry. */
export type Limit = number | 'all';

export interface ListingQuery {
  readonly sort: SortKey;
  readonly order: SortOrder;
  /** Set when `?format=` named a valid format; it then wins over Accept. */
  readonly format: ListingFormat | undefined;
  /** Set when `?limit=` was a positive integer or `all`. */
  readonly limit: Limit | undefined;
  readonly offset: number;
}

export const DEFAULT_QUERY: ListingQuery = {
  sort: 'name',
  order: 'asc',
  format: undefined,
  limit: undefined,
  offset: 0,
};

const SORT_KEYS: readonly string[] = ['name', 'size', 'date'] satisfies SortKey[];
const ORDERS: readonly string[] = ['asc', 'desc'] satisfies SortOrder[];
const FORMATS: readonly string[] = ['html', 'json', 'text'] satisfies ListingFormat[];
/** Up to nine digits: large enough for any folder, small enough to stay a safe integer. */
const COUNT = /^\d{1,9}$/;

/** Reads `?sort=&order=&format=&limit=&offset=` from a raw query ('' or '?…'). */
export function parseListingQuery(rawQuery: string): ListingQuery {
  const params = new URLSearchParams(rawQuery.startsWith('?') ? rawQuery.slice(1) : rawQuery);
  const sort = params.get('sort') ?? '';
  const order = params.get('order') ?? '';
  const format = params.get('format') ?? '';
  const limit = params.get('limit') ?? '';
  const offset = params.get('offset') ?? '';
  return {
    sort: SORT_KEYS.includes(sort) ? (sort as SortKey) : DEFAULT_QUERY.sort,
    order: ORDERS.includes(order) ? (order as SortOrder) : DEFAULT_QUERY.order,
    format: FORMATS.includes(format) ? (format as ListingFormat) : undefined,
    limit: limit === 'all' ? 'all' : COUNT.test(limit) && Number(limit) > 0 ? Number(limit) : undefined,
    offset: COUNT.test(offset) ? Number(offset) : 0,
  };
}

/**
 * Builds a query string ('?…') for a link from this listing to itself: `changes` override the
 * current values, and values equal to the defaults are left out so that links stay short.
 * The format is dropped on purpose: a link in an HTML page should open an HTML page.
 */
export function formatListingQuery(current: ListingQuery, changes: Partial<ListingQuery>): string {
  const next = { ...current, ...changes };
  const params = new URLSearchParams();
  params.set('sort', next.sort);
  params.set('order', next.order);
  if (next.limit !== undefined) params.set('limit', String(next.limit));
  if (next.offset > 0) params.set('offset', String(next.offset));
  return `?${params.toString()}`;
}

/** The media type each format is sent as, and matched against in Accept. */
export const MEDIA_TYPES: Readonly<Record<ListingFormat, string>> = {
  html: 'text/html',
  json: 'application/json',
  text: 'text/plain',
};

/**
 * Picks a format from Accept (RFC 9110 §12.5.1): the highest q-value wins, the most specific
 * matching range sets a type's q-value, and ties go to HTML, then JSON, then text. With no
 * acceptable type we still send HTML, as §12.5.1 allows, rather than 406.
 *
 * 'application/json' → 'json'; '*\/*' → 'html'; 'text/plain, text/html;q=0.5' → 'text'.
 */
export function negotiateFormat(accept: string | undefined): ListingFormat {
  if (accept === undefined || accept.trim() === '') return 'html';
  const ranges = parseAccept(accept);
  let best: ListingFormat = 'html';
  let bestQ = 0;
  for (const format of FORMATS as readonly ListingFormat[]) {
    const q = qualityOf(ranges, MEDIA_TYPES[format]);
    if (q > bestQ) {
      best = format;
      bestQ = q;
    }
  }
  return best;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [mediaRange = '', ...params] = part.split(';');
    const [type = '', subtype = ''] = mediaRange.trim().toLowerCase().split('/');
    if (type === '' || subtype === '') continue;
    let q = 1;
    for (const param of params) {
      const [name = '', value = ''] = param.split('=');
      if (name.trim().toLowerCase() !== 'q') continue;
      const parsed = Number(value.trim());
      q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 0;
    }
    ranges.push({ type, subtype, q });
  }
  return ranges;
}

/** The q-value of the most specific range that matches `mediaType`, or 0. */
function qualityOf(ranges: readonly MediaRange[], mediaType: string): number {
  const [type, subtype] = mediaType.split('/');
  let specificity = -1;
  let q = 0;
  for (const range of ranges) {
    let s = -1;
    if (range.type === type && range.subtype === subtype) s = 2;
    else if (range.type === type && range.subtype === '*') s = 1;
    else if (range.type === '*' && range.subtype === '*') s = 0;
    if (s > specificity) {
      specificity = s;
      q = range.q;
    }
  }
  return q;
}
