// src/upload/size.ts
// Reads a size as people write it on a command line (`500M`, `1G`, `1.5GiB`, `1048576`).
// Pure: no I/O. Units are powers of 1024, as `ls -h` and `du -h` count.

const UNITS: Readonly<Record<string, number>> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** The default --max-upload: 1 GiB. */
export const DEFAULT_MAX_UPLOAD = 2 ** 30;

/** Bytes for `text`, or undefined when it is not a positive size. */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Math.floor(Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] ?? Number.NaN));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
