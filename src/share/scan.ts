// src/share/scan.ts
// Looks through the first two levels of the served folder for names that look like secrets
// and that the server would serve, within a fixed budget of entries so that a huge folder
// cannot slow the start. Reads the disk; the decisions are in exposure.ts.
import { type Dir, type Dirent, promises as fs } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { secretKind } from './exposure.js';

/** Entries read at most, over both levels. */
export const SCAN_BUDGET = 400;

export interface FoundSecret {
  /** Relative to the root, with `/` between segments. */
  readonly path: string;
  readonly what: string;
  readonly dotfile: boolean;
}

export interface ScanPolicy {
  readonly dotfiles: boolean;
  readonly followSymlinks: boolean;
}

/** Finds served names that look like secrets in `root` and its direct subfolders. */
export async function findSecrets(
  root: string,
  policy: ScanPolicy,
  budget = SCAN_BUDGET,
): Promise<FoundSecret[]> {
  const found: FoundSecret[] = [];
  const realRoot = await fs.realpath(root).catch(() => root);
  let left = budget;
  const folders: string[] = [''];
  for (let level = 0; level < 2 && left > 0; level++) {
    const next: string[] = [];
    for (const folder of folders) {
      if (left <= 0) break;
      let dir: Dir;
      try {
        dir = await fs.opendir(join(root, folder));
      } catch {
        continue;
      }
      try {
        for await (const entry of dir) {
          if (--left < 0) break;
          const path = folder === '' ? entry.name : `${folder}/${entry.name}`;
          const dotfile = entry.name.startsWith('.');
          // Hidden names are not served without --dotfiles (/.well-known/ always is).
          if (dotfile && !policy.dotfiles && entry.name !== '.well-known') continue;
          const served = await servedKind(entry, join(root, path), realRoot, policy);
          if (served === undefined) continue;
          const what = secretKind(entry.name);
          if (what !== undefined) found.push({ path, what, dotfile });
          else if (served === 'folder' && level === 0) next.push(path);
        }
      } catch {
        // A folder that fails half-way is skipped; `for await` has closed it either way.
      }
    }
    folders.splice(0, folders.length, ...next);
  }
  return found;
}

/** 'file' or 'folder' when the server would serve the entry, undefined when it would not. */
async function servedKind(
  entry: Dirent,
  path: string,
  realRoot: string,
  policy: ScanPolicy,
): Promise<'file' | 'folder' | undefined> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return undefined;
  try {
    // Like the resolver: a link that leads out of the root is served only with --follow-symlinks.
    const target = await fs.realpath(path);
    const inside = relative(realRoot, target);
    if (!policy.followSymlinks && (inside.startsWith('..') || isAbsolute(inside))) return undefined;
    const stats = await fs.stat(target);
    return stats.isDirectory() ? 'folder' : stats.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}
