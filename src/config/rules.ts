// src/config/rules.ts
// The config file's URL rules as decisions: which redirect answers a path and with what
// Location, which path a rewrite serves instead, which headers a path gets, which names are
// unlisted. Pure: paths in, decisions out; the handler does the answering.
import { compilePattern, fillDestination, type PathPattern } from './pattern.js';

/** `{ source, destination, type }` as in serve.json; `type` defaults to 301. */
export interface RedirectRule {
  readonly source: string;
  readonly destination: string;
  readonly type?: RedirectStatus;
}

/** The statuses a redirect may use (RFC 9110 §15.4): permanent or temporary, method kept or not. */
export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

export const REDIRECT_STATUSES: readonly RedirectStatus[] = [301, 302, 303, 307, 308];

/** `{ source, destination }` as in serve.json. */
export interface RewriteRule {
  readonly source: string;
  readonly destination: string;
}

/** `{ source, headers: [{ key, value }] }` as in serve.json. */
export interface HeaderRule {
  readonly source: string;
  readonly headers: readonly { readonly key: string; readonly value: string }[];
}

export interface Redirect {
  readonly status: RedirectStatus;
  readonly location: string;
}

/**
 * A destination the rule wrote as an absolute URL (`https://…`), or a path. Its scheme and
 * authority come only from the rule: the validator refuses parameters before the path.
 */
const ABSOLUTE_URL = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/** The part of a destination before its path, where parameters are not allowed: `https://host`. */
export function destinationOrigin(destination: string): string {
  return ABSOLUTE_URL.exec(destination)?.[0] ?? '';
}

/**
 * Percent-encodes a captured value for a URL: every character with a meaning in a URL ('/',
 * '\', '?', '#', ':', '%', '@') is escaped, so a parameter can add text to a path segment but
 * never a segment, a host or a scheme (`/%2F%2Fevil.example` stays one segment).
 */
function encodeParam(value: string): string {
  return encodeURIComponent(value);
}

/** Compiles the redirect rules into one function: the first matching rule wins. */
export function createRedirects(
  rules: readonly RedirectRule[],
): (path: string, query: string) => Redirect | undefined {
  const compiled = rules.map((rule) => ({
    pattern: compilePattern(rule.source),
    destination: rootedPath(rule.destination),
    status: rule.type ?? 301,
  }));
  return function findRedirect(path, query) {
    for (const rule of compiled) {
      const params = rule.pattern.match(path);
      if (params === undefined) continue;
      return { status: rule.status, location: redirectLocation(rule.destination, params, query) };
    }
    return undefined;
  };
}

/**
 * The Location of a matched redirect. The request's query is kept unless the destination has
 * its own, as serve does. A path destination always starts with exactly one '/' followed by
 * something that is not '/' or '\', so no browser reads it as another host.
 */
export function redirectLocation(
  destination: string,
  params: Readonly<Record<string, string>>,
  query: string,
): string {
  const origin = destinationOrigin(destination);
  const filled = origin + fillDestination(destination.slice(origin.length), params, encodeParam);
  const location = filled.includes('?') || filled.includes('#') ? filled : filled + query;
  if (origin === '' && /^\/[/\\]/.test(location)) return `/${location.replace(/^[/\\]+/, '')}`;
  return location;
}

/**
 * Compiles the rewrite rules: the path (still percent-encoded, for parseRequestPath) that
 * answers for `path`, or undefined. Only the first matching rule applies.
 */
export function createRewrites(rules: readonly RewriteRule[]): (path: string) => string | undefined {
  const compiled = rules.map((rule) => ({
    pattern: compilePattern(rule.source),
    destination: rootedPath(rule.destination),
  }));
  return function findRewrite(path) {
    for (const rule of compiled) {
      const params = rule.pattern.match(path);
      if (params !== undefined) return fillDestination(rule.destination, params, encodeParam);
    }
    return undefined;
  };
}

/** Compiles header rules: every matching rule adds its headers, later rules winning. */
export function createHeaderRules(
  rules: readonly HeaderRule[],
): (path: string) => { readonly key: string; readonly headers: Record<string, string> } | undefined {
  const compiled = rules.map((rule) => ({ pattern: compilePattern(rule.source), headers: rule.headers }));
  return function findHeaders(path) {
    let key = '';
    let headers: Record<string, string> | undefined;
    for (let i = 0; i < compiled.length; i++) {
      const rule = compiled[i] as (typeof compiled)[number];
      if (rule.pattern.match(path) === undefined) continue;
      key += `${i},`;
      headers ??= {};
      for (const { key: name, value } of rule.headers) headers[name] = value;
    }
    return headers === undefined ? undefined : { key, headers };
  };
}

/**
 * Compiles `unlisted`: true when a path (as segments) is or lies below an unlisted name.
 * Like serve, a pattern is tried against each name alone (`.DS_Store`, `drafts`) and against
 * its whole path from the root (`/docs/drafts`).
 */
export function createUnlisted(patterns: readonly string[]): (segments: readonly string[]) => boolean {
  const compiled: PathPattern[] = patterns.map(compilePattern);
  const matches = (path: string): boolean => compiled.some((p) => p.match(path) !== undefined);
  return function isUnlisted(segments) {
    let path = '';
    for (const segment of segments) {
      path += `/${segment}`;
      if (matches(`/${segment}`) || matches(path)) return true;
    }
    return false;
  };
}

/** serve roots relative destinations (`index.html` is `/index.html`); URLs stay as written. */
function rootedPath(destination: string): string {
  if (destinationOrigin(destination) !== '') return destination;
  return destination.startsWith('/') ? destination : `/${destination}`;
}
