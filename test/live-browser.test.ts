// test/live-browser.test.ts
// Live reload in a real browser (Debian's Chromium via playwright-core): an edited page
// reloads, an edited stylesheet is swapped without a reload, a burst of writes is one reload,
// a restarted server is found again, a listing reloads when its folder changes, many tabs
// share one stream, and a page's own strict CSP does not block the script.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from './browser-helpers.js';
import { startCli } from './cli-helpers.js';
import { makeTree, serve } from './helpers.js';

const CONNECTED = '[serve-here] live reload connected';

const page = (text: string): string =>
  `<!doctype html><html><head><title>t</title><link rel="stylesheet" href="/s.css"></head><body><p id="text">${text}</p></body></html>\n`;

let browser: Browser;

async function newContext(t: TestContext): Promise<BrowserContext> {
  const context = await browser.newContext();
  t.after(() => context.close());
  return context;
}

/** Opens `url` and resolves once its script reports an open events stream. */
async function openLive(context: BrowserContext, url: string, problems: string[] = []): Promise<Page> {
  const tab = await context.newPage();
  tab.on('console', (message) => {
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(message.text());
  });
  tab.on('pageerror', (error) => problems.push(error.message));
  const connected = tab.waitForEvent('console', { predicate: (m) => m.text() === CONNECTED });
  await tab.goto(url);
  await connected;
  return tab;
}

const marker = (tab: Page): Promise<unknown> =>
  tab.evaluate(() => (window as unknown as { marker?: number }).marker);
const setMarker = (tab: Page): Promise<void> =>
  tab.evaluate(() => {
    (window as unknown as { marker?: number }).marker = 1;
  });
const colourOf = (tab: Page): Promise<string> =>
  tab.evaluate(() => getComputedStyle(document.getElementById('text') as HTMLElement).color);

async function liveSite(t: TestContext, extra: Record<string, string> = {}) {
  const root = await makeTree(t, {
    'index.html': page('v1'),
    's.css': '#text{color:rgb(255, 0, 0)}\n',
    ...extra,
  });
  const server = await serve(t, { root, watch: true });
  assert.equal(await server.live?.ready, true);
  return { root, server, url: `http://127.0.0.1:${server.port}/` };
}

describe('live reload in Chromium', { skip: browserSkipReason() }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('rewriting the page reloads it: the marker is gone and the new text shows', async (t) => {
    const { root, url } = await liveSite(t);
    const tab = await openLive(await newContext(t), url);
    await setMarker(tab);
    const reloaded = tab.waitForEvent('load');
    await writeFile(join(root, 'index.html'), page('v2'));
    await reloaded;
    assert.equal(await marker(tab), undefined);
    assert.equal(await tab.textContent('#text'), 'v2');
  });

  test('changing a colour in the stylesheet swaps it in place: no reload', async (t) => {
    const { root, url } = await liveSite(t);
    const tab = await openLive(await newContext(t), url);
    assert.equal(await colourOf(tab), 'rgb(255, 0, 0)');
    await setMarker(tab);
    await writeFile(join(root, 's.css'), '#text{color:rgb(0, 0, 255)}\n');
    await tab.waitForFunction(
      () => getComputedStyle(document.getElementById('text') as HTMLElement).color === 'rgb(0, 0, 255)',
    );
    assert.equal(await marker(tab), 1);
    assert.equal(await tab.locator('link[rel=stylesheet]').count(), 1);
  });

  test('30 files written in a tight loop reload the page exactly once', async (t) => {
    const { root, url } = await liveSite(t);
    const tab = await openLive(await newContext(t), url);
    let loads = 0;
    tab.on('load', () => loads++);
    const reloaded = tab.waitForEvent('load');
    // The reloaded page's script reports its stream open before the stylesheet is written: a
    // change made while no stream is open reaches no page (a page that has loaded may not yet
    // be listening). The first page reported its own before this listener was added.
    const reconnected = tab.waitForEvent('console', { predicate: (m) => m.text() === CONNECTED });
    for (let i = 0; i < 30; i++) await writeFile(join(root, `gen-${i}.js`), `export default ${i};\n`);
    await reloaded;
    await reconnected;
    // A second reload from the burst would come before this stylesheet swap (events arrive in
    // order) and take the marker with it.
    await setMarker(tab);
    await writeFile(join(root, 's.css'), '#text{color:rgb(0, 128, 0)}\n');
    await tab.waitForFunction(
      () => getComputedStyle(document.getElementById('text') as HTMLElement).color === 'rgb(0, 128, 0)',
    );
    assert.equal(await marker(tab), 1);
    assert.equal(loads, 1);
  });

  test('a listing page reloads when its own folder changes', async (t) => {
    const { root, url } = await liveSite(t, { 'docs/a.txt': 'a' });
    const tab = await openLive(await newContext(t), `${url}docs/`);
    assert.equal(await tab.locator('tbody tr.e').count(), 1);
    const reloaded = tab.waitForEvent('load');
    await writeFile(join(root, 'docs', 'b.txt'), 'b');
    await reloaded;
    assert.equal(await tab.locator('tbody tr.e').count(), 2);
  });

  test('eight tabs share one stream, and all of them reload', async (t) => {
    const { root, url, server } = await liveSite(t);
    const context = await newContext(t);
    // More tabs than the six connections a browser opens to one HTTP/1.1 server.
    const tabs: Page[] = [];
    for (let i = 0; i < 8; i++) tabs.push(await openLive(context, url));
    assert.equal(server.live?.streams, 1);
    const reloads = tabs.map((tab) => tab.waitForEvent('load'));
    await writeFile(join(root, 'index.html'), page('all'));
    await Promise.all(reloads);
    for (const tab of tabs) assert.equal(await tab.textContent('#text'), 'all');
  });

  test("a page whose own CSP says script-src 'self' still gets live reload", async (t) => {
    const root = await makeTree(t, { 'index.html': page('csp'), 's.css': '' });
    const server = await serve(t, {
      root,
      watch: true,
      headers: { 'Content-Security-Policy': "default-src 'self'" },
    });
    assert.equal(await server.live?.ready, true);
    const problems: string[] = [];
    const tab = await openLive(await newContext(t), `http://127.0.0.1:${server.port}/`, problems);
    const reloaded = tab.waitForEvent('load');
    await writeFile(join(root, 'index.html'), page('csp 2'));
    await reloaded;
    assert.equal(await tab.textContent('#text'), 'csp 2');
    assert.deepEqual(problems, []);
  });

  test('after the server is stopped and started again, the page reconnects and reloads', async (t) => {
    const root = await makeTree(t, { 'index.html': page('before'), 's.css': '' });
    const port = await freePort();
    const args = [root, '--watch', '--quiet', '--port', String(port), '--host', '127.0.0.1'];
    const first = startCli(args);
    t.after(() => first.child.kill('SIGKILL'));
    await first.waitFor(/watching for changes/);
    const tab = await openLive(await newContext(t), `http://127.0.0.1:${port}/`);
    await setMarker(tab);
    const gone = tab.waitForEvent('console', { predicate: (m) => m.text().includes('server gone') });
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    await gone;
    await writeFile(join(root, 'index.html'), page('after'));
    const reloaded = tab.waitForEvent('load');
    const second = startCli(args);
    t.after(() => second.child.kill('SIGKILL'));
    await second.waitFor(/watching for changes/);
    await reloaded;
    assert.equal(await marker(tab), undefined);
    assert.equal(await tab.textContent('#text'), 'after');
  });
});

/** A port that was free a moment ago, for a server that must come back on the same one. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  probe.close();
  await once(probe, 'close');
  return typeof address === 'object' && address !== null ? address.port : 0;
}
