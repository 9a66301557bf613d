// src/zip/walk.ts
// Walks a folder tree for the zip download, depth first, by the listing's rules: hidden names
// left out unless dotfiles, links out of the root left out unless followSymlinks, names with
// '\' never served. Says what each name is; opening files is archive.ts's job.
import type { BigIntStats, Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { isHiddenSegment, isServableRealPath } from '../serve/resolve.js';
import type { SkipReason } from './rules.js';

export interface WalkRules {
  /** The walked folder's path segments under the root ([] for the root). */
  readonly segments: readonly string[];
  readonly dotfiles: boolean;
  readonly followSymlinks: boolean;
  /** The root's real path: links whose real target lies outside it are left out. */
  readonly realRoot: string;
  /**
   * Names the server refuses by other rules than these (a config file's unlisted paths, say):
   * given a name's segments under the root, true leaves it out without a word.
   */
  readonly excluded?: ((segments: readonly string[]) => boolean) | undefined;
}

/** Paths are '/'-separated and relative to the walked folder ('' is the folder itself). */
export type WalkItem =
  | { readonly kind: 'folder'; readonly path: string; readonly mtime: Date }
  | { readonly kind: 'file'; readonly path: string; readonly filePath: string }
  | { readonly kind: 'skipped'; readonly path: string; readonly reason: SkipReason };

/** A folder being walked: its names, in order, and how far the walk got. */
interface Frame {
  readonly dirPath: string;
  readonly path: string;
  /** The folder's segments under the root; their count is its depth. */
  readonly segments: readonly string[];
  readonly dirents: readonly Dirent[];
  next: number;
}

/**
 * Yields the folder, then every name below it in name order (a folder before its contents).
 * One folder's names are in memory at a time per level, never the whole tree. Each real
 * folder is entered once: a link back to an ancestor (or to any folder already walked) is
 * reported as skipped, so a loop of links can't make the walk endless.
 * The first `next()` throws the readdir error of the folder itself (ENOENT, EACCES…).
 */
export async function* walkFolder(dirPath: string, rules: WalkRules): AsyncGenerator<WalkItem> {
  const top = await stat(dirPath, { bigint: true });
  const seen = new Set<string>([identity(top)]);
  const stack: Frame[] = [await enter(dirPath, '', rules.segments)];
  yield { kind: 'folder', path: '', mtime: top.mtime };
  while (stack.length > 0) {
    const frame = stack.at(-1) as Frame;
    const dirent = frame.dirents[frame.next++];
    if (dirent === undefined) {
      stack.pop();
      continue;
    }
    const name = dirent.name;
    if (!rules.dotfiles && isHiddenSegment(name, frame.segments.length)) continue;
    const segments = [...frame.segments, name];
    if (rules.excluded?.(segments) === true) continue;
    const path = frame.path === '' ? name : `${frame.path}/${name}`;
    // Unzip tools on Windows read a backslash in an entry name as a folder separator: left out.
    if (name.includes('\\')) {
      yield { kind: 'skipped', path, reason: 'name contains a backslash' };
      continue;
    }
    const found = await describe(dirent, frame.dirPath + sep + name, rules);
    if (found === undefined) continue;
    if (found.kind === 'skipped') {
      yield { kind: 'skipped', path, reason: found.reason };
    } else if (found.kind === 'file') {
      yield { kind: 'file', path, filePath: found.filePath };
    } else if (seen.has(identity(found.stats))) {
      yield { kind: 'skipped', path, reason: 'link to a folder already in the archive' };
    } else {
      let child: Frame;
      try {
        child = await enter(found.filePath, path, segments);
      } catch {
        yield { kind: 'skipped', path: `${path}/`, reason: 'folder unreadable' };
        continue;
      }
      seen.add(identity(found.stats));
      stack.push(child);
      yield { kind: 'folder', path, mtime: found.stats.mtime };
    }
  }
}

async function enter(dirPath: string, path: string, segments: readonly string[]): Promise<Frame> {
  const dirents = await readdir(dirPath, { withFileTypes: true });
  // Name order (by code unit, the same on every machine), like `zip -r` of a sorted listing.
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { dirPath, path, segments, dirents, next: 0 };
}

function identity(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

type Described =
  | { readonly kind: 'file'; readonly filePath: string }
  | { readonly kind: 'folder'; readonly filePath: string; readonly stats: BigIntStats }
  | { readonly kind: 'skipped'; readonly reason: SkipReason };

/** What a name is, following links by the rules; undefined when it must not even be named. */
async function describe(dirent: Dirent, filePath: string, rules: WalkRules): Promise<Described | undefined> {
  // Plain files need no system call here: archive.ts opens and fstats them.
  if (dirent.isFile()) return { kind: 'file', filePath };
  let target = filePath;
  if (dirent.isSymbolicLink() && !rules.followSymlinks) {
    try {
      target = await realpath(filePath);
    } catch {
      return { kind: 'skipped', reason: 'broken link' };
    }
    // Like the listing: a link out of the root is not shown, so not named either.
    if (!isServableRealPath(rules.realRoot, target, rules.dotfiles)) return undefined;
  }
  let stats: BigIntStats;
  try {
    stats = await stat(target, { bigint: true });
  } catch (error) {
    if (dirent.isSymbolicLink()) return { kind: 'skipped', reason: 'broken link' };
    const code = (error as NodeJS.ErrnoException).code;
    return { kind: 'skipped', reason: code === 'ENOENT' ? 'vanished' : 'unreadable' };
  }
  if (stats.isDirectory()) return { kind: 'folder', filePath: target, stats };
  if (stats.isFile()) return { kind: 'file', filePath: target };
  // FIFOs, sockets and devices: reading them could block forever or never end.
  return { kind: 'skipped', reason: 'not a regular file' };
}
