// test/conditional.test.ts
// Table tests for preconditions (RFC 9110 §13.2.2 order), If-Range (§13.1.5) and HTTP-date
// parsing (§5.6.7): one test per case.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import {
  evaluatePreconditions,
  formatHttpDate,
  isRangeCurrent,
  type Precondition,
  parseHttpDate,
  type Validators,
} from '../src/http/conditional.js';

const MODIFIED = Date.UTC(2024, 0, 15, 12, 0, 0, 250); // sub-second part is ignored
const CURRENT: Validators = { etag: '"abc"', lastModified: MODIFIED };
const AT = formatHttpDate(MODIFIED); // 'Mon, 15 Jan 2024 12:00:00 GMT'
const BEFORE = formatHttpDate(MODIFIED - 1000);
const AFTER = formatHttpDate(MODIFIED + 1000);

interface PreconditionCase {
  readonly name: string;
  readonly headers: IncomingHttpHeaders;
  readonly want: Precondition;
}

const PRECONDITIONS: readonly PreconditionCase[] = [
  { name: 'no conditional headers', headers: {}, want: 'proceed' },
  { name: 'If-Match with the current tag', headers: { 'if-match': '"abc"' }, want: 'proceed' },
  { name: 'If-Match with another tag', headers: { 'if-match': '"xyz"' }, want: 'precondition-failed' },
  { name: 'If-Match with a list holding the tag', headers: { 'if-match': '"x", "abc"' }, want: 'proceed' },
  { name: 'If-Match: *', headers: { 'if-match': '*' }, want: 'proceed' },
  {
    name: 'If-Match with the weak form of the tag (strong comparison)',
    headers: { 'if-match': 'W/"abc"' },
    want: 'precondition-failed',
  },
  { name: 'If-Match that is garbage', headers: { 'if-match': 'abc' }, want: 'precondition-failed' },
  {
    name: 'If-Unmodified-Since before the last change',
    headers: { 'if-unmodified-since': BEFORE },
    want: 'precondition-failed',
  },
  { name: 'If-Unmodified-Since at the last change', headers: { 'if-unmodified-since': AT }, want: 'proceed' },
  {
    name: 'If-Unmodified-Since after the last change',
    headers: { 'if-unmodified-since': AFTER },
    want: 'proceed',
  },
  {
    name: 'If-Unmodified-Since that is garbage is ignored',
    headers: { 'if-unmodified-since': '5' },
    want: 'proceed',
  },
  {
    name: 'If-Match that matches wins over a failing If-Unmodified-Since',
    headers: { 'if-match': '"abc"', 'if-unmodified-since': BEFORE },
    want: 'proceed',
  },
  { name: 'If-None-Match with the current tag', headers: { 'if-none-match': '"abc"' }, want: 'not-modified' },
  {
    name: 'If-None-Match with the weak form of the tag (weak comparison)',
    headers: { 'if-none-match': 'W/"abc"' },
    want: 'not-modified',
  },
  { name: 'If-None-Match with another tag', headers: { 'if-none-match': '"xyz"' }, want: 'proceed' },
  {
    name: 'If-None-Match with a list holding the tag',
    headers: { 'if-none-match': '"x", W/"y","abc"' },
    want: 'not-modified',
  },
  {
    name: 'If-None-Match with an empty list element first',
    headers: { 'if-none-match': ', "abc"' },
    want: 'not-modified',
  },
  { name: 'If-None-Match: *', headers: { 'if-none-match': '*' }, want: 'not-modified' },
  { name: 'If-None-Match that is garbage', headers: { 'if-none-match': 'abc' }, want: 'proceed' },
  {
    name: 'If-None-Match that misses overrides a matching If-Modified-Since',
    headers: { 'if-none-match': '"xyz"', 'if-modified-since': AFTER },
    want: 'proceed',
  },
  {
    name: 'If-None-Match that matches overrides an older If-Modified-Since',
    headers: { 'if-none-match': '"abc"', 'if-modified-since': BEFORE },
    want: 'not-modified',
  },
  {
    name: 'If-Modified-Since at the last change',
    headers: { 'if-modified-since': AT },
    want: 'not-modified',
  },
  {
    name: 'If-Modified-Since after the last change',
    headers: { 'if-modified-since': AFTER },
    want: 'not-modified',
  },
  {
    name: 'If-Modified-Since before the last change',
    headers: { 'if-modified-since': BEFORE },
    want: 'proceed',
  },
  {
    name: 'If-Modified-Since in the obsolete RFC 850 form',
    headers: { 'if-modified-since': 'Monday, 15-Jan-24 12:00:00 GMT' },
    want: 'not-modified',
  },
  {
    name: 'If-Modified-Since in the obsolete asctime form',
    headers: { 'if-modified-since': 'Mon Jan 15 12:00:00 2024' },
    want: 'not-modified',
  },
  {
    name: 'If-Modified-Since: 9999 is garbage, ignored',
    headers: { 'if-modified-since': '9999' },
    want: 'proceed',
  },
  {
    name: 'If-Modified-Since: yesterday is garbage, ignored',
    headers: { 'if-modified-since': 'yesterday' },
    want: 'proceed',
  },
  {
    name: 'If-Modified-Since in ISO 8601 is not an HTTP-date, ignored',
    headers: { 'if-modified-since': '2099-01-01T00:00:00Z' },
    want: 'proceed',
  },
  {
    name: 'If-Match failing comes before a matching If-None-Match',
    headers: { 'if-match': '"xyz"', 'if-none-match': '"abc"' },
    want: 'precondition-failed',
  },
  {
    name: 'If-Unmodified-Since failing comes before a matching If-Modified-Since',
    headers: { 'if-unmodified-since': BEFORE, 'if-modified-since': AFTER },
    want: 'precondition-failed',
  },
];

for (const { name, headers, want } of PRECONDITIONS) {
  test(`evaluatePreconditions: ${name} gives ${want}`, () => {
    assert.equal(evaluatePreconditions(headers, CURRENT), want);
  });
}

interface IfRangeCase {
  readonly ifRange: string | undefined;
  readonly want: boolean;
  readonly why: string;
}

const IF_RANGE: readonly IfRangeCase[] = [
  { ifRange: undefined, want: true, why: 'no If-Range: the Range applies' },
  { ifRange: '"abc"', want: true, why: 'the current strong tag' },
  { ifRange: '"xyz"', want: false, why: 'another tag' },
  { ifRange: 'W/"abc"', want: false, why: 'a weak tag never matches (strong comparison)' },
  { ifRange: AT, want: true, why: 'exactly the Last-Modified date' },
  { ifRange: BEFORE, want: false, why: 'an older date' },
  { ifRange: AFTER, want: false, why: 'a newer date (only an exact match counts)' },
  { ifRange: 'garbage', want: false, why: 'garbage' },
];

for (const { ifRange, want, why } of IF_RANGE) {
  test(`isRangeCurrent with If-Range ${JSON.stringify(ifRange)} is ${want}: ${why}`, () => {
    const headers: IncomingHttpHeaders = ifRange === undefined ? {} : { 'if-range': ifRange };
    assert.equal(isRangeCurrent(headers, CURRENT), want);
  });
}

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37) / 1000;

const DATES: readonly [string, number | undefined][] = [
  ['Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
  ['Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
  ['Sun Nov  6 08:49:37 1994', NOV_6_1994],
  ['  Sun, 06 Nov 1994 08:49:37 GMT  ', NOV_6_1994],
  ['Sun, 06 Nov 1994 08:49:37 UTC', undefined],
  ['sun, 06 nov 1994 08:49:37 gmt', undefined],
  ['Sun, 6 Nov 1994 08:49:37 GMT', undefined],
  ['Sun, 31 Feb 1994 08:49:37 GMT', undefined],
  ['Sun, 06 Nov 1994 25:00:00 GMT', undefined],
  ['1', undefined],
  ['9999', undefined],
  ['', undefined],
  ['1994-11-06T08:49:37Z', undefined],
];

for (const [text, want] of DATES) {
  test(`parseHttpDate(${JSON.stringify(text)}) is ${want ?? 'invalid'}`, () => {
    assert.equal(parseHttpDate(text), want);
  });
}

test('formatHttpDate writes an IMF-fixdate that parseHttpDate reads back at second precision', () => {
  assert.equal(AT, 'Mon, 15 Jan 2024 12:00:00 GMT');
  assert.equal(parseHttpDate(AT), Math.floor(MODIFIED / 1000));
});
