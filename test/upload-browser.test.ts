// test/upload-browser.test.ts
// The upload controls of the listing page in Chromium: two picked files both progress to
// done and then appear in the listing; "New folder" makes a folder; a refused name shows the
// server's reason; the page's CSP lets its own script post and nothing else runs foul of it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from './browser-helpers.js';
import { makeTree, serve } from './helpers.js';

let browser: Browser;

async function open(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // The refused-name test expects its 400 in the console; everything else is a problem.
    if (message.type() === 'error' && !/status of 400/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

describe('the upload controls in Chromium', { skip: browserSkipReason() }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser.close());

  test('two picked files both progress to done and then appear in the listing', async (t) => {
    const files = await makeTree(t, { 'one & <b>.txt': 'first file', 'two.bin': Buffer.alloc(3_000_000, 7) });
    const root = await makeTree(t, { 'sub/existing.txt': 'x' });
    const server = await serve(t, { root, upload: true });
    const { page, problems } = await open(`${server.url}sub/`);
    // When both are done the page reloads to list them; the rows' outcomes are kept across it.
    const reloaded = page.waitForEvent('load');
    await page.setInputFiles('#upl-files', [join(files, 'one & <b>.txt'), join(files, 'two.bin')]);
    await reloaded;
    const rows = await page.$$eval('#upl-list li', (items) =>
      items.map((item) => [
        item.querySelector('.upl-name')?.textContent,
        item.querySelector('.upl-note')?.textContent,
        (item.querySelector('progress') as HTMLProgressElement).value,
      ]),
    );
    assert.deepEqual(rows, [
      ['one & <b>.txt', 'done', 100],
      ['two.bin', 'done', 100],
    ]);
    const names = await page.$$eval('tbody tr.e td.n span', (spans) => spans.map((s) => s.textContent));
    assert.deepEqual(names, ['existing.txt', 'one & <b>.txt', 'two.bin']);
    assert.equal(await readFile(join(root, 'sub', 'one & <b>.txt'), 'utf8'), 'first file');
    assert.deepEqual(await readFile(join(root, 'sub', 'two.bin')), Buffer.alloc(3_000_000, 7));
    assert.deepEqual(problems, []);
  });

  test('New folder makes a folder from the keyboard, and a refused name shows why', async (t) => {
    const root = await makeTree(t, { 'a.txt': 'a' });
    const server = await serve(t, { root, upload: true });
    const { page, problems } = await open(server.url);
    await page.focus('input[name=mkdir]');
    await page.keyboard.type('made by keyboard');
    await page.keyboard.press('Enter');
    await page.waitForSelector('tbody a[href="made%20by%20keyboard/"]');
    await page.fill('input[name=mkdir]', 'CON');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#upl-list li.no');
    const note = await page.textContent('#upl-list li.no .upl-note');
    assert.match(note ?? '', /reserved for a device on Windows/);
    assert.deepEqual(problems, []);
  });

  test('a file over --max-upload is refused in the page before it is sent', async (t) => {
    const files = await makeTree(t, { 'big.bin': Buffer.alloc(2000) });
    const root = await makeTree(t, {});
    const server = await serve(t, { root, upload: true, maxUpload: 1000 });
    const { page, problems } = await open(server.url);
    await page.setInputFiles('#upl-files', [join(files, 'big.bin')]);
    await page.waitForSelector('#upl-list li.no');
    assert.match(
      (await page.textContent('#upl-list li.no .upl-note')) ?? '',
      /larger than the server's limit \(1\.0 KB\)/,
    );
    assert.deepEqual(problems, []);
  });
});
