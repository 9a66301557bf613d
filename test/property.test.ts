// test/property.test.ts
// Property-based tests (fast-check) of the resolver's choke point: whatever the request path,
// the result is a set of clean segments inside the root or a 4xx refusal, and end to end no
// path ever reaches a file beside the root or makes the server fail.
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { HttpError } from '../src/http/errors.js';
import { parseRequestPath } from '../src/serve/request-path.js';
import { makeTree, rawRequest, serve } from './helpers.js';

/** Pieces that hostile paths are made of: traversal, encodings, separators, NUL, dotfiles. */
const PIECES = [
  '/',
  '//',
  '.',
  '..',
  '...',
  '%2e',
  '%2E',
  '%2e%2e',
  '.%2e',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '\\',
  '%00',
  '%',
  '%zz',
  '%c0%ae',
  '%e2%80%ae',
  '?',
  '#',
  ';',
  'a',
  'dir',
  'index.html',
  'secret.txt',
  '.env',
  '.hidden',
  'link',
  'root',
  '~',
  ' ',
  '%20',
  'é',
  '%C3%A9',
  '%ff',
  ':',
  'C:',
  '*',
];

const hostilePath = fc
  .array(fc.constantFrom(...PIECES), { maxLength: 14 })
  .map((parts) => `/${parts.join('')}`);

/** Any string at all, and any bytes read the way Node reads a request line (latin1). */
const anyTarget = fc.oneof(
  hostilePath,
  fc.string({ maxLength: 60 }).map((s) => `/${s}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

/** A served root on each platform, and the path module that knows its rules. */
const PLATFORMS = [
  { platform: 'posix', root: '/srv/root', path: posix },
  { platform: 'win32', root: 'C:\\srv\\root', path: win32 },
] as const;

/**
 * The segments of `target` on `platform` are clean: each one is a single name by that platform's
 * path module (no separator, '', '.', '..', or on Windows a drive or stream ':'), so the
 * resolver's plain concatenation `root + sep + segments.join(sep)` is the path `path.join`
 * gives, and it lies inside the root. Or the target is refused with a 4xx.
 */
function assertCleanOrRefused(target: string, { platform, root, path }: (typeof PLATFORMS)[number]): void {
  let segments: readonly string[];
  try {
    segments = parseRequestPath(target, platform).segments;
  } catch (error) {
    assert.ok(error instanceof HttpError, `threw ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500, `status ${error.status}`);
    return;
  }
  for (const segment of segments) {
    assert.notEqual(segment, '');
    assert.notEqual(segment, '.');
    assert.notEqual(segment, '..');
    assert.ok(!segment.includes('/') && !segment.includes('\0'), `segment ${JSON.stringify(segment)}`);
    assert.equal(
      path.basename(segment),
      segment,
      `${platform} reads ${JSON.stringify(segment)} as more than a name`,
    );
    if (platform === 'win32') assert.ok(!/[\\:]/.test(segment), `segment ${JSON.stringify(segment)}`);
  }
  if (segments.length === 0) return;
  const concatenated = root + path.sep + segments.join(path.sep);
  assert.equal(path.join(root, ...segments), concatenated, 'normalising changes the path');
  const rel = path.relative(root, concatenated);
  assert.ok(
    rel !== '' && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..',
    `${concatenated} left the root`,
  );
}

for (const rules of PLATFORMS) {
  test(`parseRequestPath(…, '${rules.platform}') returns names path.${rules.platform} keeps inside the root, or a 4xx`, () => {
    fc.assert(
      fc.property(anyTarget, (target) => assertCleanOrRefused(target, rules)),
      { numRuns: 3_000 },
    );
  });

  test(`parseRequestPath(…, '${rules.platform}') never lets .. climb out, whatever it is encoded as`, () => {
    const climb = fc
      .array(fc.constantFrom('..', '%2e%2e', '.%2e', '%2E.', '..%2f', '..%5c', '..\\'), {
        minLength: 1,
        maxLength: 6,
      })
      .map((ups) => `/${ups.join('/')}/secret.txt`);
    fc.assert(
      fc.property(climb, (target) => {
        let segments: readonly string[] = [];
        try {
          segments = parseRequestPath(target, rules.platform).segments;
        } catch (error) {
          assert.ok(error instanceof HttpError && error.status === 400);
          return;
        }
        // Anything that survives names a file inside the root: no climbing segment is left.
        assert.ok(segments.every((s) => s !== '..'));
        const joined = rules.path.join(rules.root, ...segments);
        assert.ok(joined.startsWith(rules.root + rules.path.sep), `${target} → ${joined}`);
      }),
      { numRuns: 500 },
    );
  });
}

const SECRET = 'TOP-SECRET-7f3a9c';

test('GET of arbitrary raw paths never returns the file beside the root, and never a 5xx', {
  timeout: 60_000,
}, async (t) => {
  const base = await makeTree(t, {
    'secret.txt': SECRET,
    'root/index.html': '<h1>home</h1>',
    'root/a': 'plain a',
    'root/dir/index.html': 'dir index',
    'root/.env': `ENV=${SECRET}`,
    'root/link': { symlink: '../secret.txt' },
    'root/dirlink': { symlink: '..' },
  });
  const { port } = await serve(t, { root: `${base}/root` });
  // Characters a request line can't carry are not paths this test is about; percent-encode them.
  const sendable = (path: string): string =>
    path.replace(/[\0-\x20\x7f-\u{10ffff}]/gu, (ch) => encodeURIComponent(ch));
  const arbitrary = fc.oneof(
    hostilePath,
    hostilePath.map((p) => `/dirlink${p}`),
    fc.string({ maxLength: 40 }).map((s) => `/${s}`),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => `/${s}`),
  );
  await fc.assert(
    fc.asyncProperty(arbitrary, async (path) => {
      const target = sendable(path);
      const reply = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
      assert.ok(status >= 200 && status < 500, `${target} → ${status}`);
      assert.ok(!reply.includes(SECRET), `${target} leaked the secret`);
    }),
    { numRuns: 300 },
  );
});
