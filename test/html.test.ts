// test/html.test.ts
// Table tests for the URL encoding of names: whatever a name holds, the URL path written for it
// stays one path on this host (a browser reads '\' as '/' in http URLs, so it must be %5C).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePathSegment, encodeUrlPath } from '../src/http/html.js';

const SEGMENTS: readonly [name: string, encoded: string][] = [
  ['a.txt', 'a.txt'],
  ['a b', 'a%20b'],
  ['a\\b.txt', 'a%5Cb.txt'],
  ['\\evil.example', '%5Cevil.example'],
  ['..\\secret', '..%5Csecret'],
  ['a/b', 'a%2Fb'],
  ['?#%', '%3F%23%25'],
  ["it's (1)!*", 'it%27s%20%281%29%21%2A'],
  ['☃', '%E2%98%83'],
];

for (const [name, encoded] of SEGMENTS) {
  test(`encodePathSegment(${JSON.stringify(name)}) is ${encoded}`, () => {
    assert.equal(encodePathSegment(name), encoded);
    assert.equal(decodeURIComponent(encoded), name);
  });
}

const PATHS: readonly [segments: string[], trailingSlash: boolean, path: string][] = [
  [[], true, '/'],
  [['\\evil.example'], true, '/%5Cevil.example/'],
  [['\\\\evil.example'], true, '/%5C%5Cevil.example/'],
  [['\\', 'evil.example'], false, '/%5C/evil.example'],
  [['a', 'b c'], false, '/a/b%20c'],
];

for (const [segments, trailingSlash, path] of PATHS) {
  test(`encodeUrlPath(${JSON.stringify(segments)}) is ${path}, on this host for a browser`, () => {
    assert.equal(encodeUrlPath(segments, trailingSlash), path);
    const url = new URL(path, 'http://localhost:8000/x/y');
    assert.equal(url.host, 'localhost:8000');
    assert.equal(url.pathname, path);
  });
}
