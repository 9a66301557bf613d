// src/resolve.ts
// The file-system half of the resolver: maps a parsed request path to a file, a folder, a
// redirect or "missing", enforcing the dotfile rule and containment of the real path.
// Every file the server reads is chosen here; nothing else joins paths under the root.
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { HttpError, httpErrorFromFs } from './http/errors.js';
import { encodeUrlPath } from './http/html.js';
import type { ServeConfig } from './options.js';
import type { RequestPath } from './request-path.js';

export type Target =
  | {
      readonly kind: 'file';
      /** Real path to open. */
      readonly filePath: string;
      /** The name the client asked for, which picks the Content-Type (a link's target may differ). */
      readonly name: string;
      readonly stats: Stats;
      /** The file's own path segments under the root (a folder's index adds its name). */
      readonly segments: readonly string[];
    }
  | {
      readonly kind: 'directory';
      readonly dirPath: string;
      /** Canonical URL path, ending in '/'. */
      readonly urlPath: string;
      readonly segments: readonly string[];
    }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'missing' };

const INDEX_FILES = ['index.html', 'index.htm'] as const;
const MISSING: Target = { kind: 'missing' };

/** True when a name is hidden by the dotfile rule; `.well-known` at the top is always public. */
export function isHiddenSegment(segment: string, depth: number): boolean {
  return segment.startsWith('.') && !(depth === 0 && segment === '.well-known');
}

/** True when `child` is `root` or lies beneath it, compared as paths, not string prefixes. */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * A Resolver knows the served root and its real path. Its methods throw HttpError for refusals
 * (403, 404 for hidden names, 503, 500) and return 'missing' for names that simply don't exist,
 * so the handler can still try clean URLs, the SPA fallback and a custom 404 page.
 */
export class Resolver {
  readonly #config: ServeConfig;
  #realRoot: Promise<string> | undefined;
  #rootCheckedAt = 0;

  constructor(config: ServeConfig) {
    this.#config = config;
  }

  /** Resolves a request path to what should answer it. */
  async resolve(path: RequestPath): Promise<Target> {
    const { segments } = path;
    if (!this.#config.dotfiles && segments.some((s, i) => isHiddenSegment(s, i))) {
      throw new HttpError(404);
    }
    if (process.platform === 'win32' && segments.some((s) => s.includes(':'))) {
      throw new HttpError(400); // drive letters and alternate data streams
    }
    if (!path.canonical) {
      return { kind: 'redirect', location: encodeUrlPath(segments, path.trailingSlash) + path.query };
    }
    const found = await this.lookup(segments);
    if (found === undefined) return MISSING;
    const { filePath, stats } = found;

    if (stats.isDirectory()) {
      if (!path.trailingSlash) {
        // RFC 9110 §15.4.2: 301; relative links in the folder's page need the slash.
        return { kind: 'redirect', location: encodeUrlPath(segments, true) + path.query };
      }
      for (const name of INDEX_FILES) {
        const index = await this.lookup([...segments, name]);
        if (index?.stats.isFile()) return { kind: 'file', name, segments: [...segments, name], ...index };
      }
      return { kind: 'directory', dirPath: filePath, urlPath: encodeUrlPath(segments, true), segments };
    }
    // A file named with a trailing slash does not exist, as on any file system.
    if (path.trailingSlash || !stats.isFile()) return MISSING;
    return { kind: 'file', filePath, stats, name: segments.at(-1) ?? '', segments };
  }

  /**
   * Stats the file at `segments` under the root, or returns undefined when it doesn't exist.
   * Unless symlinks may be followed, the real path must stay inside the real root and must
   * not pass through a hidden name.
   */
  async lookup(segments: readonly string[]): Promise<{ filePath: string; stats: Stats } | undefined> {
    const filePath = join(this.#config.root, ...segments);
    try {
      if (this.#config.followSymlinks) return { filePath, stats: await stat(filePath) };
      // stat runs alongside realpath (one round trip to the thread pool instead of two) but
      // its outcome is only looked at once the real path has passed the checks, so a refused
      // path answers 404 whatever stat says. Both follow the same links, so they describe one
      // file; a swap in between is the same race as one between realpath and open.
      const pendingStats = stat(filePath);
      pendingStats.catch(() => undefined);
      const [real, realRoot] = await Promise.all([realpath(filePath), this.realRoot()]);
      if (!isInside(realRoot, real)) throw new HttpError(404);
      if (!this.#config.dotfiles && real !== realRoot) {
        const inner = relative(realRoot, real).split(sep);
        if (inner.some((s, i) => isHiddenSegment(s, i))) throw new HttpError(404);
      }
      return { filePath: real, stats: await pendingStats };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const refusal = httpErrorFromFs(error);
      if (refusal.status === 404) {
        await this.noticeMissingRoot();
        return undefined;
      }
      throw refusal;
    }
  }

  /** The root's real path, retried after a failure so a re-created root is picked up. */
  realRoot(): Promise<string> {
    if (this.#realRoot === undefined) {
      const pending = realpath(this.#config.root);
      pending.catch(() => {
        if (this.#realRoot === pending) this.#realRoot = undefined;
      });
      this.#realRoot = pending;
    }
    return this.#realRoot;
  }

  /** A missing root is worth a log line, not just 404s; checked at most once a second. */
  private async noticeMissingRoot(): Promise<void> {
    const now = Date.now();
    if (now - this.#rootCheckedAt < 1000) return;
    this.#rootCheckedAt = now;
    try {
      await stat(this.#config.root);
    } catch (error) {
      this.#config.onError?.(new Error('the served folder is gone', { cause: error }), '/');
    }
  }
}
