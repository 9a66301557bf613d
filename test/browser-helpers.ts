// test/browser-helpers.ts
// Launching Debian's headless Chromium through playwright-core (never a downloaded browser),
// and the rule for when browser tests skip: only outside CI, and only when it is missing.
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run that makes no network requests of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A reason to skip browser tests, or false to run them. In CI (`CI` set) they always run, so
 * a missing browser fails loudly instead of passing silently; .ci/run installs chromium.
 */
export function browserSkipReason(): string | false {
  if (existsSync(CHROMIUM_PATH) || process.env.CI) return false;
  return `${CHROMIUM_PATH} not found (apt-get install chromium); set CI=1 to make this a failure`;
}

/** Launches Chromium with a fresh profile; with `t`, closes it after that test. */
export async function launchChromium(t?: Pick<TestContext, 'after'>): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t?.after(() => browser.close());
  return browser;
}
