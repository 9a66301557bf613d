// test/zip-rules.test.ts
// The zip download's pure decisions, as tables: the query, the archive's name, its
// Content-Disposition, what is deflated, and the SKIPPED.txt report.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  archiveBaseName,
  formatContentDisposition,
  formatSkippedReport,
  isZipDownload,
  shouldDeflate,
  skippedEntryName,
} from '../src/zip/rules.js';

const QUERIES: readonly [string, boolean][] = [
  ['?download=zip', true],
  ['download=zip', true],
  ['?sort=size&download=zip', true],
  ['?download=tar&download=zip', true],
  ['?download=zip%00', false],
  ['?download=ZIP', false],
  ['?download=', false],
  ['?downloads=zip', false],
  ['?format=zip', false],
  ['', false],
];
for (const [query, expected] of QUERIES) {
  test(`isZipDownload(${JSON.stringify(query)}) is ${expected}`, () => {
    assert.equal(isZipDownload(query), expected);
  });
}

const DISPOSITIONS: readonly [string, string][] = [
  ['photos.zip', `attachment; filename="photos.zip"; filename*=UTF-8''photos.zip`],
  ['a b.zip', `attachment; filename="a b.zip"; filename*=UTF-8''a%20b.zip`],
  ['say "hi".zip', `attachment; filename="say _hi_.zip"; filename*=UTF-8''say%20%22hi%22.zip`],
  ['back\\slash.zip', `attachment; filename="back_slash.zip"; filename*=UTF-8''back%5Cslash.zip`],
  ['new\nline\r.zip', `attachment; filename="new_line_.zip"; filename*=UTF-8''new%0Aline%0D.zip`],
  ['<b>&amp;.zip', `attachment; filename="<b>&amp;.zip"; filename*=UTF-8''%3Cb%3E&amp%3B.zip`],
  ['100%.zip', `attachment; filename="100_.zip"; filename*=UTF-8''100%25.zip`],
  ['été.zip', `attachment; filename="_t_.zip"; filename*=UTF-8''%C3%A9t%C3%A9.zip`],
  ["it's (1)*.zip", `attachment; filename="it's (1)*.zip"; filename*=UTF-8''it%27s%20%281%29%2A.zip`],
  ['😀.zip', `attachment; filename="__.zip"; filename*=UTF-8''%F0%9F%98%80.zip`],
];
for (const [name, expected] of DISPOSITIONS) {
  test(`formatContentDisposition(${JSON.stringify(name)})`, () => {
    const value = formatContentDisposition(name);
    assert.equal(value, expected);
    // Nothing outside visible ASCII and space can reach the header.
    assert.match(value, /^[\x20-\x7e]+$/);
    // The encoded name decodes back to the exact name.
    assert.equal(decodeURIComponent(value.split("UTF-8''")[1] ?? ''), name);
  });
}

test('archiveBaseName() is the last segment, else the root name, else "files"', () => {
  assert.equal(archiveBaseName(['a', 'b c'], 'site'), 'b c');
  assert.equal(archiveBaseName([], 'site'), 'site');
  assert.equal(archiveBaseName([], ''), 'files');
});

const DEFLATE: readonly [string, number, boolean][] = [
  ['notes.txt', 10_000, true],
  ['data.json', 10_000, true],
  ['app.js', 10_000, true],
  ['icon.svg', 10_000, true],
  ['notes.txt', 100, false],
  ['photo.jpg', 10_000, false],
  ['image.PNG', 10_000, false],
  ['clip.mp4', 10_000, false],
  ['song.mp3', 10_000, false],
  ['font.woff2', 10_000, false],
  ['old.zip', 10_000, false],
  ['log.gz', 10_000, false],
  ['paper.pdf', 10_000, false],
  ['blob.bin', 10_000, false],
];
for (const [name, size, expected] of DEFLATE) {
  test(`shouldDeflate(${JSON.stringify(name)}, ${size}) is ${expected}`, () => {
    assert.equal(shouldDeflate(name, size), expected);
  });
}

test('formatSkippedReport() keeps one line per name, with controls escaped', () => {
  const report = formatSkippedReport(
    [
      { path: 'a/new\nline.txt', reason: 'unreadable' },
      { path: 'b\\c', reason: 'name contains a backslash' },
    ],
    0,
  );
  assert.equal(
    report,
    'serve-here left these out of the archive:\n\na/new\\nline.txt\tunreadable\nb\\c\tname contains a backslash\n',
  );
  assert.match(formatSkippedReport([{ path: 'x', reason: 'vanished' }], 5), /\n…and 5 more\n$/);
});

test('skippedEntryName() avoids a name the folder already has at its top', () => {
  assert.equal(skippedEntryName(new Set()), 'SKIPPED.txt');
  assert.equal(skippedEntryName(new Set(['SKIPPED.txt'])), 'SKIPPED-2.txt');
  assert.equal(skippedEntryName(new Set(['SKIPPED.txt', 'SKIPPED-2.txt'])), 'SKIPPED-3.txt');
});
