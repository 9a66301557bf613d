// test/zip-browser.test.ts
// The listing's "Download as zip" link in Chromium: reached with Tab, started with Enter, in
// light and dark mode, and the download is the folder's zip under the folder's name.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { browserSkipReason, launchChromium } from './browser-helpers.js';
import { makeTree, serve } from './helpers.js';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the zip link works from the keyboard (${colorScheme} mode)`, {
    skip: browserSkipReason(),
  }, async (t) => {
    const root = await makeTree(t, { 'photos/a.txt': 'a', 'photos/b.txt': 'b' });
    const server = await serve(t, { root, zip: true });
    const browser = await launchChromium(t);
    const page = await browser.newPage({ colorScheme, acceptDownloads: true });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${server.url}photos/`);
    // Tab until the link has focus: it is an ordinary link in the page's tab order.
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'zip'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.className ?? '');
    }
    assert.equal(focused, 'zip');
    const link = page.locator('a.zip');
    assert.equal(await link.textContent(), 'Download as zip');
    // Readable in either theme: its text colour differs from its background.
    const colors = await link.evaluate((el) => {
      const style = getComputedStyle(el);
      return [style.color, style.backgroundColor];
    });
    assert.notEqual(colors[0], colors[1]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), 'photos.zip');
    const saved = await download.path();
    const bytes = await readFile(saved);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04');
    assert.deepEqual(problems, []);
  });
}
