// test/upload-rules.test.ts
// The pure decisions of --upload, as tables: names, sizes, origins and overwrite preconditions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideWrite } from '../src/upload/conditions.js';
import { checkName } from '../src/upload/names.js';
import { isSameOrigin } from '../src/upload/origin.js';
import { parseSize } from '../src/upload/size.js';

const refused: readonly [name: string, reason: RegExp][] = [
  ['', /empty/],
  ['.', /not a name/],
  ['..', /not a name/],
  ['a/b', /\/ or \\/],
  ['/', /\/ or \\/],
  ['a\\b', /\/ or \\/],
  ['..\\x', /\/ or \\/],
  ['a\0b', /NUL/],
  ['a\nb', /control/],
  ['a\rb', /control/],
  ['tab\there', /control/],
  ['bell\u0007', /control/],
  ['del\u007f', /control/],
  ['c1\u0085', /control/],
  ['.env', /dot/],
  ['.serve-here-upload-x', /dot/],
  ['CON', /reserved/],
  ['con.txt', /reserved/],
  ['Nul.tar.gz', /reserved/],
  ['PRN', /reserved/],
  ['aux.c', /reserved/],
  ['COM1', /reserved/],
  ['com9.log', /reserved/],
  ['LPT1', /reserved/],
  ['lpt5.txt', /reserved/],
  ['COM¹', /reserved/],
  ['CON .txt', /reserved/],
  ['name.', /dot or a space/],
  ['name ', /dot or a space/],
  ['CON.', /dot or a space/],
  ['a'.repeat(256), /255 bytes/],
  ['é'.repeat(128), /255 bytes/],
];

for (const [name, reason] of refused) {
  test(`checkName() refuses ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, () => {
    const check = checkName(name, false);
    assert.equal(check.ok, false);
    if (!check.ok) assert.match(check.reason, reason);
  });
}

const accepted = [
  'a.txt',
  'photo 2024.jpg',
  'über café.pdf',
  '日本語.txt',
  '😀.png',
  'a'.repeat(255),
  'é'.repeat(127),
  'CONFIG.txt',
  'COM10',
  'LPT',
  'nul-not.txt',
  'x.con',
  '#hash?.txt',
  "it's <b>&amp;.html",
  '%2e%2e',
  'x...y',
];
for (const name of accepted) {
  test(`checkName() accepts ${JSON.stringify(name.length > 40 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, () => {
    assert.deepEqual(checkName(name, false), { ok: true });
  });
}

test('checkName() accepts a dotfile name when dotfiles are on', () => {
  assert.deepEqual(checkName('.env', true), { ok: true });
  assert.equal(checkName('..', true).ok, false);
});

const sizes: readonly [string, number | undefined][] = [
  ['1', 1],
  ['1048576', 1048576],
  ['10K', 10 * 1024],
  ['10k', 10 * 1024],
  ['500M', 500 * 2 ** 20],
  ['500MB', 500 * 2 ** 20],
  ['500MiB', 500 * 2 ** 20],
  ['1G', 2 ** 30],
  ['1.5G', 1.5 * 2 ** 30],
  ['2T', 2 * 2 ** 40],
  [' 2G ', 2 * 2 ** 30],
  ['0', undefined],
  ['0.1', undefined],
  ['', undefined],
  ['G', undefined],
  ['-1G', undefined],
  ['1X', undefined],
  ['1 G B', undefined],
  ['1e9', undefined],
  ['99999999999T', undefined],
];
for (const [text, bytes] of sizes) {
  test(`parseSize(${JSON.stringify(text)}) is ${bytes}`, () => {
    assert.equal(parseSize(text), bytes);
  });
}

const origins: readonly [headers: Record<string, string>, same: boolean][] = [
  [{ host: 'localhost:8000' }, true],
  [{ host: 'localhost:8000', origin: 'http://localhost:8000' }, true],
  [{ host: 'LocalHost:8000', origin: 'http://localhost:8000' }, true],
  [{ host: 'example.com:80', origin: 'http://example.com' }, true],
  [{ host: 'localhost:8000', referer: 'http://localhost:8000/dir/?x' }, true],
  [{ host: 'localhost:8000', origin: 'http://evil.example' }, false],
  [{ host: 'localhost:8000', origin: 'http://localhost:8001' }, false],
  [{ host: 'localhost:8000', origin: 'https://localhost:8000' }, false],
  [{ host: 'localhost:8000', origin: 'null' }, false],
  [{ host: 'localhost:8000', origin: '' }, false],
  [{ host: 'localhost:8000', referer: 'http://evil.example/localhost:8000' }, false],
  [{ host: 'localhost:8000', referer: 'not a url' }, false],
  // Origin wins over Referer.
  [{ host: 'localhost:8000', origin: 'http://evil.example', referer: 'http://localhost:8000/' }, false],
  [{ origin: 'http://localhost:8000' }, false],
];
for (const [headers, same] of origins) {
  test(`isSameOrigin(${JSON.stringify(headers)}) is ${same}`, () => {
    assert.equal(isSameOrigin(headers, 'http'), same);
  });
}

test('isSameOrigin() compares the scheme the request came in on', () => {
  assert.equal(isSameOrigin({ host: 'h:1', origin: 'https://h:1' }, 'https'), true);
  assert.equal(isSameOrigin({ host: 'h:1', origin: 'http://h:1' }, 'https'), false);
});

const TAG = '"abc-3-x"';
const decisions: readonly [
  headers: Record<string, string>,
  existing: string | undefined,
  overwrite: boolean,
  kind: string,
][] = [
  [{}, undefined, false, 'store'],
  [{}, TAG, false, 'exists'],
  [{}, undefined, true, 'store'],
  [{}, TAG, true, 'store'],
  [{ 'if-match': TAG }, TAG, true, 'store'],
  [{ 'if-match': `"other", ${TAG}` }, TAG, true, 'store'],
  [{ 'if-match': '*' }, TAG, true, 'store'],
  [{ 'if-match': '"other"' }, TAG, true, 'precondition-failed'],
  [{ 'if-match': `W/${TAG}` }, TAG, true, 'precondition-failed'],
  [{ 'if-match': '*' }, undefined, true, 'precondition-failed'],
  [{ 'if-match': TAG }, undefined, false, 'precondition-failed'],
  [{ 'if-match': TAG }, TAG, false, 'exists'],
  [{ 'if-none-match': '*' }, TAG, true, 'precondition-failed'],
  [{ 'if-none-match': '*' }, undefined, true, 'store'],
  [{ 'if-none-match': `W/${TAG}` }, TAG, true, 'precondition-failed'],
  [{ 'if-none-match': '"other"' }, TAG, true, 'store'],
  [{ 'if-none-match': '*' }, TAG, false, 'exists'],
];
for (const [headers, existing, overwrite, kind] of decisions) {
  test(`decideWrite(${JSON.stringify(headers)}, ${existing ?? 'free'}, overwrite ${overwrite}) is ${kind}`, () => {
    const decision = decideWrite(headers, existing, overwrite);
    assert.equal(decision.kind, kind);
    if (decision.kind === 'store') assert.equal(decision.replace, existing !== undefined);
  });
}
