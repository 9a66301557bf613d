// src/serve/content-type.ts
// Picks a Content-Type from a file name's extension (mime-types), adding charset=utf-8 to
// every textual type so browsers never have to guess an encoding.
import { createRequire } from 'node:module';

/**
 * The types of the files a site serves most, as mime-types has them (a test keeps them
 * equal), so that start-up and the first request don't wait for mime-types to load and
 * index its database (about 13 ms). Every other extension loads it on first use.
 */
export const COMMON_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  map: 'application/json',
  txt: 'text/plain',
  md: 'text/markdown',
  xml: 'application/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/vnd.microsoft.icon',
  woff: 'font/woff',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
};

type Lookup = (extension: string) => string | false;
let mimeLookup: Lookup | undefined;

/** mime-types' lookup, loaded on first call (it is CommonJS, so require() can load it in place). */
export function lookupMimeType(extension: string): string | false {
  mimeLookup ??= (createRequire(import.meta.url)('mime-types') as { lookup: Lookup }).lookup;
  return mimeLookup(extension);
}

const FALLBACK = 'application/octet-stream';

/** Extensions whose registered type is wrong or missing for the web. */
const OVERRIDES: Readonly<Record<string, string>> = {
  cjs: 'text/javascript',
};

const cache = new Map<string, string>();

/** Returns the Content-Type header value for a file name. */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const extension = dot === -1 ? '' : fileName.slice(dot + 1).toLowerCase();
  let type = cache.get(extension);
  if (type === undefined) {
    type = withCharset(
      own(OVERRIDES, extension) ??
        own(COMMON_TYPES, extension) ??
        (extension === '' ? false : lookupMimeType(extension)) ??
        FALLBACK,
    );
    if (cache.size < 1000) cache.set(extension, type);
  }
  return type;
}

/** A table's own entry only: `x.constructor` must not find Object's constructor. */
function own(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function withCharset(type: string | false): string {
  if (type === false) return FALLBACK;
  return isTextual(type) ? `${type}; charset=utf-8` : type;
}

/** True for types whose bytes are text: text/*, JSON, XML, JavaScript and their +json/+xml kin. */
export function isTextual(type: string): boolean {
  const essence = type.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return (
    essence.startsWith('text/') ||
    essence === 'application/json' ||
    essence === 'application/xml' ||
    essence === 'application/javascript' ||
    essence.endsWith('+json') ||
    essence.endsWith('+xml')
  );
}
