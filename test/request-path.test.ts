// test/request-path.test.ts
// Table tests for parseRequestPath: decoding once, refusals (400/414), canonical spelling, the
// trailing slash, and the backslash on POSIX and Windows. One test per request-target.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError } from '../src/http/errors.js';
import {
  MAX_TARGET_LENGTH,
  NATIVE_PLATFORM,
  parseRequestPath,
  type RequestPath,
} from '../src/serve/request-path.js';

type Want = RequestPath | { readonly status: number };

/** A parsed path; `canonical` and `query` default to true and ''. */
function path(segments: string[], trailingSlash: boolean, more: Partial<RequestPath> = {}): RequestPath {
  return { segments, trailingSlash, query: '', canonical: true, ...more };
}
const moved = { canonical: false } as const;

const CASES: readonly [target: string, want: Want, why: string][] = [
  ['/', path([], true), 'the root'],
  ['/a.txt', path(['a.txt'], false), 'a file'],
  ['/a/b/', path(['a', 'b'], true), 'a folder'],
  ['/a%20b.txt', path(['a b.txt'], false), 'an escaped space is decoded'],
  ['/%E2%98%83', path(['☃'], false), 'UTF-8 is decoded'],
  ['/%2541', path(['%41'], false), 'decoded exactly once'],
  ['/...', path(['...'], false), 'three dots is a name (the dotfile rule hides it later)'],
  ['/a.', path(['a.'], false), 'a trailing dot is part of the name'],
  [
    '/a.txt?x=1&y=/../..',
    path(['a.txt'], false, { query: '?x=1&y=/../..' }),
    'the query is kept, never parsed',
  ],
  ['/a.txt?', path(['a.txt'], false, { query: '?' }), 'an empty query'],
  ['/a.txt#frag', path(['a.txt'], false), 'a fragment is dropped'],
  ['/a/?q', path(['a'], true, { query: '?q' }), 'a folder with a query'],
  ['/a/./b', path(['a', 'b'], false, moved), 'a dot segment is not canonical'],
  ['/a//b', path(['a', 'b'], false, moved), 'an empty segment is not canonical'],
  ['/a/x/../b', path(['a', 'b'], false, moved), 'a dot-dot inside the root is resolved, not canonical'],
  ['/a/b/..', path(['a'], true, moved), 'a final dot-dot names a folder'],
  ['/a/.', path(['a'], true, moved), 'a final dot names a folder'],
  ['/%2e', path([], true, moved), 'an encoded dot'],
  ['/a/%2E%2E/b', path(['b'], false, moved), 'an encoded dot-dot inside the root'],
  ['/a%2Fb', path(['a', 'b'], false, moved), 'an encoded slash separates, not canonical'],
  ['/a%2F', path(['a'], true, moved), 'an encoded trailing slash'],
  ['/a%2f%2fb', path(['a', 'b'], false, moved), 'lower-case encoded slashes'],
  ['/a\\b', path(['a\\b'], false), 'a raw backslash is part of a POSIX name'],
  ['/a%5Cb', path(['a\\b'], false), 'so is an encoded one'],
  ['/a%5c', path(['a\\'], false), 'a trailing encoded backslash is the last character of the name'],
  ['//evil.example', path(['evil.example'], false, moved), 'a protocol-relative lookalike'],
  ['///evil.example', path(['evil.example'], false, moved), 'three slashes'],
  ['/\\evil.example', path(['\\evil.example'], false), 'slash backslash: a name starting with a backslash'],
  ['/%2F%2Fevil.example', path(['evil.example'], false, moved), 'encoded double slash'],
  ['/%5Cevil.example', path(['\\evil.example'], false), 'encoded backslash'],
  ['/%5C%5Cevil.example/', path(['\\\\evil.example'], true), 'two encoded backslashes'],
  ['/./evil.example/', path(['evil.example'], true, moved), 'dot then a host-like name'],
  ['http://example.com/a.txt?q', path(['a.txt'], false, { query: '?q' }), 'absolute-form uses only the path'],
  ['http://example.com', path([], true), 'absolute-form without a path is the root'],
  ['HTTPS://user@x:8080//evil', path(['evil'], false, moved), 'absolute-form with an empty segment'],
  ['http://example.com/../secret', { status: 400 }, 'absolute-form cannot climb either'],
  ['/..', { status: 400 }, 'dot-dot at the root'],
  ['/../a', { status: 400 }, 'dot-dot above the root'],
  ['/a/../..', { status: 400 }, 'climbing back above the root'],
  ['/a/../../b', { status: 400 }, 'climbing above the root and down again'],
  ['/%2e%2e/x', { status: 400 }, 'encoded dot-dot'],
  ['/.%2E/x', { status: 400 }, 'half-encoded dot-dot'],
  ['/..%2Fsecret', { status: 400 }, 'dot-dot with an encoded slash'],
  ['/a/..%2F..%2Fsecret', { status: 400 }, 'encoded slashes climbing twice'],
  ['/..%5Csecret', path(['..\\secret'], false), 'dot-dot and an encoded backslash: the name ..\\secret'],
  ['/a\\..\\..\\secret', path(['a\\..\\..\\secret'], false), 'raw backslashes climb nothing'],
  ['/..\\', path(['..\\'], false), 'dot-dot backslash is a name too'],
  ['/a/..%5C/b', path(['a', '..\\', 'b'], false), 'and stays one in the middle'],
  ['/%00', { status: 400 }, 'an encoded NUL'],
  ['/a.txt%00.png', { status: 400 }, 'a NUL inside a name'],
  ['/a\0b', { status: 400 }, 'a raw NUL'],
  ['/%zz', { status: 400 }, 'a malformed escape'],
  ['/%', { status: 400 }, 'a lone percent sign'],
  ['/%4', { status: 400 }, 'a truncated escape'],
  ['/%E2%98', { status: 400 }, 'a truncated UTF-8 sequence'],
  ['/%C3%28', { status: 400 }, 'invalid UTF-8'],
  ['/%ED%A0%80', { status: 400 }, 'an encoded UTF-16 surrogate is not UTF-8'],
  ['/%FF', { status: 400 }, 'a byte that never occurs in UTF-8'],
  ['*', { status: 400 }, 'asterisk-form is not a path'],
  ['a.txt', { status: 400 }, 'no leading slash'],
  ['http:/a.txt', { status: 400 }, 'a scheme without an authority'],
  [`/${'a'.repeat(MAX_TARGET_LENGTH)}`, { status: 414 }, 'a target over 8 KiB'],
  [
    `/${'a'.repeat(MAX_TARGET_LENGTH - 1)}`,
    path(['a'.repeat(MAX_TARGET_LENGTH - 1)], false),
    'exactly 8 KiB',
  ],
];

for (const [target, want, why] of CASES) {
  const shown = target.length > 60 ? `${target.slice(0, 20)}... (${target.length} chars)` : target;
  const outcome = 'status' in want ? String(want.status) : `/${want.segments.join('/')}`;
  test(`parseRequestPath(${JSON.stringify(shown)}) gives ${outcome}: ${why}`, () => {
    if ('status' in want) {
      assert.throws(
        () => parseRequestPath(target),
        (error: unknown) => error instanceof HttpError && error.status === want.status,
      );
    } else {
      assert.deepEqual(parseRequestPath(target), want);
    }
  });
}

/**
 * On Windows a backslash separates folders, as the file system reads it (path.win32), raw or
 * encoded, and is not canonical; ':' would name a drive or a stream and is refused.
 */
const WIN32_CASES: readonly [target: string, want: Want, why: string][] = [
  ['/a/b/', path(['a', 'b'], true), 'a folder, as on POSIX'],
  ['/a\\b', path(['a', 'b'], false, moved), 'a raw backslash separates, like in browsers'],
  ['/a%5Cb', path(['a', 'b'], false, moved), 'an encoded backslash separates too'],
  ['/a%5c', path(['a'], true, moved), 'a trailing encoded backslash'],
  ['/\\evil.example', path(['evil.example'], false, moved), 'slash backslash'],
  ['/%5Cevil.example', path(['evil.example'], false, moved), 'encoded backslash'],
  ['/%5C%5Cevil.example/', path(['evil.example'], true, moved), 'two encoded backslashes'],
  ['/a\\..\\b', path(['b'], false, moved), 'a backslashed dot-dot inside the root'],
  ['/..%5Csecret', { status: 400 }, 'dot-dot with an encoded backslash climbs'],
  ['/a\\..\\..\\secret', { status: 400 }, 'raw backslashes climbing'],
  ['/c:/windows/win.ini', { status: 400 }, 'a drive letter'],
  ['/C%3A%5Cwindows', { status: 400 }, 'an encoded drive letter and backslash'],
  ['/a.txt:stream', { status: 400 }, 'an alternate data stream'],
];

for (const [target, want, why] of WIN32_CASES) {
  const outcome = 'status' in want ? String(want.status) : `/${want.segments.join('/')}`;
  test(`parseRequestPath(${JSON.stringify(target)}, 'win32') gives ${outcome}: ${why}`, () => {
    if ('status' in want) {
      assert.throws(
        () => parseRequestPath(target, 'win32'),
        (error: unknown) => error instanceof HttpError && error.status === want.status,
      );
    } else {
      assert.deepEqual(parseRequestPath(target, 'win32'), want);
    }
  });
}

test('the native platform is the one this process runs on', () => {
  assert.equal(NATIVE_PLATFORM, process.platform === 'win32' ? 'win32' : 'posix');
  assert.deepEqual(parseRequestPath('/a%5Cb'), parseRequestPath('/a%5Cb', NATIVE_PLATFORM));
});
