// src/live/changes.ts
// Pure decisions about changes on disk: which paths the watcher ignores, and what one burst of
// changes tells the pages (swap stylesheets, reload, or reload the listings of some folders).

/** One change the watcher saw: a path relative to the root, `/`-separated. */
export interface Change {
  readonly path: string;
  /**
   * 'content': the file's bytes changed. 'entries': a name appeared, vanished or was renamed,
   * so the folder holding it changed too (and the folder above, whose listing shows its date).
   */
  readonly kind: 'content' | 'entries';
}

/** What the server sends the pages after a burst of changes (the `change` event's data). */
export interface LiveMessage {
  /** True when every changed file is a stylesheet: pages swap them in place. */
  readonly css: boolean;
  /** The changed paths as URL paths (`/a/b.css`, not encoded), or null when there were too many. */
  readonly paths: readonly string[] | null;
  /** Folders whose listing changed (`/a/`), or null when there were too many. */
  readonly folders: readonly string[] | null;
}

/** Beyond this, a message says "many" (null) instead of listing names: pages then reload. */
export const MAX_LISTED = 100;

/** Folders no page is served from and whose churn (installs, commits) must not reload anything. */
const NEVER_WATCHED = new Set(['.git', 'node_modules']);

/**
 * True when a change at `segments` (relative to the root) must not reach the pages: inside
 * `.git/` or `node_modules/`, or hidden (a dot segment, as the resolver refuses them) unless
 * dotfiles are served; `/.well-known/` is served, so it is watched.
 */
export function isIgnoredPath(segments: readonly string[], dotfiles: boolean): boolean {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (NEVER_WATCHED.has(segment)) return true;
    if (!dotfiles && segment.startsWith('.') && !(i === 0 && segment === '.well-known')) return true;
  }
  return false;
}

/**
 * Names editors write for a moment while saving (vim's `4913` probe and `file~` backup,
 * JetBrains' safe-write files, `.tmp` copies): no page loads them, and counting them would
 * turn a stylesheet save into a full reload.
 */
export function isEditorTemporary(name: string): boolean {
  return (
    name === '4913' ||
    name.endsWith('~') ||
    name.endsWith('___jb_tmp___') ||
    name.endsWith('___jb_old___') ||
    /\.(?:swp|swx|tmp)$/i.test(name)
  );
}

/** The message for one burst of changes; undefined when nothing in it matters to a page. */
export function describeChanges(changes: readonly Change[]): LiveMessage | undefined {
  const paths = new Set<string>();
  const folders = new Set<string>();
  for (const change of changes) {
    const segments = change.path.split('/').filter((s) => s !== '');
    const name = segments.at(-1);
    if (name !== undefined && isEditorTemporary(name)) continue;
    paths.add(`/${segments.join('/')}`);
    // The listing of the folder holding the path shows its size and date; a name that came or
    // went also changes that folder's date, shown in the listing one level up.
    folders.add(folderUrl(segments.slice(0, -1)));
    if (change.kind === 'entries' && segments.length > 1) folders.add(folderUrl(segments.slice(0, -2)));
  }
  if (paths.size === 0) return undefined;
  const css = [...paths].every((path) => /\.css$/i.test(path));
  return {
    css,
    paths: paths.size > MAX_LISTED ? null : [...paths],
    folders: folders.size > MAX_LISTED ? null : [...folders],
  };
}

function folderUrl(segments: readonly string[]): string {
  return segments.length === 0 ? '/' : `/${segments.join('/')}/`;
}
