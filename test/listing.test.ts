// test/listing.test.ts
// The pure half of folder listings: natural sort and each sort key, query parsing, Accept
// negotiation, and the HTML/JSON/text renderers' escaping and URL encoding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LISTING_CSP, LISTING_SCRIPT } from '../src/listing/assets.js';
import {
  compareNatural,
  foldName,
  iconKindOf,
  type ListingEntry,
  type SortSpec,
  sortEntries,
  totalsOf,
} from '../src/listing/entry.js';
import { renderJson, renderText } from '../src/listing/formats.js';
import {
  DEFAULT_QUERY,
  formatListingQuery,
  negotiateFormat,
  parseListingQuery,
} from '../src/listing/query.js';
import {
  formatDateTime,
  formatTotals,
  type ListingView,
  renderListingHtml,
  renderRow,
} from '../src/listing/render-html.js';

const file = (name: string, size: number, mtimeMs: number): ListingEntry => ({
  name,
  type: 'file',
  size,
  mtimeMs,
});
const dir = (name: string, mtimeMs: number): ListingEntry => ({
  name,
  type: 'directory',
  size: undefined,
  mtimeMs,
});

const names = (entries: readonly ListingEntry[]): string[] => entries.map((e) => e.name);

// --- Natural order ---------------------------------------------------------------------------

const naturalCases: readonly [string[], string[]][] = [
  [
    ['file10', 'file2', 'file1'],
    ['file1', 'file2', 'file10'],
  ],
  [
    ['b', 'A', 'a', 'B'],
    ['A', 'a', 'B', 'b'],
  ],
  [
    ['v1.10.0', 'v1.9.2', 'v1.9.10'],
    ['v1.9.2', 'v1.9.10', 'v1.10.0'],
  ],
  [
    ['x007', 'x7', 'x06'],
    ['x06', 'x007', 'x7'],
  ],
  [
    ['Zebra', 'école', 'Eagle'],
    ['Eagle', 'école', 'Zebra'],
  ],
  [
    ['img 12.png', 'img 3.png', 'img.png'],
    ['img 3.png', 'img 12.png', 'img.png'],
  ],
];

for (const [input, expected] of naturalCases) {
  test(`sortEntries() by name puts ${JSON.stringify(input)} in natural order`, () => {
    const sorted = sortEntries(
      input.map((n) => file(n, 1, 0)),
      { key: 'name', order: 'asc' },
    );
    assert.deepEqual(names(sorted), expected);
  });
}

test('compareNatural() compares digit runs as numbers, longer than any integer', () => {
  assert.ok(compareNatural('a99999999999999999999', 'a100000000000000000000') < 0);
  assert.ok(compareNatural('file2', 'file10') < 0);
  assert.equal(compareNatural('same', 'same'), 0);
});

test('foldName() ignores case and accents but keeps other scripts', () => {
  assert.equal(foldName('Été.TXT'), 'ete.txt');
  assert.equal(foldName('日本語'), '日本語');
});

// --- Sort keys and orders ---------------------------------------------------------------------

const mixed: readonly ListingEntry[] = [
  file('b.txt', 300, 3000),
  dir('zeta', 1000),
  file('a.txt', 100, 5000),
  { name: 'broken', type: 'symlink', size: undefined, mtimeMs: undefined },
  dir('alpha', 9000),
  file('c.txt', 200, 1000),
];

const sortCases: readonly [SortSpec, string[]][] = [
  [{ key: 'name', order: 'asc' }, ['alpha', 'zeta', 'a.txt', 'b.txt', 'broken', 'c.txt']],
  [{ key: 'name', order: 'desc' }, ['zeta', 'alpha', 'c.txt', 'broken', 'b.txt', 'a.txt']],
  [{ key: 'size', order: 'asc' }, ['alpha', 'zeta', 'a.txt', 'c.txt', 'b.txt', 'broken']],
  [{ key: 'size', order: 'desc' }, ['zeta', 'alpha', 'b.txt', 'c.txt', 'a.txt', 'broken']],
  [{ key: 'date', order: 'asc' }, ['zeta', 'alpha', 'c.txt', 'b.txt', 'a.txt', 'broken']],
  [{ key: 'date', order: 'desc' }, ['alpha', 'zeta', 'a.txt', 'b.txt', 'c.txt', 'broken']],
];

for (const [spec, expected] of sortCases) {
  test(`sortEntries() sort=${spec.key}&order=${spec.order} keeps folders first and unknowns last`, () => {
    assert.deepEqual(names(sortEntries(mixed, spec)), expected);
  });
}

test('sortEntries() breaks ties by name and does not change its input', () => {
  const input = [file('b', 5, 1), file('a', 5, 1)];
  assert.deepEqual(names(sortEntries(input, { key: 'size', order: 'asc' })), ['a', 'b']);
  assert.deepEqual(names(input), ['b', 'a']);
});

test('totalsOf() counts folders and files and adds up file sizes', () => {
  assert.deepEqual(totalsOf(mixed), { directories: 2, files: 4, bytes: 600 });
});

const iconCases: readonly [ListingEntry, string][] = [
  [dir('photos', 0), 'folder'],
  [file('a.JPG', 1, 0), 'image'],
  [file('clip.webm', 1, 0), 'video'],
  [file('song.flac', 1, 0), 'audio'],
  [file('x.tar.gz', 1, 0), 'archive'],
  [file('main.ts', 1, 0), 'code'],
  [file('notes.md', 1, 0), 'text'],
  [file('paper.pdf', 1, 0), 'pdf'],
  [file('Makefile', 1, 0), 'file'],
  [file('.env', 1, 0), 'file'],
  [{ name: 'gone', type: 'symlink', size: undefined, mtimeMs: undefined }, 'broken'],
];

for (const [entry, kind] of iconCases) {
  test(`iconKindOf() gives ${kind} for ${entry.type} ${JSON.stringify(entry.name)}`, () => {
    assert.equal(iconKindOf(entry), kind);
  });
}

// --- Query parameters and Accept ------------------------------------------------------------

const queryCases: readonly [string, Partial<typeof DEFAULT_QUERY>][] = [
  ['', {}],
  ['?sort=size&order=desc', { sort: 'size', order: 'desc' }],
  ['?sort=date', { sort: 'date' }],
  ['?sort=SIZE&order=up', {}],
  ['?sort=size&sort=date', { sort: 'size' }],
  ['?format=json', { format: 'json' }],
  ['?format=xml', {}],
  ['?limit=50&offset=100', { limit: 50, offset: 100 }],
  ['?limit=all', { limit: 'all' }],
  ['?limit=0&offset=-1', {}],
  ['?limit=1e3&offset=9999999999', {}],
  ['?limit=%ZZ&sort', {}],
];

for (const [raw, changes] of queryCases) {
  test(`parseListingQuery(${JSON.stringify(raw)}) falls back to defaults for anything invalid`, () => {
    assert.deepEqual(parseListingQuery(raw), { ...DEFAULT_QUERY, ...changes });
  });
}

test('formatListingQuery() keeps limit, drops format and a zero offset', () => {
  const current = parseListingQuery('?sort=size&order=desc&format=html&limit=20&offset=40');
  assert.equal(formatListingQuery(current, { order: 'asc', offset: 0 }), '?sort=size&order=asc&limit=20');
  assert.equal(formatListingQuery(current, {}), '?sort=size&order=desc&limit=20&offset=40');
});

const acceptCases: readonly [string | undefined, string][] = [
  [undefined, 'html'],
  ['', 'html'],
  ['*/*', 'html'],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
  ['application/json', 'json'],
  ['application/json, text/plain;q=0.5', 'json'],
  ['text/plain', 'text'],
  ['text/plain, text/html;q=0.5', 'text'],
  ['text/*', 'html'],
  ['text/*;q=0.5, application/json;q=0.4', 'html'],
  ['image/png', 'html'],
  ['application/json;q=0, */*', 'html'],
  ['APPLICATION/JSON', 'json'],
  ['text/html;q=0, text/plain;q=0.1', 'text'],
];

for (const [accept, format] of acceptCases) {
  test(`negotiateFormat(${JSON.stringify(accept)}) picks ${format}`, () => {
    assert.equal(negotiateFormat(accept), format);
  });
}

// --- HTML ------------------------------------------------------------------------------------

const HOSTILE = [
  'with space.txt',
  'hash#tag.txt',
  'question?.txt',
  '100%.txt',
  'a&b.txt',
  `quotes"'.txt`,
  '<script>alert(1)</script>.txt',
  'new\nline.txt',
  '😀.txt',
  '日本語.txt',
];

function view(entries: readonly ListingEntry[], changes: Partial<ListingView> = {}): ListingView {
  return {
    segments: [],
    entries,
    count: entries.length,
    totals: totalsOf(entries),
    query: DEFAULT_QUERY,
    offset: 0,
    limit: 10_000,
    ...changes,
  };
}

const encodedHrefs: readonly [string, string][] = [
  ['with space.txt', 'with%20space.txt'],
  ['hash#tag.txt', 'hash%23tag.txt'],
  ['question?.txt', 'question%3F.txt'],
  ['100%.txt', '100%25.txt'],
  ['a&b.txt', 'a%26b.txt'],
  [`quotes"'.txt`, 'quotes%22%27.txt'],
  ['<script>alert(1)</script>.txt', '%3Cscript%3Ealert%281%29%3C%2Fscript%3E.txt'],
  ['new\nline.txt', 'new%0Aline.txt'],
  ['😀.txt', '%F0%9F%98%80.txt'],
  ['日本語.txt', '%E6%97%A5%E6%9C%AC%E8%AA%9E.txt'],
];

for (const [name, href] of encodedHrefs) {
  test(`renderRow() links ${JSON.stringify(name)} as ${href} and shows it escaped`, () => {
    const html = renderRow(file(name, 1, 0));
    assert.ok(html.includes(`<a href="${href}">`), html);
    const shown = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    assert.ok(html.includes(`<span>${shown.replace(/"/g, '&quot;').replace(/'/g, '&#39;')}</span>`), html);
  });
}

test('renderListingHtml() never lets a hostile name open a tag or an attribute', () => {
  const html = renderListingHtml(view(HOSTILE.map((n) => file(n, 1, 0))));
  assert.ok(!html.includes('<script>alert'));
  assert.equal(html.match(/<script>/g)?.length, 1, 'only the page script');
  const hrefs = [...html.matchAll(/<td class="n"><a href="([^"]*)">/g)].map((m) => m[1] ?? '');
  assert.equal(hrefs.length, HOSTILE.length);
  for (const href of hrefs) assert.match(href, /^[A-Za-z0-9%._~-]+$/);
});

test('renderRow() ends a folder name and its link with a slash, and gives it no size', () => {
  const html = renderRow(dir('my docs', Date.UTC(2024, 0, 2, 3, 4)));
  assert.ok(html.includes('<a href="my%20docs/">'));
  assert.ok(html.includes('<span>my docs/</span>'));
  assert.ok(html.includes('<td class="s"></td>'));
  assert.ok(html.includes('<time datetime="2024-01-02T03:04:00.000Z">'));
});

test('renderRow() shows a human size with the exact bytes in a tooltip', () => {
  const html = renderRow(file('big.bin', 4_123_456, 0));
  assert.ok(html.includes('<td class="s" title="4,123,456 bytes">4.1 MB</td>'), html);
});

test('renderRow() shows an unreadable link without size or date', () => {
  const html = renderRow({ name: 'gone', type: 'symlink', size: undefined, mtimeMs: undefined });
  assert.ok(html.includes('<td class="s"></td><td class="d"></td>'));
  assert.ok(html.includes('class="e x"'));
});

test('renderListingHtml() titles the page "Index of /path/" and links every breadcrumb', () => {
  const html = renderListingHtml(view([], { segments: ['a b', '<x>'] }));
  assert.ok(html.includes('<title>Index of /a b/&lt;x&gt;/</title>'));
  assert.ok(html.includes('<a class="root" href="../../">/</a>'));
  assert.ok(html.includes('<a href="../">a b<span class="sep">/</span></a>'));
  assert.ok(html.includes('<a href="./" aria-current="page">&lt;x&gt;<span class="sep">/</span></a>'));
  assert.ok(html.includes('<a href="../"><i class="i up"></i>'), 'a parent link');
});

test('renderListingHtml() at the root has no parent link', () => {
  const html = renderListingHtml(view([file('a', 1, 0)]));
  assert.ok(html.includes('<title>Index of /</title>'));
  assert.ok(!html.includes('Parent folder'));
});

test('renderListingHtml() marks the current sort with aria-sort and links the reverse order', () => {
  const html = renderListingHtml(view([], { query: parseListingQuery('?sort=size&order=desc&limit=5') }));
  assert.ok(
    html.includes(
      '<th class="s" scope="col" aria-sort="descending"><a href="?sort=size&amp;order=asc&amp;limit=5">',
    ),
  );
  assert.ok(html.includes('<th class="n" scope="col"><a href="?sort=name&amp;order=asc&amp;limit=5">'));
  assert.ok(html.includes('<th class="d" scope="col"><a href="?sort=date&amp;order=desc&amp;limit=5">'));
  assert.equal(html.match(/aria-sort="/g)?.length, 1);
});

test('renderListingHtml() shows an empty folder as such', () => {
  const html = renderListingHtml(view([]));
  assert.ok(html.includes('This folder is empty'));
  assert.ok(html.includes('<footer><span>Empty folder</span>'));
});

test('renderListingHtml() pages beyond the limit with previous, next and show-all links', () => {
  const entries = [file('a', 1, 0), file('b', 1, 0)];
  const html = renderListingHtml(view(entries, { count: 5, offset: 2, limit: 2 }));
  assert.ok(html.includes('Entries 3–4 of 5'));
  assert.ok(html.includes('<a href="?sort=name&amp;order=asc">← Previous</a>'));
  assert.ok(html.includes('<a href="?sort=name&amp;order=asc&amp;offset=4">Next →</a>'));
  assert.ok(html.includes('<a href="?sort=name&amp;order=asc&amp;limit=all">Show all 5</a>'));
});

test('renderListingHtml() shows no pager when everything fits', () => {
  assert.ok(!renderListingHtml(view([file('a', 1, 0)])).includes('class="pager"'));
});

const totalsCases: readonly [Parameters<typeof formatTotals>[0], string][] = [
  [{ directories: 12, files: 340, bytes: 1_234_567_890 }, '12 folders, 340 files, 1.2 GB'],
  [{ directories: 1, files: 1, bytes: 4100 }, '1 folder, 1 file, 4.1 KB'],
  [{ directories: 3, files: 0, bytes: 0 }, '3 folders'],
  [{ directories: 0, files: 2, bytes: 0 }, '2 files, 0 B'],
  [{ directories: 0, files: 0, bytes: 0 }, 'Empty folder'],
  [{ directories: 0, files: 12345, bytes: 5 }, '12,345 files, 5 B'],
];

for (const [totals, text] of totalsCases) {
  test(`formatTotals() writes ${JSON.stringify(text)}`, () => {
    assert.equal(formatTotals(totals), text);
  });
}

test('LISTING_CSP allows the page script by hash and nothing inline or remote', () => {
  assert.match(LISTING_CSP, /^default-src 'none'; /);
  assert.match(LISTING_CSP, /script-src 'sha256-[A-Za-z0-9+/]{43}='/);
  assert.ok(!LISTING_CSP.includes('unsafe'));
  assert.ok(LISTING_SCRIPT.startsWith('(function enhanceListing()'));
});

// --- JSON and text -----------------------------------------------------------------------------

test('renderJson() lists name, type, size, mtime and an encoded URL for each entry', () => {
  const entries: ListingEntry[] = [
    dir('sub dir', Date.UTC(2024, 4, 6)),
    file('a#b.txt', 3, Date.UTC(2024, 4, 7)),
    { name: 'gone', type: 'symlink', size: undefined, mtimeMs: undefined },
  ];
  const json = JSON.parse(
    renderJson({ segments: ['x y'], urlPath: '/x%20y/', entries, total: 9, offset: 2, limit: 3 }),
  );
  assert.deepEqual(json, {
    path: '/x y/',
    total: 9,
    offset: 2,
    limit: 3,
    entries: [
      {
        name: 'sub dir',
        type: 'directory',
        size: null,
        mtime: '2024-05-06T00:00:00.000Z',
        url: '/x%20y/sub%20dir/',
      },
      { name: 'a#b.txt', type: 'file', size: 3, mtime: '2024-05-07T00:00:00.000Z', url: '/x%20y/a%23b.txt' },
      { name: 'gone', type: 'symlink', size: null, mtime: null, url: '/x%20y/gone' },
    ],
  });
});

test('renderText() writes one name per line, folders with a slash, line breaks escaped', () => {
  const entries = [dir('d', 0), file('new\nline', 1, 0), file('plain', 1, 0)];
  const text = renderText({ segments: [], urlPath: '/', entries, total: 3, offset: 0, limit: 'all' });
  assert.equal(text, 'd/\nnew\\x0aline\nplain\n');
});

test('renderJson() and renderText() stay whole across chunks of 1,000 entries', () => {
  const entries = Array.from({ length: 2_500 }, (_, i) => file(`f${i}`, i, 0));
  const input = { segments: [], urlPath: '/', entries, total: 2_500, offset: 0, limit: 'all' as const };
  const json = JSON.parse(renderJson(input)) as { entries: { name: string }[] };
  assert.deepEqual(
    json.entries.map((e) => e.name),
    entries.map((e) => e.name),
  );
  assert.equal(renderText(input).split('\n').length, 2_501);
});

test('renderListingHtml() keeps every row, in order, across chunks of 1,000 rows', () => {
  const entries = Array.from({ length: 2_500 }, (_, i) => file(`f${i}`, i, 0));
  const html = renderListingHtml(view(entries));
  const hrefs = [...html.matchAll(/<td class="n"><a href="(f\d+)">/g)].map((m) => m[1]);
  assert.deepEqual(
    hrefs,
    entries.map((e) => e.name),
  );
  assert.equal(html.match(/<\/html>/g)?.length, 1);
});

const byteCounts: readonly [number, string][] = [
  [0, '0'],
  [999, '999'],
  [1000, '1,000'],
  [12_345, '12,345'],
  [123_456, '123,456'],
  [1_234_567, '1,234,567'],
  [Number.MAX_SAFE_INTEGER, '9,007,199,254,740,991'],
  [2 ** 60, '1,152,921,504,606,846,976'],
  [1e21, '1,000,000,000,000,000,000,000'],
];

for (const [bytes, grouped] of byteCounts) {
  test(`renderRow() writes ${bytes} bytes in the tooltip as "${grouped} bytes"`, () => {
    assert.ok(renderRow(file('f', bytes, 0)).includes(`title="${grouped} bytes"`));
  });
}

test('renderRow() dates rows that share a minute, cross one or predate 1973 as formatDateTime() does', () => {
  const start = Date.UTC(2024, 2, 31, 0, 59, 58, 500);
  const times = [
    ...Array.from({ length: 8 }, (_, i) => start + i * 700.25), // across a minute boundary
    start + 3_600_000, // an hour later, then back to the first minute
    start,
    Date.UTC(1972, 11, 31, 23, 59, 59, 999),
    Date.UTC(1937, 6, 1, 0, 0, 20),
    Date.UTC(1937, 6, 1, 0, 0, 40),
    -1,
    0,
  ];
  for (const ms of times) {
    const html = renderRow(file('f', 1, ms));
    assert.ok(html.includes(`">${formatDateTime(ms)}</time>`), `${ms}: ${html}`);
  }
});
