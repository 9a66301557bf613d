// src/serve/fallback.ts
// What answers a path that doesn't exist, before the 404: a clean URL (`/about` → about.html)
// or the single-page-app page. Every candidate goes through the resolver, so the dotfile rule,
// containment and the symlink policy apply to it as to any requested file.
import { acceptsHtml } from './error-page.js';
import type { Exchange } from './exchange.js';
import { andThen, type MaybePromise } from './maybe.js';
import type { RequestPath } from './request-path.js';
import { isHiddenSegment, type Resolver, type Target } from './resolve.js';
import type { FileToSend } from './send-file.js';

/** A file that answers for a missing path. */
export type FallbackFile = Extract<Target, { kind: 'file' }> & FileToSend;

/**
 * Finds the file that should answer a missing `path`, or undefined for a 404.
 * Clean URLs come first: `/about` is about.html when that exists, even in a single-page app.
 */
export function findFallback(
  exchange: Exchange,
  path: RequestPath,
  resolver: Resolver,
): MaybePromise<FallbackFile | undefined> {
  const last = path.segments.at(-1);
  // Only names without an extension: `/app.js` missing is a real 404, never a page.
  if (last === undefined || hasExtension(last)) return undefined;
  return andThen(
    findCleanUrl(exchange, path, resolver),
    (found) => found ?? findSpaPage(exchange, path, resolver),
  );
}

/** The clean URL's file: about.html for `/about`, or undefined. */
export function findCleanUrl(
  exchange: Exchange,
  path: RequestPath,
  resolver: Resolver,
): MaybePromise<FallbackFile | undefined> {
  const last = path.segments.at(-1);
  if (last === undefined || hasExtension(last)) return undefined;
  // `/about/` asks for a folder; about.html is not one, so it stays a 404 (unless the config
  // file's trailingSlash puts a slash after every name, as serve does).
  if (!exchange.config.cleanUrls || (path.trailingSlash && !exchange.config.trailingSlash)) return undefined;
  const segments = [...path.segments.slice(0, -1), `${last}.html`];
  // A hidden or out-of-root candidate is as good as missing: the request was for another name.
  return andThen(resolver.findFile(segments), (found) =>
    found === undefined ? undefined : { kind: 'file', name: `${last}.html`, segments, ...found },
  );
}

/**
 * The SPA page, for browser navigations only: fetch() of JSON and other non-HTML clients
 * still learn that the path doesn't exist.
 */
export function findSpaPage(
  exchange: Exchange,
  path: RequestPath,
  resolver: Resolver,
): MaybePromise<FallbackFile | undefined> {
  const { req, config } = exchange;
  const last = path.segments.at(-1);
  if (last === undefined || hasExtension(last)) return undefined;
  if (config.spa === undefined || !acceptsHtml(req.headers.accept)) return undefined;
  // Order: files, rewrites, the --proxy app, then the SPA page; with an app, it answers first.
  if (config.proxy?.fallback !== undefined) return undefined;
  const segments = spaSegments(config.spa);
  const name = segments?.at(-1);
  if (segments === undefined || name === undefined) return undefined;
  if (!config.dotfiles && segments.some((s, i) => isHiddenSegment(s, i))) return undefined;
  return andThen(resolver.findFile(segments), (found) =>
    found === undefined ? undefined : { kind: 'file', name, segments, revalidate: true, ...found },
  );
}

/** True when a name ends in `.something` (a leading dot alone is not an extension). */
export function hasExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && dot < name.length - 1;
}

/**
 * Splits the configured SPA file (relative to the root) into segments. A `..` anywhere makes
 * it unusable rather than letting it point outside the root.
 */
export function spaSegments(spa: string): string[] | undefined {
  const segments = spa.split(/[/\\]/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) return undefined;
  return segments;
}
