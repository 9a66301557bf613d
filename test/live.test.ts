// test/live.test.ts
// The live-reload module's pure decisions, as tables: where the script tag goes, which paths
// are ignored, what a burst of changes tells the pages, and the CSP and warning texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeChanges, isEditorTemporary, isIgnoredPath } from '../src/live/changes.js';
import { allowLiveScript, watchFailure } from '../src/live/index.js';
import { injectIntoLastChunk, injectScript, LIVE_SCRIPT_TAG } from '../src/live/inject.js';

const TAG = LIVE_SCRIPT_TAG;

const INJECTIONS: readonly (readonly [string, string])[] = [
  ['<html><body><p>x</p></body></html>', `<html><body><p>x</p>${TAG}</body></html>`],
  ['<BODY>x</BODY >\n', `<BODY>x${TAG}</BODY >\n`],
  // The last </body> wins: one inside a script string comes earlier.
  ['<body><script>"</body>"</script></body>', `<body><script>"</body>"</script>${TAG}</body>`],
  ['<html><p>no body end</p></html>', `<html><p>no body end</p>${TAG}</html>`],
  ['<p>fragment', `<p>fragment${TAG}`],
  ['', TAG],
  ['<body>é ü 日本</body>', `<body>é ü 日本${TAG}</body>`],
];

for (const [page, expected] of INJECTIONS) {
  test(`injectScript(${JSON.stringify(page)}) puts the tag in the right place`, () => {
    assert.equal(injectScript(Buffer.from(page, 'utf8')).toString('utf8'), expected);
  });
}

test('injectScript() leaves a UTF-16 page alone (spliced ASCII would be garbage)', () => {
  const page = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<body></body>', 'utf16le')]);
  assert.deepEqual(injectScript(page), page);
});

test('injectIntoLastChunk() changes only the last piece', () => {
  const pieces = [...injectIntoLastChunk(['<html><body>', '<p>rows</p>', '</body></html>'])];
  assert.deepEqual(pieces, ['<html><body>', '<p>rows</p>', `${TAG}</body></html>`]);
});

const IGNORED: readonly (readonly [string, boolean, boolean])[] = [
  ['index.html', false, false],
  ['a/b/c.css', false, false],
  ['.env', false, true],
  ['.env', true, false],
  ['a/.hidden/x.html', false, true],
  ['.well-known/x.txt', false, false],
  ['a/.well-known/x.txt', false, true],
  ['.git/index', true, true],
  ['node_modules/x/index.js', false, true],
  ['a/node_modules/x.js', true, true],
];

for (const [path, dotfiles, expected] of IGNORED) {
  test(`isIgnoredPath(${path}, dotfiles ${dotfiles}) is ${expected}`, () => {
    assert.equal(isIgnoredPath(path.split('/'), dotfiles), expected);
  });
}

for (const [name, expected] of [
  ['4913', true],
  ['style.css~', true],
  ['style.css___jb_tmp___', true],
  ['x.swp', true],
  ['style.css', false],
  ['index.html', false],
] as const) {
  test(`isEditorTemporary(${name}) is ${expected}`, () => assert.equal(isEditorTemporary(name), expected));
}

test('describeChanges() marks a stylesheet-only burst as css, with the paths and folders', () => {
  assert.deepEqual(
    describeChanges([
      { path: 'css/site.css', kind: 'content' },
      { path: 'css/site.css~', kind: 'entries' },
      { path: '4913', kind: 'entries' },
    ]),
    { css: true, paths: ['/css/site.css'], folders: ['/css/'] },
  );
});

test('describeChanges() asks for a reload when anything but CSS changed', () => {
  assert.deepEqual(
    describeChanges([
      { path: 'a.css', kind: 'content' },
      { path: 'sub/new.html', kind: 'entries' },
    ]),
    { css: false, paths: ['/a.css', '/sub/new.html'], folders: ['/', '/sub/'] },
  );
});

test('describeChanges() says "many" (null) beyond 100 names', () => {
  const changes = Array.from({ length: 150 }, (_, i) => ({ path: `d${i}/f.js`, kind: 'entries' as const }));
  const message = describeChanges(changes);
  assert.equal(message?.paths, null);
  assert.equal(message?.folders, null);
  assert.equal(message?.css, false);
});

test('describeChanges() is undefined when only editor temporaries changed', () => {
  assert.equal(describeChanges([{ path: 'a/4913', kind: 'entries' }]), undefined);
});

const CSPS: readonly (readonly [string, string])[] = [
  [
    "default-src 'none'; script-src 'sha256-x'",
    "default-src 'none'; script-src 'sha256-x' 'self'; connect-src 'self'",
  ],
  ["script-src 'self'; connect-src 'self'", "script-src 'self'; connect-src 'self'"],
  ['img-src data:', "img-src data:; script-src 'self'; connect-src 'self'"],
];

for (const [csp, expected] of CSPS) {
  test(`allowLiveScript(${JSON.stringify(csp)})`, () => assert.equal(allowLiveScript(csp), expected));
}

test('watchFailure() says what to do, in one line, for each refusal', () => {
  for (const code of ['ENOSPC', 'EMFILE', 'ENFILE', 'EIO']) {
    const line = watchFailure(Object.assign(new Error('x'), { code }), process.cwd());
    assert.match(line, /^warning: live reload is off: /);
    assert.doesNotMatch(line, /\n/);
  }
  assert.match(watchFailure(Object.assign(new Error('x'), { code: 'ENOSPC' }), '/'), /max_user_watches/);
  assert.match(watchFailure(Object.assign(new Error('x'), { code: 'EMFILE' }), '/'), /ulimit -n/);
});
