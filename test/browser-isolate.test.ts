// test/browser-isolate.test.ts
// In a real browser (Debian's Chromium): --isolate makes pages cross-origin isolated, --cors
// lets another origin read ranges after a preflight, compressed bodies decode to the file.
// Also --open: the URL it opens, and that without a display it prints a note and keeps serving.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { browserUrl, hasDisplay, openBrowser } from '../src/cli/open-browser.js';
import { browserSkipReason, CHROMIUM_ARGS, CHROMIUM_PATH } from './browser-helpers.js';
import { startServing } from './cli-helpers.js';
import { get, makeTree, serve } from './helpers.js';

const PAGE = `<!doctype html><meta charset="utf-8"><title>isolation</title>
<script src="/app.js"></script>`;
const APP_JS = `window.appLoaded = true;\n${'// padding so the file is compressed\n'.repeat(60)}`;
const DATA = 'abcdefghijklmnopqrstuvwxyz'.repeat(100);

describe('in Chromium', { skip: browserSkipReason() }, () => {
  let browser: Browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  });
  after(() => browser?.close());

  async function openPage(t: Parameters<typeof makeTree>[0], url: string) {
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    return page;
  }

  test('a page served with --isolate reports self.crossOriginIsolated === true', async (t) => {
    const root = await makeTree(t, { 'index.html': PAGE, 'app.js': APP_JS });
    const { port } = await serve(t, { root, isolate: true });
    const page = await openPage(t, `http://127.0.0.1:${port}/`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    // Our own script still loads under COEP: require-corp (it carries CORP: same-origin).
    assert.equal(await page.evaluate(() => (window as unknown as { appLoaded?: boolean }).appLoaded), true);
    assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'function');
  });

  test('a page served without --isolate reports self.crossOriginIsolated === false', async (t) => {
    const root = await makeTree(t, { 'index.html': PAGE, 'app.js': APP_JS });
    const { port } = await serve(t, { root });
    const page = await openPage(t, `http://127.0.0.1:${port}/`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  });

  test('an SPA route served with --isolate and --spa is cross-origin isolated too', async (t) => {
    const root = await makeTree(t, { 'index.html': PAGE, 'app.js': APP_JS });
    const { port } = await serve(t, { root, isolate: true, spa: true });
    const page = await openPage(t, `http://127.0.0.1:${port}/users/42`);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  });

  /** Loads a page from one server and fetches a range from another (a different origin). */
  async function crossOriginRange(t: Parameters<typeof makeTree>[0], cors: boolean): Promise<string> {
    const pageRoot = await makeTree(t, { 'index.html': '<!doctype html><title>page</title>' });
    const dataRoot = await makeTree(t, { 'data.txt': DATA });
    const pageServer = await serve(t, { root: pageRoot });
    const dataServer = await serve(t, { root: dataRoot, cors });
    const page = await openPage(t, `http://127.0.0.1:${pageServer.port}/`);
    return page.evaluate(async (url) => {
      try {
        // Range is not a CORS-safelisted header for `bytes=5-9`… plus If-None-Match: preflight.
        const res = await fetch(url, { headers: { Range: 'bytes=5-9', 'If-None-Match': '"x"' } });
        return `${res.status} ${res.headers.get('Content-Range')} ${await res.text()}`;
      } catch (error) {
        return `blocked: ${(error as Error).name}`;
      }
    }, `http://localhost:${dataServer.port}/data.txt`);
  }

  test('a cross-origin fetch with Range succeeds against --cors (preflight then 206)', async (t) => {
    assert.equal(await crossOriginRange(t, true), `206 bytes 5-9/${DATA.length} fghij`);
  });

  test('a cross-origin fetch with Range is blocked without --cors', async (t) => {
    assert.equal(await crossOriginRange(t, false), 'blocked: TypeError');
  });

  test('a compressed text file decodes in the browser to the file, character for character', async (t) => {
    const root = await makeTree(t, { 'index.html': PAGE, 'app.js': APP_JS, 'data.txt': DATA });
    const { port } = await serve(t, { root });
    const page = await openPage(t, `http://127.0.0.1:${port}/`);
    const [response, fetched] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/data.txt')),
      page.evaluate(async () => (await fetch('/data.txt')).text()),
    ]);
    assert.equal(fetched, DATA);
    const sent = await response.request().allHeaders();
    const got = await response.allHeaders();
    // Chromium advertises gzip (and br on some origins); we must have used one it offered.
    assert.match(got['content-encoding'] ?? '', /^(br|gzip)$/);
    assert.ok(sent['accept-encoding']?.includes(got['content-encoding'] ?? '?'), JSON.stringify(sent));
  });
});

for (const [path, want] of [
  [true, 'http://localhost:8000/'],
  ['/docs/', 'http://localhost:8000/docs/'],
  ['docs/intro', 'http://localhost:8000/docs/intro'],
  ['//evil.example/x', 'http://localhost:8000/evil.example/x'],
  ['http://evil.example/', 'http://localhost:8000/http://evil.example/'],
  ['a b?q=1#top', 'http://localhost:8000/a%20b?q=1#top'],
] as const) {
  test(`browserUrl(server, ${JSON.stringify(path)}) opens ${want}`, () => {
    assert.equal(browserUrl('http://localhost:8000/', path), want);
  });
}

for (const [env, platform, want] of [
  [{}, 'linux', false],
  [{ DISPLAY: ':0' }, 'linux', true],
  [{ WAYLAND_DISPLAY: 'wayland-0' }, 'linux', true],
  [{ DISPLAY: '' }, 'linux', false],
  [{ WSL_DISTRO_NAME: 'Ubuntu' }, 'linux', true],
  [{}, 'darwin', true],
  [{}, 'win32', true],
  [{}, 'freebsd', false],
] as const) {
  test(`hasDisplay(${JSON.stringify(env)}, ${platform}) is ${want}`, () => {
    assert.equal(hasDisplay(env, platform), want);
  });
}

test('openBrowser() on Linux without a display skips with a note naming the URL', async () => {
  const outcome = await openBrowser('http://localhost:8000/', {}, 'linux');
  assert.deepEqual(outcome, {
    kind: 'skipped',
    url: 'http://localhost:8000/',
    note: 'no display to open a browser on; visit http://localhost:8000/ yourself',
  });
});

test('serve-here --open without a display prints a note and keeps serving', {
  skip: process.platform === 'linux' ? false : 'needs Linux, where a missing DISPLAY means no browser',
}, async (t) => {
  const root = await makeTree(t, { 'hello.txt': 'still here\n' });
  const env = { DISPLAY: '', WAYLAND_DISPLAY: '', WSL_DISTRO_NAME: undefined, WSL_INTEROP: undefined };
  const { cli, port } = await startServing(t, [root, '--port', '0', '--open', 'hello.txt'], { env });
  const note = await cli.waitFor(/no display to open a browser on; visit (\S+) yourself/);
  assert.equal(note[1], `http://localhost:${port}/hello.txt`);
  const reply = await get(port, '/hello.txt');
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'still here\n');
  assert.equal(cli.child.exitCode, null);
});
