// src/listing/render-html.ts
// The HTML listing page, as a pure function of what was read and what was asked. Every name
// goes through escapeHtml as text and encodePathSegment in links; nothing else reaches HTML.
import { encodePathSegment, escapeHtml, renderPage } from '../http/html.js';
import { formatBytes } from '../serve/log.js';
import { renderUploadControls } from '../upload/page.js';
import { FAVICON, icon, LISTING_SCRIPT, LISTING_STYLE } from './assets.js';
import { iconKindOf, type ListingEntry, type SortKey, type SortOrder, type Totals } from './entry.js';
import { formatListingQuery, type ListingQuery } from './query.js';

/** What a listing page shows. */
export interface ListingView {
  /** The folder's decoded path segments under the root; [] is the root. */
  readonly segments: readonly string[];
  /** This page's entries, already sorted and sliced. */
  readonly entries: readonly ListingEntry[];
  /** How many entries the whole folder has (all pages). */
  readonly count: number;
  /** Counts and size of the whole folder. */
  readonly totals: Totals;
  readonly query: ListingQuery;
  /** Index of this page's first entry. */
  readonly offset: number;
  /** The page size in effect. */
  readonly limit: number | 'all';
  /** With --upload: the largest upload in bytes, and the page shows upload controls. */
  readonly upload?: number | undefined;
  /** Offer the folder as a zip (--zip). @default false */
  readonly zip?: boolean;
}

const COLUMNS: readonly { key: SortKey; label: string; cls: string; first: SortOrder }[] = [
  { key: 'name', label: 'Name', cls: 'n', first: 'asc' },
  // Biggest and newest first is what people look for when they sort by size or date.
  { key: 'size', label: 'Size', cls: 's', first: 'desc' },
  { key: 'date', label: 'Modified', cls: 'd', first: 'desc' },
];

/** How many rows each chunk of the page holds; the sender yields to other clients between chunks. */
export const ROWS_PER_CHUNK = 1000;

/** Stands in for the rows while the page around them is rendered; names can't contain '<'. */
const ROWS_MARKER = '<!--rows-->';

/** The zip download of this folder (src/zip/): relative, so it works under a mount prefix too. */
const ZIP_LINK = `<a class="zip" href="?download=zip" download>${icon('archive')}<span>Download as zip</span></a>`;

/** Renders the complete page as one string. */
export function renderListingHtml(view: ListingView): string {
  return Array.from(renderListingHtmlChunks(view)).join('');
}

/**
 * Renders the page in pieces of ROWS_PER_CHUNK rows, so that a page of 100,000 rows never
 * holds the event loop for the whole render. Joined, the pieces are renderListingHtml().
 */
export function* renderListingHtmlChunks(view: ListingView): Generator<string> {
  const path = `/${view.segments.map((s) => `${s}/`).join('')}`;
  const pager = renderPager(view);
  const body = `<main>
<h1>${renderHeading(view.segments)}</h1>
<div class="bar"><div class="filter" hidden>${icon('search')}<input id="filter" type="search" placeholder="Filter" aria-label="Filter names" autocomplete="off" spellcheck="false"><kbd>/</kbd></div><span class="status" id="status" aria-live="polite"></span>${view.zip === true ? ZIP_LINK : ''}</div>
${view.upload === undefined ? '' : renderUploadControls(view.upload)}${pager}<div class="card"><table>
<thead><tr>${COLUMNS.map((c) => renderHeader(c, view.query)).join('')}</tr></thead>
<tbody>
${ROWS_MARKER}
</tbody>
</table></div>
${pager}<footer><span>${escapeHtml(formatTotals(view.totals))}</span><span>serve-here</span></footer>
</main>`;
  const page = renderPage({
    title: `Index of ${path}`,
    head: FAVICON,
    body,
    css: LISTING_STYLE,
    script: LISTING_SCRIPT,
  });
  const at = page.indexOf(ROWS_MARKER);
  yield page.slice(0, at);
  if (view.segments.length > 0) {
    yield `<tr class="up"><td class="n"><a href="../">${icon('up')}<span>Parent folder</span></a></td><td class="s"></td><td class="d"></td></tr>\n`;
  }
  for (let start = 0; start < view.entries.length; start += ROWS_PER_CHUNK) {
    // Plain concatenation: V8 links the pieces and copies them once, when the chunk is encoded.
    // Measured on 10,000 rows: 2.5× faster than pushing the pieces into one array and joining.
    let rows = '';
    const end = Math.min(start + ROWS_PER_CHUNK, view.entries.length);
    for (let i = start; i < end; i++) rows += renderRowLine(view.entries[i] as ListingEntry);
    yield rows;
  }
  if (view.count === 0) yield '<tr class="msg"><td colspan="3">This folder is empty</td></tr>\n';
  yield '<tr class="msg" id="none" hidden><td colspan="3">Nothing here matches</td></tr>';
  yield page.slice(at + ROWS_MARKER.length);
}

/**
 * "Index of /a/b/" where each segment links to its folder. Links are relative ('../'), so the
 * page stays right when the handler is mounted under a prefix by Express or Connect.
 */
function renderHeading(segments: readonly string[]): string {
  const up = (levels: number): string => (levels === 0 ? './' : '../'.repeat(levels));
  const current = (i: number): string => (i === segments.length - 1 ? ' aria-current="page"' : '');
  const root = `<a class="root" href="${up(segments.length)}"${segments.length === 0 ? ' aria-current="page"' : ''}>/</a>`;
  const crumbs = segments.map(
    (segment, i) =>
      `<a href="${up(segments.length - 1 - i)}"${current(i)}>${escapeHtml(segment)}<span class="sep">/</span></a>`,
  );
  return `<span class="of">Index of</span> ${root}${crumbs.join('')}`;
}

function renderHeader(column: (typeof COLUMNS)[number], query: ListingQuery): string {
  const active = query.sort === column.key;
  const order: SortOrder = active ? (query.order === 'asc' ? 'desc' : 'asc') : column.first;
  const sort = active ? ` aria-sort="${query.order === 'asc' ? 'ascending' : 'descending'}"` : '';
  const href = escapeHtml(formatListingQuery(query, { sort: column.key, order, offset: 0 }));
  return `<th class="${column.cls}" scope="col"${sort}><a href="${href}">${column.label}</a></th>`;
}

/** One entry's row, as a string, without its line break. */
export function renderRow(entry: ListingEntry): string {
  return renderRowLine(entry).trimEnd();
}

/** One entry's row and a line break: `e` marks rows the filter may hide, `x` a link that can't be read. */
function renderRowLine(entry: ListingEntry): string {
  const slash = entry.type === 'directory' ? '/' : '';
  const name = entry.name;
  let row =
    (entry.type === 'symlink'
      ? '<tr class="e x"><td class="n"><a href="'
      : '<tr class="e"><td class="n"><a href="') +
    (PLAIN_SEGMENT.test(name) ? name : encodePathSegment(name)) +
    slash +
    '">' +
    icon(iconKindOf(entry)) +
    '<span>' +
    (HTML_SPECIAL.test(name) ? escapeHtml(name) : name) +
    slash +
    '</span></a></td>';
  row +=
    entry.size === undefined
      ? '<td class="s"></td>'
      : `<td class="s" title="${group(entry.size)} bytes">${formatBytes(entry.size)}</td>`;
  row +=
    entry.mtimeMs === undefined
      ? '<td class="d"></td></tr>\n'
      : '<td class="d"><time datetime="' +
        new Date(entry.mtimeMs).toISOString() +
        '">' +
        formatMinuteCached(entry.mtimeMs) +
        '</time></td></tr>\n';
  return row;
}

/** Names that encodePathSegment and escapeHtml leave as they are: most names, skipped cheaply. */
const PLAIN_SEGMENT = /^[A-Za-z0-9._~-]*$/;
const HTML_SPECIAL = /[&<>"']/;

/**
 * A count or byte size with thousands separators, as en-US writes it ('1,234,567'). Written
 * by hand rather than with Intl.NumberFormat: the formatter pulls about 5 MiB of ICU data
 * into the server's memory for something every count and size here needs only digits for
 * (they are whole numbers ≥ 0; anything else is printed as it is). Past 2^53 String()
 * rounds (2^60 is '1152921504606847000'); BigInt writes the number's exact digits.
 */
function group(n: number): string {
  if (!Number.isInteger(n) || n < 0) return String(n);
  const digits = Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  if (digits.length <= 3) return digits;
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return out;
}

/**
 * Paging, shown only for folders bigger than one page (10,000 entries by default): a line
 * saying which entries are shown, links to the previous and next pages, and "Show all",
 * which asks for `limit=all`. The filter only searches the page on screen, so it says so.
 */
function renderPager(view: ListingView): string {
  if (view.limit === 'all' || (view.offset === 0 && view.count <= view.limit)) return '';
  const size = view.limit;
  const first = Math.min(view.offset + 1, view.count);
  const last = Math.min(view.offset + size, view.count);
  const link = (label: string, offset: number): string =>
    `<a href="${escapeHtml(formatListingQuery(view.query, { offset }))}">${label}</a>`;
  const parts = [
    `<span>Entries ${group(first)}–${group(last)} of ${group(view.count)}; the filter searches this page</span>`,
  ];
  if (view.offset > 0) parts.push(link('← Previous', Math.max(view.offset - size, 0)));
  if (last < view.count) parts.push(link('Next →', view.offset + size));
  parts.push(
    `<a href="${escapeHtml(formatListingQuery(view.query, { offset: 0, limit: 'all' }))}">Show all ${group(view.count)}</a>`,
  );
  return `<nav class="pager" aria-label="Pages">${parts.join('')}</nav>\n`;
}

/** "12 folders, 340 files, 1.2 GB"; counts that are zero are left out. */
export function formatTotals(totals: Totals): string {
  const parts: string[] = [];
  if (totals.directories > 0) parts.push(plural(totals.directories, 'folder'));
  if (totals.files > 0) parts.push(plural(totals.files, 'file'), formatBytes(totals.bytes));
  return parts.length === 0 ? 'Empty folder' : parts.join(', ');
}

function plural(count: number, noun: string): string {
  return `${group(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * From 1973 on every time zone's offset is a whole number of minutes and changes on a minute
 * (the last offsets with seconds, such as Liberia's -0:44:30, ended in 1972), so a UTC minute
 * is also a local minute and formats the same throughout.
 */
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);

/** The minute formatted last, as [minutes since the epoch, text]. */
let lastMinute: [number, string] = [Number.NaN, ''];

/**
 * formatDateTime(), remembering the last minute: files unpacked, copied or checked out
 * together share their minute, and formatting it costs more than the rest of the row.
 */
function formatMinuteCached(ms: number): string {
  if (!(ms >= WHOLE_MINUTE_OFFSETS_SINCE)) return formatDateTime(ms);
  const minute = Math.floor(ms / 60_000);
  if (lastMinute[0] === minute) return lastMinute[1];
  const text = formatDateTime(ms);
  lastMinute = [minute, text];
  return text;
}

/** '2025-03-04 14:22' in the server's time zone: sortable, compact, and the same width on every row. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
