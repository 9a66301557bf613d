// src/serve/resolve.ts
// The file-system half of the resolver: maps a parsed request path to a file, a folder, a
// redirect or "missing", enforcing the dotfile rule and containment of the real path.
// Every file the server reads is chosen here; nothing else joins paths under the root.
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import { HttpError, httpErrorFromFs } from '../http/errors.js';
import { encodeUrlPath } from '../http/html.js';
import { andThen, type MaybePromise } from './maybe.js';
import type { ServeConfig } from './options.js';
import type { RequestPath } from './request-path.js';
import { PathStatter } from './stat-path.js';

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
/** How many checked paths the resolver remembers (about 200 bytes each). */
const MAX_VERIFIED = 10_000;
const MISSING: Target = { kind: 'missing' };

/** A path that exists under the root: its real path (the one to open) and its stats. */
export interface Found {
  readonly filePath: string;
  readonly stats: Stats;
}

function fileOnly(found: Found | undefined): Found | undefined {
  return found?.stats.isFile() ? found : undefined;
}

/** True when a name is hidden by the dotfile rule; `.well-known` at the top is always public. */
export function isHiddenSegment(segment: string, depth: number): boolean {
  return segment.startsWith('.') && !(depth === 0 && segment === '.well-known');
}

/** The config file read from the root when --config is not given (src/config). */
export const CONFIG_FILE_NAME = 'serve-here.json';

/**
 * True for the config file's name at the top of the root, which is never served or listed,
 * whatever the dotfile rule. Case-insensitive, as disks can be.
 */
export function isReservedName(segment: string, depth: number): boolean {
  return (
    depth === 0 && segment.length === CONFIG_FILE_NAME.length && segment.toLowerCase() === CONFIG_FILE_NAME
  );
}

/**
 * Same device, inode and ctime: the same file, unchanged in its metadata. ctime moves on every
 * rename, link, chmod or write, and a recycled inode number comes with a new ctime.
 */
function isSameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.ctimeMs === b.ctimeMs;
}

/**
 * The containment rule for real paths, shared by the resolver and the listing: inside the real
 * root, and (unless dotfiles are on) through no hidden name below it.
 */
export function isServableRealPath(realRoot: string, real: string, dotfiles: boolean): boolean {
  if (!isInside(realRoot, real)) return false;
  if (real === realRoot) return true;
  const segments = relative(realRoot, real).split(sep);
  if (isReservedName(segments[0] ?? '', 0)) return false;
  return dotfiles || !segments.some((segment, i) => isHiddenSegment(segment, i));
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
  readonly #statter: PathStatter;
  /** The root with one separator at its end, to put segments after. */
  readonly #rootPrefix: string;
  /** Paths already checked against the root, by the file identity they led to (LRU). */
  readonly #verified = new Map<string, { readonly real: string; readonly stats: Stats }>();

  /** `statter` is for tests, which start it in thread-pool mode. */
  constructor(config: ServeConfig, statter = new PathStatter()) {
    this.#config = config;
    this.#rootPrefix = config.root.endsWith(sep) ? config.root : config.root + sep;
    this.#statter = statter;
  }

  /**
   * Resolves a request path to what should answer it: at once when every stat is answered
   * directly and every path was checked before (see MaybePromise), else as a promise.
   * Refusals are thrown (synchronously or as a rejection).
   */
  resolve(path: RequestPath): MaybePromise<Target> {
    const { segments } = path;
    if (!this.#config.dotfiles && segments.some((s, i) => isHiddenSegment(s, i))) {
      throw new HttpError(404);
    }
    if (!path.canonical) {
      return { kind: 'redirect', location: encodeUrlPath(segments, path.trailingSlash) + path.query };
    }
    return andThen(this.lookup(segments), (found) => {
      if (found === undefined) return MISSING;
      const { filePath, stats } = found;
      if (stats.isDirectory()) {
        if (!path.trailingSlash) {
          // RFC 9110 §15.4.2: 301; relative links in the folder's page need the slash.
          return { kind: 'redirect', location: encodeUrlPath(segments, true) + path.query };
        }
        return this.#folderTarget(segments, filePath, 0);
      }
      // A file named with a trailing slash does not exist, as on any file system.
      if (path.trailingSlash || !stats.isFile()) return MISSING;
      return { kind: 'file', filePath, stats, name: segments.at(-1) ?? '', segments };
    });
  }

  /** A folder answers with its first index file (INDEX_FILES[from] onwards), else its listing. */
  #folderTarget(segments: readonly string[], dirPath: string, from: number): MaybePromise<Target> {
    const name = INDEX_FILES[from];
    if (name === undefined) {
      return { kind: 'directory', dirPath, urlPath: encodeUrlPath(segments, true), segments };
    }
    const indexSegments = [...segments, name];
    return andThen(this.lookup(indexSegments), (index): MaybePromise<Target> => {
      if (index?.stats.isFile()) return { kind: 'file', name, segments: indexSegments, ...index };
      return this.#folderTarget(segments, dirPath, from + 1);
    });
  }

  /**
   * Stats the file at `segments` under the root; undefined when it doesn't exist. Unless
   * symlinks may be followed, the real path must stay inside the real root and must not pass
   * through a hidden name. Refusals (403, 503, 404 for a path leading out) are rejections.
   */
  lookup(segments: readonly string[]): MaybePromise<Found | undefined> {
    // The config file and unlisted names are as good as missing (a 404, or the SPA page).
    if (isReservedName(segments[0] ?? '', 0) || this.#config.rules.unlisted?.(segments) === true)
      return undefined;
    // Segments never hold a separator, '' or '.' or '..' (parseRequestPath and every name we
    // add see to that; on Windows, no ':' either), so joining is concatenation: path.join's normalising pass cost 2% of a 404.
    const filePath = segments.length === 0 ? this.#config.root : this.#rootPrefix + segments.join(sep);
    const stats = this.#statter.stat(filePath);
    if (stats instanceof Promise) {
      return stats.then(
        (found) => this.#checkFound(filePath, found),
        (error: unknown) => this.#refuse(filePath, error),
      );
    }
    return this.#checkFound(filePath, stats);
  }

  /**
   * The regular file at `segments`, or undefined when there is none or it may not be served:
   * for names derived from the request (a clean URL's `.html`, a `.br` sibling, 404.html),
   * where a refusal just means "not available".
   */
  findFile(segments: readonly string[]): MaybePromise<Found | undefined> {
    const found = this.lookup(segments); // refusals come as rejections, never as throws
    return found instanceof Promise ? found.then(fileOnly, () => undefined) : fileOnly(found);
  }

  #checkFound(filePath: string, stats: Stats | undefined): MaybePromise<Found | undefined> {
    if (stats === undefined) return andThen(this.noticeMissingRoot(), () => undefined);
    if (this.#config.followSymlinks) return { filePath, stats };
    return this.#verify(filePath, stats);
  }

  async #refuse(filePath: string, error: unknown): Promise<never> {
    const refusal = httpErrorFromFs(error);
    // A 403 or 503 for a link that leads out of the root would tell that its target exists.
    if (!this.#config.followSymlinks) await this.#realPathInside(filePath);
    throw refusal;
  }

  /**
   * Returns the real path of `filePath` once it is known to lie inside the root. The answer is
   * remembered for the file identity `stats` describes (device, inode, ctime): while the path
   * still leads to that very file, the check holds without asking the file system again, so a
   * hot file costs one stat per request, answered synchronously. A changed link, file or
   * folder changes the identity the fresh stat reports, and the path is checked again.
   */
  #verify(filePath: string, stats: Stats): MaybePromise<Found> {
    const known = this.#verified.get(filePath);
    if (known !== undefined && isSameFile(known.stats, stats)) {
      this.#verified.delete(filePath); // re-insert: Map order is recency order
      this.#verified.set(filePath, known);
      return { filePath: known.real, stats };
    }
    return this.#verifyAfresh(filePath, stats);
  }

  async #verifyAfresh(filePath: string, stats: Stats): Promise<Found> {
    const real = await this.#realPathInside(filePath);
    // stat and realpath ran one after the other; only remember the answer when both describe
    // the same file, so that a link swapped in between can never be vouched for.
    const realStats = await stat(real).catch((error: unknown) => {
      throw httpErrorFromFs(error);
    });
    if (isSameFile(realStats, stats)) {
      this.#verified.set(filePath, { real, stats: realStats });
      if (this.#verified.size > MAX_VERIFIED) {
        const oldest = this.#verified.keys().next().value;
        if (oldest !== undefined) this.#verified.delete(oldest);
      }
    }
    return { filePath: real, stats: realStats };
  }

  /** The real path of `filePath`, or HttpError 404 when it leads outside the root or through a hidden name. */
  async #realPathInside(filePath: string): Promise<string> {
    let real: string;
    let realRoot: string;
    try {
      [real, realRoot] = await Promise.all([realpath(filePath), this.realRoot()]);
    } catch (error) {
      throw httpErrorFromFs(error);
    }
    if (!isServableRealPath(realRoot, real, this.#config.dotfiles)) throw new HttpError(404);
    return real;
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

  /**
   * A missing root is worth a log line, not just 404s. Checked at most once a second; the 404
   * waits for that check (so the log line comes first), never for the skipped ones.
   */
  private noticeMissingRoot(): MaybePromise<void> {
    const now = Date.now();
    if (now - this.#rootCheckedAt < 1000) return;
    this.#rootCheckedAt = now;
    return stat(this.#config.root).then(
      () => undefined,
      (error: unknown) => {
        const gone = new Error(
          `the served folder ${this.#config.root} is gone; requests get 404 until it is back`,
          { cause: error },
        );
        // An operating-system condition, not a bug: the CLI logs it as one line.
        this.#config.onError?.(Object.assign(gone, { code: (error as NodeJS.ErrnoException).code }), '');
      },
    );
  }
}
