// test/range.test.ts
// Table tests for parseRange (RFC 9110 §14): one test per Range header and size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRange, type RangeResult } from '../src/http/range.js';

const ignore: RangeResult = { kind: 'ignore' };
const unsatisfiable: RangeResult = { kind: 'unsatisfiable' };
const ranges = (...pairs: [number, number][]): RangeResult => ({
  kind: 'ranges',
  ranges: pairs.map(([start, end]) => ({ start, end })),
});

interface RangeCase {
  readonly header: string;
  readonly size: number;
  readonly want: RangeResult;
  readonly why: string;
}

const CASES: readonly RangeCase[] = [
  { header: 'bytes=0-4', size: 10, want: ranges([0, 4]), why: 'a closed range' },
  { header: 'bytes=0-0', size: 10, want: ranges([0, 0]), why: 'the first byte alone' },
  { header: 'bytes=8-', size: 10, want: ranges([8, 9]), why: 'an open range runs to the end' },
  { header: 'bytes=-3', size: 10, want: ranges([7, 9]), why: 'a suffix range is the last N bytes' },
  { header: 'bytes=-30', size: 10, want: ranges([0, 9]), why: 'a suffix longer than the file is all of it' },
  { header: 'bytes=5-100', size: 10, want: ranges([5, 9]), why: 'the end is clamped to the last byte' },
  { header: 'bytes=9-9', size: 10, want: ranges([9, 9]), why: 'the last byte alone' },
  { header: 'BYTES=0-1', size: 10, want: ranges([0, 1]), why: 'the unit is case-insensitive' },
  { header: 'bytes=0-1,', size: 10, want: ranges([0, 1]), why: 'an empty list element is skipped' },
  { header: 'bytes= 0-1 , 4-5', size: 1000, want: ranges([0, 1], [4, 5]), why: 'spaces around elements' },
  {
    header: 'bytes=0-0,-1',
    size: 1000,
    want: ranges([0, 0], [999, 999]),
    why: 'first and last byte (what Safari probes with)',
  },
  {
    header: 'bytes=500-599,0-99',
    size: 1000,
    want: ranges([0, 99], [500, 599]),
    why: 'parts are sorted',
  },
  { header: 'bytes=0-5,3-8', size: 1000, want: ranges([0, 8]), why: 'two overlapping ranges merge into one' },
  { header: 'bytes=0-4,5-9', size: 1000, want: ranges([0, 9]), why: 'adjacent ranges merge into one' },
  {
    header: 'bytes=0-1,10-,5-6',
    size: 12,
    want: ignore,
    why: 'parts plus framing larger than the file: whole file instead',
  },
  { header: 'bytes=0-5,3-8,100-110', size: 1000, want: ignore, why: 'overlap among more than two ranges' },
  {
    header: `bytes=${Array.from({ length: 65 }, (_, i) => `${i * 10}-${i * 10}`).join(',')}`,
    size: 100_000,
    want: ignore,
    why: 'more than 64 ranges',
  },
  {
    header: `bytes=${Array.from({ length: 64 }, (_, i) => `${i * 1000}-${i * 1000}`).join(',')}`,
    size: 100_000,
    want: ranges(...Array.from({ length: 64 }, (_, i): [number, number] => [i * 1000, i * 1000])),
    why: 'exactly 64 disjoint ranges are still served',
  },
  { header: 'bytes=10-', size: 10, want: unsatisfiable, why: 'a start at the size' },
  { header: 'bytes=10-20', size: 10, want: unsatisfiable, why: 'a range wholly past the end' },
  { header: 'bytes=-0', size: 10, want: unsatisfiable, why: 'a zero-length suffix selects nothing' },
  { header: 'bytes=20-30,40-', size: 10, want: unsatisfiable, why: 'every range past the end' },
  { header: 'bytes=20-30,2-3', size: 10, want: ranges([2, 3]), why: 'one satisfiable range is enough' },
  { header: 'bytes=100-50', size: 1000, want: ignore, why: 'last before first is invalid syntax' },
  { header: 'bytes=5-1', size: 10, want: ignore, why: 'last before first, small' },
  { header: 'items=0-1', size: 10, want: ignore, why: 'another unit' },
  { header: 'bytes', size: 10, want: ignore, why: 'no equals sign' },
  { header: 'bytes=', size: 10, want: ignore, why: 'no range at all' },
  { header: 'bytes=,', size: 10, want: ignore, why: 'only empty elements' },
  { header: 'bytes=a-b', size: 10, want: ignore, why: 'letters' },
  { header: 'bytes=1', size: 10, want: ignore, why: 'no dash' },
  { header: 'bytes=-', size: 10, want: ignore, why: 'a dash alone' },
  { header: 'bytes=--1', size: 10, want: ignore, why: 'a double dash' },
  { header: 'bytes=1.5-2', size: 10, want: ignore, why: 'a fraction' },
  { header: 'bytes=0x1-2', size: 10, want: ignore, why: 'hexadecimal' },
  { header: 'bytes=+1-2', size: 10, want: ignore, why: 'a sign' },
  { header: 'bytes=0-1,x', size: 10, want: ignore, why: 'one bad element spoils the header' },
  { header: 'bytes=0-4', size: 0, want: ignore, why: 'an empty file is sent whole' },
  { header: 'bytes=-1', size: 0, want: ignore, why: 'an empty file is sent whole, suffix' },
  {
    header: 'bytes=0-99999999999999999999',
    size: 10,
    want: ranges([0, 9]),
    why: 'a huge end is clamped',
  },
  { header: 'bytes=99999999999999999999-', size: 10, want: unsatisfiable, why: 'a huge start' },
];

for (const { header, size, want, why } of CASES) {
  const shown = header.length > 60 ? `${header.slice(0, 57)}...` : header;
  test(`parseRange(${JSON.stringify(shown)}, ${size}) gives ${want.kind}: ${why}`, () => {
    assert.deepEqual(parseRange(header, size), want);
  });
}
