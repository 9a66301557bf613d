// src/tls/config-folder.ts
// Where serve-here keeps its own files (the local certificate authority): the platform's
// per-user configuration folder. A pure decision; nothing is created here.
import { join, posix, win32 } from 'node:path';

/**
 * The folder for serve-here's own files on `platform`. `SERVE_HERE_CONFIG_DIR` overrides it
 * (tests and sandboxes point it at a temporary folder); then the platform's convention:
 * `$XDG_CONFIG_HOME/serve-here` or `~/.config/serve-here` (XDG Base Directory spec) on Linux and
 * the BSDs, `~/Library/Application Support/serve-here` on macOS, `%APPDATA%\serve-here` on Windows.
 */
export function configFolder(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  const override = env.SERVE_HERE_CONFIG_DIR;
  if (override !== undefined && override !== '') return override;
  if (platform === 'win32') {
    const appData = env.APPDATA;
    return win32.join(
      appData !== undefined && appData !== '' ? appData : win32.join(home, 'AppData', 'Roaming'),
      'serve-here',
    );
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'serve-here');
  // XDG: a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg?.startsWith('/')) return join(xdg, 'serve-here');
  return posix.join(home, '.config', 'serve-here');
}
