// src/content-type.ts
// Picks a Content-Type from a file name's extension (mime-types), adding charset=utf-8 to
// every textual type so browsers never have to guess an encoding.
import { lookup } from 'mime-types';

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
    type = withCharset(OVERRIDES[extension] ?? (extension === '' ? false : lookup(extension)) ?? FALLBACK);
    if (cache.size < 1000) cache.set(extension, type);
  }
  return type;
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
