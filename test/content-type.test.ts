// test/content-type.test.ts
// The built-in table of common types must say what mime-types says, and odd extensions
// (names of Object's own properties) must not reach anything but the real lookup.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { COMMON_TYPES, contentTypeFor } from '../src/serve/content-type.js';

const mime = createRequire(import.meta.url)('mime-types') as { lookup(ext: string): string | false };

for (const [extension, type] of Object.entries(COMMON_TYPES)) {
  test(`COMMON_TYPES.${extension} is ${type}, as in mime-types`, () => {
    assert.equal(type, mime.lookup(extension));
  });
}

const cases: ReadonlyArray<[string, string]> = [
  ['a.constructor', 'application/octet-stream'],
  ['a.__proto__', 'application/octet-stream'],
  ['a.hasownproperty', 'application/octet-stream'],
  ['index.html', 'text/html; charset=utf-8'],
  ['photo.JPG', 'image/jpeg'],
  ['data.csv', 'text/csv; charset=utf-8'],
  ['module.cjs', 'text/javascript; charset=utf-8'],
];

for (const [name, type] of cases) {
  test(`contentTypeFor(${JSON.stringify(name)}) is ${type}`, () => {
    assert.equal(contentTypeFor(name), type);
  });
}
