// test/config-rules.test.ts
// The pure half of config rules: the pattern matcher (serve's :param, *, **), destinations
// filled with parameters, and hostile parameters that must never turn a redirect into
// another host or scheme.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePattern } from '../src/config/pattern.js';
import {
  createHeaderRules,
  createRedirects,
  createRewrites,
  createUnlisted,
  redirectLocation,
} from '../src/config/rules.js';

/** source, path, expected parameters (undefined: no match). */
const matches: readonly (readonly [string, string, Record<string, string> | undefined])[] = [
  ['/', '/', {}],
  ['/', '/a', undefined],
  ['/from', '/from', {}],
  ['/from', '/from/', {}],
  ['/from', '/From', undefined],
  ['from', '/from', {}],
  ['/from/', '/from', {}],
  ['/old-docs/:id', '/old-docs/12', { id: '12' }],
  ['/old-docs/:id', '/old-docs', undefined],
  ['/old-docs/:id', '/old-docs/12/more', undefined],
  ['/projects/:id/edit', '/projects/123/edit', { id: '123' }],
  ['/blog/:year-:month', '/blog/2024-05', { year: '2024', month: '05' }],
  ['/edit-:id.html', '/edit-7.html', { id: '7' }],
  ['/p/*', '/p/x', {}],
  ['/p/*', '/p/x/y', undefined],
  ['/p/*', '/p', undefined],
  ['/p/*.js', '/p/app.js', {}],
  ['/p/*.js', '/p/app.css', undefined],
  ['app/**', '/app', {}],
  ['app/**', '/app/a/b/c', {}],
  ['app/**', '/application', undefined],
  ['/**', '/', {}],
  ['/**', '/any/depth/at/all', {}],
  ['/a/**/z', '/a/z', {}],
  ['/a/**/z', '/a/b/c/z', {}],
  ['/a/**/z', '/a/b/c/y', undefined],
  ['**/*.@(jpg|jpeg|png)', '/img/x.png', {}],
  ['**/*.@(jpg|jpeg|png)', '/x.jpeg', {}],
  ['**/*.@(jpg|jpeg|png)', '/x.gif', undefined],
  ['/*.{css,js}', '/site.css', {}],
  ['/*.{css,js}', '/site.html', undefined],
  ['/file?.txt', '/file1.txt', {}],
  ['/file?.txt', '/file10.txt', undefined],
  ['/a.b', '/aXb', undefined],
  ['/(x)', '/(x)', {}],
  ['/:name', '/with space', { name: 'with space' }],
];

for (const [source, path, expected] of matches) {
  test(`compilePattern(${JSON.stringify(source)}).match(${JSON.stringify(path)})`, () => {
    assert.deepEqual(compilePattern(source).match(path), expected);
  });
}

/** destination, params, query, Location. */
const locations: readonly (readonly [string, Record<string, string>, string, string])[] = [
  ['/new-docs/:id', { id: '12' }, '', '/new-docs/12'],
  ['/new-docs/:id', { id: '12' }, '?a=1', '/new-docs/12?a=1'],
  ['/search?q=:id', { id: 'x y' }, '?a=1', '/search?q=x%20y'],
  ['https://example.com/:id', { id: 'a' }, '', 'https://example.com/a'],
  ['https://example.com:8443/:id', { id: 'a' }, '', 'https://example.com:8443/a'],
  // Hostile values: a parameter adds text to one segment, never a segment, a host or a scheme.
  ['/:id', { id: '/evil.example' }, '', '/%2Fevil.example'],
  ['/:id', { id: '//evil.example' }, '', '/%2F%2Fevil.example'],
  ['/:id', { id: '\\evil.example' }, '', '/%5Cevil.example'],
  ['/:id', { id: 'javascript:alert(1)' }, '', '/javascript%3Aalert(1)'],
  ['/:id', { id: 'https://evil.example' }, '', '/https%3A%2F%2Fevil.example'],
  ['/:id', { id: '?x#y' }, '', '/%3Fx%23y'],
  ['/:id', { id: '%2F' }, '', '/%252F'],
  ['/:id', { id: '\r\nSet-Cookie: a=b' }, '', '/%0D%0ASet-Cookie%3A%20a%3Db'],
  ['https://example.com/:id', { id: '@evil.example' }, '', 'https://example.com/%40evil.example'],
];

for (const [destination, params, query, location] of locations) {
  test(`redirectLocation(${JSON.stringify(destination)}, ${JSON.stringify(params)}) is ${location}`, () => {
    const got = redirectLocation(destination, params, query);
    assert.equal(got, location);
    if (destination.startsWith('/')) {
      assert.match(got, /^\/(?![/\\])/);
      assert.equal(new URL(got, 'http://host.test').host, 'host.test');
    } else {
      assert.equal(new URL(got).origin, new URL(destination.replace(/:id/g, 'x')).origin);
    }
  });
}

test('createRedirects() picks the first matching rule and defaults to 301', () => {
  const find = createRedirects([
    { source: '/old/:slug', destination: '/blog/:slug', type: 308 },
    { source: '/old/**', destination: '/blog' },
    { source: '/moved', destination: 'elsewhere' },
  ]);
  assert.deepEqual(find('/old/hello', ''), { status: 308, location: '/blog/hello' });
  assert.deepEqual(find('/old/a/b', '?q'), { status: 301, location: '/blog?q' });
  assert.deepEqual(find('/moved', ''), { status: 301, location: '/elsewhere' });
  assert.equal(find('/new', ''), undefined);
});

test('createRewrites() fills parameters percent-encoded, for parseRequestPath to decode', () => {
  const find = createRewrites([
    { source: '/projects/:id/edit', destination: '/edit-project-:id.html' },
    { source: 'app/**', destination: 'index.html' },
  ]);
  assert.equal(find('/projects/12/edit'), '/edit-project-12.html');
  assert.equal(find('/projects/a b%/edit'), '/edit-project-a%20b%25.html');
  assert.equal(find('/app/x'), '/index.html');
  assert.equal(find('/other'), undefined);
});

test('createHeaderRules() merges every matching rule, later ones winning, with a key per combination', () => {
  const find = createHeaderRules([
    { source: '**/*.js', headers: [{ key: 'Cache-Control', value: 'max-age=60' }] },
    {
      source: '/vendor/**',
      headers: [
        { key: 'Cache-Control', value: 'immutable' },
        { key: 'X-V', value: '1' },
      ],
    },
  ]);
  assert.deepEqual(find('/app.js'), { key: '0,', headers: { 'Cache-Control': 'max-age=60' } });
  assert.deepEqual(find('/vendor/lib.js'), {
    key: '0,1,',
    headers: { 'Cache-Control': 'immutable', 'X-V': '1' },
  });
  assert.equal(find('/index.html'), undefined);
});

test('createUnlisted() hides a name anywhere, a rooted path and everything below either', () => {
  const isUnlisted = createUnlisted(['.DS_Store', 'drafts', '/docs/private', '*.bak']);
  const cases: readonly (readonly [readonly string[], boolean])[] = [
    [['.DS_Store'], true],
    [['a', '.DS_Store'], true],
    [['drafts'], true],
    [['blog', 'drafts', 'post.html'], true],
    [['docs', 'private', 'x.txt'], true],
    [['private'], false],
    [['other', 'docs', 'private'], false],
    [['notes.bak'], true],
    [['notes.txt'], false],
    [[], false],
  ];
  for (const [segments, expected] of cases) assert.equal(isUnlisted(segments), expected, segments.join('/'));
});
