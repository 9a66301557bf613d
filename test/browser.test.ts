// test/browser.test.ts
// The listing page in a real browser (Debian's Chromium via playwright-core): every link in a
// folder of hostile names opens the right file, the sort links and the filter work, the CSP
// lets the page's own style and script run, and screenshots in light and dark mode.
// UPDATE_SCREENSHOTS=1 also writes docs/listing-light.png and docs/listing-dark.png.
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm, truncate, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { browserSkipReason, launchChromium } from './browser-helpers.js';
import { makeTree, serve } from './helpers.js';

const HOSTILE_NAMES = [
  'with space.txt',
  'hash#tag.txt',
  'question?mark.txt',
  '100%.txt',
  '%41%2F.txt',
  'a&b=c.txt',
  `"double" 'single'.txt`,
  '<script>alert(1)<script>.txt',
  '<img src=x onerror=alert(2)>.txt',
  'new\nline.txt',
  '😀 emoji.txt',
  '日本語のファイル.txt',
  'plus+semi;colon,comma.txt',
];
const HOSTILE_FOLDER = 'folder #1 & <b>?';

const contentOf = (name: string): string => `content of ${JSON.stringify(name)}`;

interface Opened {
  readonly page: Page;
  /** Console errors and CSP violations seen so far; each test asserts it stays empty. */
  readonly problems: string[];
}

let browser: Browser;

async function open(t: TestContext, url: string, options: BrowserContextOptions = {}): Promise<Opened> {
  const context = await browser.newContext(options);
  t.after(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Opening a plain-text file makes the browser ask for /favicon.ico, which is not there.
    if (message.location().url.endsWith('/favicon.ico')) return;
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
}

/** The names shown in the table's entry rows that are not hidden by the filter, in order. */
function visibleNames(page: Page): Promise<string[]> {
  return page.$$eval('tbody tr.e:not([hidden]) td.n span', (spans) => spans.map((s) => s.textContent ?? ''));
}

describe('the listing page in Chromium', { skip: browserSkipReason() }, () => {
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('every link in a folder of hostile names shows the name as is and opens that file', async (t) => {
    const spec: Record<string, string> = {};
    for (const name of HOSTILE_NAMES) spec[name] = contentOf(name);
    spec[`${HOSTILE_FOLDER}/inside.txt`] = 'inside';
    const root = await makeTree(t, spec);
    const server = await serve(t, { root });
    const { page, problems } = await open(t, server.url);

    const shown = await visibleNames(page);
    assert.deepEqual([...shown].sort(), [`${HOSTILE_FOLDER}/`, ...HOSTILE_NAMES].sort());
    for (const name of HOSTILE_NAMES) {
      await page.goto(server.url);
      const index = (await visibleNames(page)).indexOf(name);
      assert.notEqual(index, -1, `${JSON.stringify(name)} is listed`);
      await Promise.all([
        page.waitForURL((url) => url.href !== server.url),
        page.locator('tbody tr.e td.n a').nth(index).click(),
      ]);
      assert.equal(decodeURIComponent(new URL(page.url()).pathname), `/${name}`);
      assert.equal(((await page.locator('body').textContent()) ?? '').trim(), contentOf(name), name);
    }

    await page.goto(server.url);
    const folderIndex = (await visibleNames(page)).indexOf(`${HOSTILE_FOLDER}/`);
    await Promise.all([
      page.waitForURL((url) => url.href !== server.url),
      page.locator('tbody tr.e td.n a').nth(folderIndex).click(),
    ]);
    assert.equal(await page.locator('h1').textContent(), `Index of /${HOSTILE_FOLDER}/`);
    assert.deepEqual(await visibleNames(page), ['inside.txt']);
    await Promise.all([page.waitForURL(server.url), page.locator('tr.up a').click()]);
    assert.deepEqual(problems, []);
  });

  test('the column headers sort by size and date both ways and set aria-sort', async (t) => {
    const root = await makeTree(t, { 'dir/': '', small: 'x', mid: 'x'.repeat(10), big: 'x'.repeat(100) });
    for (const [name, seconds] of [
      ['small', 2000],
      ['mid', 1000],
      ['big', 3000],
    ] as const) {
      await utimes(join(root, name), seconds, seconds);
    }
    const server = await serve(t, { root });
    const { page, problems } = await open(t, server.url);
    const ariaSort = (column: string): Promise<string | null> =>
      page.locator(`th.${column}`).getAttribute('aria-sort');

    assert.equal(await ariaSort('n'), 'ascending');
    assert.deepEqual(await visibleNames(page), ['dir/', 'big', 'mid', 'small']);

    const steps: readonly [string, string, string, string[]][] = [
      ['s', '?sort=size&order=desc', 'descending', ['dir/', 'big', 'mid', 'small']],
      ['s', '?sort=size&order=asc', 'ascending', ['dir/', 'small', 'mid', 'big']],
      ['d', '?sort=date&order=desc', 'descending', ['dir/', 'big', 'small', 'mid']],
      ['d', '?sort=date&order=asc', 'ascending', ['dir/', 'mid', 'small', 'big']],
      ['n', '?sort=name&order=asc', 'ascending', ['dir/', 'big', 'mid', 'small']],
      ['n', '?sort=name&order=desc', 'descending', ['dir/', 'small', 'mid', 'big']],
    ];
    for (const [column, search, sort, names] of steps) {
      await Promise.all([page.waitForURL(`${server.url}${search}`), page.locator(`th.${column} a`).click()]);
      assert.equal(await ariaSort(column), sort, search);
      for (const other of ['n', 's', 'd'].filter((c) => c !== column)) {
        assert.equal(await ariaSort(other), null);
      }
      assert.deepEqual(await visibleNames(page), names, search);
    }
    assert.deepEqual(problems, []);
  });

  test('the filter narrows rows as you type, says when nothing matches, and Escape clears it', async (t) => {
    const root = await makeTree(t, {
      'Report 2024.pdf': '',
      'report-draft.txt': '',
      'photos/': '',
      'Été.txt': '',
      'notes.md': '',
    });
    const server = await serve(t, { root });
    const { page, problems } = await open(t, server.url);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'filter');

    await page.keyboard.type('REP');
    assert.deepEqual(await visibleNames(page), ['Report 2024.pdf', 'report-draft.txt']);
    assert.equal(await page.locator('#status').textContent(), '2 of 5');
    assert.equal(await page.locator('#none').isVisible(), false);

    await page.locator('#filter').fill('ete');
    assert.deepEqual(await visibleNames(page), ['Été.txt'], 'accents are ignored');

    await page.locator('#filter').fill('zzz');
    assert.deepEqual(await visibleNames(page), []);
    assert.equal(await page.locator('#none').isVisible(), true);
    assert.match((await page.locator('#none').textContent()) ?? '', /zzz/);

    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#filter').inputValue(), '');
    assert.equal((await visibleNames(page)).length, 5);
    assert.deepEqual(problems, []);
  });

  test('arrow keys move between rows and Enter opens the focused one', async (t) => {
    const root = await makeTree(t, { 'sub/a.txt': 'A', 'sub/b.txt': 'B' });
    const server = await serve(t, { root });
    const { page, problems } = await open(t, `${server.url}sub/`);
    const focusedText = (): Promise<string> => page.evaluate(() => document.activeElement?.textContent ?? '');

    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedText(), 'Parent folder');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedText(), 'b.txt');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedText(), 'a.txt');
    await Promise.all([page.waitForURL(`${server.url}sub/a.txt`), page.keyboard.press('Enter')]);
    assert.equal(((await page.locator('body').textContent()) ?? '').trim(), 'A');

    // Enter in the filter opens the first match.
    await page.goto(`${server.url}sub/`);
    await page.keyboard.press('/');
    await page.keyboard.type('b.t');
    await Promise.all([page.waitForURL(`${server.url}sub/b.txt`), page.keyboard.press('Enter')]);
    assert.deepEqual(problems, []);
  });

  test('the page renders in light and dark, on a desktop and a phone', async (t) => {
    const root = await makeDemoTree(t);
    const server = await serve(t, { root });
    const url = `${server.url}projects/website/`;
    const shots = await mkdtemp(join(tmpdir(), 'serve-here-shots-'));
    t.after(() => rm(shots, { recursive: true, force: true }));
    const variants = [
      { name: 'listing-light', colorScheme: 'light', viewport: { width: 1200, height: 800 } },
      { name: 'listing-dark', colorScheme: 'dark', viewport: { width: 1200, height: 800 } },
      { name: 'listing-phone', colorScheme: 'light', viewport: { width: 390, height: 844 } },
      { name: 'listing-phone-dark', colorScheme: 'dark', viewport: { width: 390, height: 844 } },
    ] as const;
    for (const variant of variants) {
      const { page, problems } = await open(t, url, {
        colorScheme: variant.colorScheme,
        viewport: variant.viewport,
        deviceScaleFactor: 1,
      });
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const [r = 0] = (background.match(/\d+/g) ?? []).map(Number);
      assert.ok(
        variant.colorScheme === 'dark' ? r < 60 : r > 200,
        `${variant.name} background ${background}`,
      );
      const dateShown = await page.locator('th.d').isVisible();
      assert.equal(dateShown, variant.viewport.width > 640, `${variant.name} date column`);
      assert.equal(await page.locator('.filter').isVisible(), true, 'the script ran under the CSP');
      const path = join(shots, `${variant.name}.png`);
      await page.screenshot({ path });
      if (process.env.UPDATE_SCREENSHOTS && !variant.name.includes('phone')) {
        await copyFile(path, new URL(`../../docs/${variant.name}.png`, import.meta.url));
      }
      assert.deepEqual(problems, []);
    }
  });
});

/** A plausible project folder with fixed dates and sizes (sparse files), for screenshots. */
async function makeDemoTree(t: TestContext): Promise<string> {
  const base = 'projects/website/';
  const files: readonly [string, number, string][] = [
    ['assets/', 0, '2025-05-12T09:41:00'],
    ['components/', 0, '2025-05-14T16:03:00'],
    ['docs/', 0, '2025-04-28T11:20:00'],
    ['README.md', 4_210, '2025-05-10T10:12:00'],
    ['app.ts', 12_880, '2025-05-14T16:01:00'],
    ['demo-video.mp4', 18_400_000, '2025-03-30T19:45:00'],
    ['hero 2.jpg', 248_113, '2025-04-02T13:07:00'],
    ['hero 10.jpg', 301_554, '2025-04-02T13:09:00'],
    ['package.json', 1_148, '2025-05-13T17:30:00'],
    ['podcast-episode-12.mp3', 31_250_000, '2025-02-21T07:00:00'],
    ['quarterly report.pdf', 1_870_004, '2025-01-15T09:00:00'],
    ['release-v2.4.0.zip', 5_612_345, '2025-05-01T12:00:00'],
  ];
  const spec: Record<string, string> = {};
  for (const [name] of files) spec[base + name] = '';
  const root = await makeTree(t, spec);
  for (const [name, size, when] of files) {
    const path = join(root, base, name);
    if (size > 0) await truncate(path, size);
    const date = new Date(when);
    await utimes(path, date, date);
  }
  return root;
}
