// src/export/headers.ts
// The headers serve-here adds to every response, and the Cache-Control of files, as name/value
// pairs for the renderers: the same lists src/headers.ts sends, so an export cannot drift.
import {
  ALLOWED_HEADERS,
  ALLOWED_METHODS,
  EXPOSED_HEADERS,
  ISOLATION_HEADERS,
  PREFLIGHT_MAX_AGE,
} from '../serve/headers.js';
import type { ExportSite } from './site.js';

export type HeaderPair = readonly [string, string];

/** Headers on every response (files, listings, redirects, errors); --header values win. */
export function everyResponseHeaders(site: ExportSite): HeaderPair[] {
  const pairs: HeaderPair[] = [['X-Content-Type-Options', 'nosniff']];
  if (site.cors) {
    pairs.push(['Access-Control-Allow-Origin', '*'], ['Access-Control-Expose-Headers', EXPOSED_HEADERS]);
  }
  if (site.isolate) {
    for (let i = 0; i + 1 < ISOLATION_HEADERS.length; i += 2) {
      pairs.push([ISOLATION_HEADERS[i] as string, ISOLATION_HEADERS[i + 1] as string]);
    }
  }
  const custom = new Set(site.headers.map(([name]) => name.toLowerCase()));
  return [...pairs.filter(([name]) => !custom.has(name.toLowerCase())), ...site.headers];
}

/** True when a --header replaces serve-here's own value of `name`. */
export function isOverridden(site: ExportSite, name: string): boolean {
  return site.headers.some(([given]) => given.toLowerCase() === name.toLowerCase());
}

/** Cache-Control of served files: revalidate on every use unless --cache says how long. */
export function fileCacheControl(site: ExportSite): string {
  return site.cache === undefined ? 'no-cache' : `public, max-age=${site.cache}`;
}

/** The extra headers of a CORS preflight's 204 answer. */
export function preflightHeaders(): HeaderPair[] {
  return [
    ['Access-Control-Allow-Methods', ALLOWED_METHODS],
    ['Access-Control-Allow-Headers', ALLOWED_HEADERS],
    ['Access-Control-Max-Age', PREFLIGHT_MAX_AGE],
  ];
}

/** The methods serve-here answers; anything else is 405 with this Allow. */
export const ALLOW = ALLOWED_METHODS;

/**
 * Textual types as serve-here labels them `charset=utf-8` (content-type.ts isTextual), for the
 * targets that need a list: the common ones a site serves.
 */
export const TEXT_TYPES = [
  'text/html',
  'text/css',
  'text/plain',
  'text/javascript',
  'text/markdown',
  'text/xml',
  'text/csv',
  'application/javascript',
  'application/json',
  'application/xml',
  'application/manifest+json',
  'application/ld+json',
  'application/rss+xml',
  'application/atom+xml',
  'image/svg+xml',
] as const;

/** What serve-here compresses on the fly (compressible text, SVG, wasm). */
export const COMPRESSIBLE_TYPES = [...TEXT_TYPES, 'application/wasm'] as const;
