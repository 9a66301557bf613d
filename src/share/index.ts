// src/share/index.ts
// Sharing on a network, from the terminal's side: the QR code of the LAN URL under the banner,
// and the warnings printed before a folder is exposed (a home folder, secret-looking files,
// a password over plain HTTP). Returns strings; the CLI (cli/index.ts) prints them.
import { homedir } from 'node:os';
import {
  type ExposureSettings,
  type ExposureWarning,
  flagWarnings,
  formatExposureWarning,
  isNetworkHost,
  rootRisk,
} from './exposure.js';
import { findSecrets } from './scan.js';

export {
  type ExposureSettings,
  type ExposureWarning,
  formatExposureWarning,
  isNetworkHost,
} from './exposure.js';
export { lanUrl, renderQr } from './qr.js';
export { findSecrets, SCAN_BUDGET } from './scan.js';

/** Secret-looking names listed one per line before the rest are only counted. */
const LISTED_SECRETS = 8;

/**
 * The warnings for serving `settings.root` as configured, one line each (no colour), or none
 * when the server listens on loopback only. `shownRoot` is the folder as the user typed it,
 * used to name the paths found in it. Never throws: an unreadable folder yields fewer warnings.
 */
export async function exposureWarnings(
  settings: ExposureSettings,
  shownRoot: string,
  home: string = safeHomedir(),
): Promise<string[]> {
  if (!isNetworkHost(settings.host)) return [];
  const warnings: ExposureWarning[] = [];
  const risk = rootRisk(settings.root, home);
  if (risk !== undefined) warnings.push({ kind: 'root', risk, path: settings.root });
  const secrets = await findSecrets(settings.root, settings).catch(() => []);
  const prefix = shownRoot.endsWith('/') ? shownRoot : `${shownRoot}/`;
  for (const secret of secrets.slice(0, LISTED_SECRETS)) {
    warnings.push({
      kind: 'secret',
      path: `${prefix}${secret.path}`,
      what: secret.what,
      dotfile: secret.dotfile,
    });
  }
  if (secrets.length > LISTED_SECRETS)
    warnings.push({ kind: 'more-secrets', count: secrets.length - LISTED_SECRETS });
  warnings.push(...flagWarnings(settings));
  return warnings.map(formatExposureWarning);
}

/** homedir() throws when the user has no entry in the password database (some containers). */
function safeHomedir(): string {
  try {
    return homedir();
  } catch {
    return '';
  }
}
