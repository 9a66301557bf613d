// src/cli/open-browser.ts
// --open: starts the default browser at the served URL with the `open` package, loaded only
// when asked for. Never fails the server: without a display or a browser it returns a note.
// Printing is the CLI's job; this module only reports what happened.

export type OpenOutcome =
  | { readonly kind: 'opened'; readonly url: string }
  | { readonly kind: 'skipped'; readonly url: string; readonly note: string };

/**
 * The URL to open for `--open [path]`: the server's URL, or `path` beneath it. The path can
 * only ever name a page on this server (`//other.host` or `http://…` stay under our origin).
 */
export function browserUrl(serverUrl: string, path: string | true): string {
  if (path === true) return serverUrl;
  const relativePath = path.replace(/^[/\\]+/, '');
  return new URL(`./${relativePath}`, serverUrl).href;
}

/**
 * True when a graphical browser could appear: always on macOS and Windows; on Linux and the
 * BSDs only with an X11 or Wayland display, or under WSL (which opens the Windows browser).
 */
export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  if (env.WSL_DISTRO_NAME !== undefined || env.WSL_INTEROP !== undefined) return true;
  return Boolean(env.DISPLAY) || Boolean(env.WAYLAND_DISPLAY);
}

/** Opens `url` in the default browser; resolves (never rejects) with what happened. */
export async function openBrowser(
  url: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<OpenOutcome> {
  if (!hasDisplay(env, platform)) {
    return { kind: 'skipped', url, note: `no display to open a browser on; visit ${url} yourself` };
  }
  try {
    // Lazy: `open` and its helpers cost startup time that only --open should pay.
    const { default: open } = await import('open');
    await open(url);
    return { kind: 'opened', url };
  } catch {
    // The launcher's error says nothing a user can act on beyond this.
    return { kind: 'skipped', url, note: `could not start a browser; visit ${url} yourself` };
  }
}
