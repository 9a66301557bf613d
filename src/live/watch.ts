// src/live/watch.ts
// Watches a folder tree for changes: one fs.watch per folder (not per file), found by a scan
// and kept up as folders come and go. A folder's watch reports its files' writes as well as
// names that appear or vanish, on Linux (inotify), macOS and Windows alike. Knows nothing of
// HTTP; it reports changes, and one failure when the OS refuses to watch.
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { type Change, isIgnoredPath } from './changes.js';

export interface TreeWatcherOptions {
  /** Watch names starting with a dot too (as `--dotfiles` serves them). */
  readonly dotfiles: boolean;
  /** Follow symlinked folders, even out of the root (as `--follow-symlinks` serves them). */
  readonly followSymlinks: boolean;
  readonly onChange: (change: Change) => void;
  /** The OS refused to watch (out of inotify watches or descriptors): watching has stopped. */
  readonly onFailure: (error: NodeJS.ErrnoException) => void;
}

/** Errors that mean the OS will not watch any more, not that one folder went away. */
const FATAL_CODES = new Set(['ENOSPC', 'EMFILE', 'ENFILE']);

/** How many folders are read at once during the scan: enough to be quick, few enough to stay small. */
const SCAN_WIDTH = 4;

export class TreeWatcher {
  readonly #root: string;
  readonly #options: TreeWatcherOptions;
  /** Watched folders by absolute path (as reached from the root, symlinks included). */
  readonly #watchers = new Map<string, FSWatcher>();
  /** Real paths of the watched folders, so a symlink loop is followed once (with followSymlinks). */
  readonly #real = new Map<string, string>();
  readonly #realSeen = new Set<string>();
  #closed = false;
  /** Resolves when the first scan is done: true when watching, false when the OS refused. */
  readonly ready: Promise<boolean>;

  constructor(root: string, options: TreeWatcherOptions) {
    this.#root = root;
    this.#options = options;
    this.ready = this.#scan([root]).then(() => !this.#closed);
  }

  /** Number of folders watched (for tests and the bench). */
  get size(): number {
    return this.#watchers.size;
  }

  close(): void {
    this.#closed = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#real.clear();
    this.#realSeen.clear();
  }

  /** Watches each folder and the folders below it, SCAN_WIDTH folders at a time. */
  async #scan(start: readonly string[]): Promise<void> {
    const queue = [...start];
    const worker = async (): Promise<void> => {
      for (let dir = queue.shift(); dir !== undefined && !this.#closed; dir = queue.shift()) {
        for (const child of await this.#watchFolder(dir)) queue.push(child);
      }
    };
    // Workers pick up folders that others queue while they run.
    let running: Promise<void>[] = [];
    do {
      running = Array.from({ length: Math.min(SCAN_WIDTH, queue.length) }, worker);
      await Promise.all(running);
    } while (queue.length > 0 && !this.#closed);
  }

  /** Watches `dir` (before reading it, so nothing created meanwhile is missed); returns its subfolders. */
  async #watchFolder(dir: string): Promise<string[]> {
    if (this.#closed || this.#watchers.has(dir)) return [];
    if (this.#options.followSymlinks) {
      const real = await realpath(dir).catch(() => undefined);
      if (real === undefined || this.#realSeen.has(real)) return [];
      this.#real.set(dir, real);
      this.#realSeen.add(real);
    }
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: false }, (event, name) => this.#onEvent(dir, event, name));
    } catch (error) {
      this.#onError(error);
      return [];
    }
    watcher.on('error', (error) => {
      // A deleted folder's watch may end with an error; only a refusal of the OS stops us.
      this.#unwatch(dir);
      this.#onError(error);
    });
    this.#watchers.set(dir, watcher);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      this.#onError(error);
      return [];
    }
    const folders: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (this.#isIgnored(path)) continue;
      if (entry.isDirectory()) folders.push(path);
      else if (entry.isSymbolicLink() && this.#options.followSymlinks && (await isFolder(path)))
        folders.push(path);
    }
    return folders;
  }

  #onEvent(dir: string, event: string, name: string | Buffer | null): void {
    if (this.#closed) return;
    const path = name === null ? dir : join(dir, name.toString());
    // A watched folder that is moved or deleted reports its own name; its parent reports it too.
    if (event === 'rename' && path === join(dir, basename(dir)) && !existsSync(dir)) return;
    if (this.#isIgnored(path)) return;
    const kind = event === 'rename' ? 'entries' : 'content';
    this.#options.onChange({ path: this.#relative(path), kind });
    if (kind === 'entries') void this.#followRename(path);
  }

  /** A name that appeared may be a new folder to watch; one that vanished unwatches its folders. */
  async #followRename(path: string): Promise<void> {
    const folder = this.#options.followSymlinks ? await isFolder(path) : await isRealFolder(path);
    if (folder) {
      if (!this.#watchers.has(path)) await this.#scan([path]);
      return;
    }
    const prefix = path + sep;
    for (const dir of [...this.#watchers.keys()]) {
      if (dir === path || dir.startsWith(prefix)) this.#unwatch(dir);
    }
  }

  #unwatch(dir: string): void {
    this.#watchers.get(dir)?.close();
    this.#watchers.delete(dir);
    const real = this.#real.get(dir);
    if (real !== undefined) this.#realSeen.delete(real);
    this.#real.delete(dir);
  }

  #onError(error: unknown): void {
    const failure = error as NodeJS.ErrnoException;
    if (this.#closed || !FATAL_CODES.has(failure.code ?? '')) return;
    this.close();
    this.#options.onFailure(failure);
  }

  #relative(path: string): string {
    return relative(this.#root, path).split(sep).join('/');
  }

  #isIgnored(path: string): boolean {
    const rel = relative(this.#root, path);
    return rel !== '' && isIgnoredPath(rel.split(sep), this.#options.dotfiles);
  }
}

async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isRealFolder(path: string): Promise<boolean> {
  return lstat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
