// src/serve/compress.ts
// Content codings for responses: which encoding a client prefers (Accept-Encoding with
// q-values), which types are worth compressing, and the brotli/gzip streams used on the fly.
// Deciding which representation a file gets is send-file.ts's job; this module only advises.
import type { Stats } from 'node:fs';
import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import type * as Zlib from 'node:zlib';
import { isTextual } from './content-type.js';
import { all, andThen, type MaybePromise } from './maybe.js';
import type { Resolver } from './resolve.js';

let zlib: typeof Zlib | undefined;

/** node:zlib, loaded by the first response that is compressed rather than at start-up. */
function loadZlib(): typeof Zlib {
  zlib ??= createRequire(import.meta.url)('node:zlib') as typeof Zlib;
  return zlib;
}

/** Content codings serve-here can produce; 'identity' means the bytes as stored. */
export type Encoding = 'br' | 'gzip' | 'identity';

/** Below this many bytes, compression saves too little to pay for itself. */
export const MIN_COMPRESS_SIZE = 1024;

/**
 * Brotli quality for on-the-fly use. Measured on a 100 KiB JavaScript file (Node 20, one core):
 * quality 5 takes about 2 ms and gives 24.4 % of the size, quality 11 about 106 ms for 21.4 %,
 * gzip level 6 about 2 ms for 25.2 %. Build tools that want quality 11 can write `.br` files,
 * which are sent as-is.
 */
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;

/** Below the smallest q-value a client can write (0.001), above "not acceptable". */
const IMPLICIT_IDENTITY_WEIGHT = 0.0001;

/** When q-values tie, the first one here wins: brotli is smaller than gzip at equal cost. */
const PREFERENCE: readonly Encoding[] = ['br', 'gzip', 'identity'];

/** The file-name suffix of a precompressed sibling for each coding. */
export const SIBLING_SUFFIX: Readonly<Record<Exclude<Encoding, 'identity'>, string>> = {
  br: '.br',
  gzip: '.gz',
};

/**
 * Picks the coding to send among `available` (which should include 'identity'), following
 * RFC 9110 §12.5.3: the highest q-value wins, `*` stands for every coding not named, q=0
 * means "not acceptable", and no header at all means any coding is fine (we then send
 * identity, since a client that says nothing may not decode anything).
 *
 * negotiateEncoding('gzip, br', all)            → 'br'   (tie: br preferred)
 * negotiateEncoding('br;q=0.5, gzip', all)      → 'gzip'
 * negotiateEncoding('identity;q=0', ['identity']) → 'identity' (nothing else to offer; see below)
 */
export function negotiateEncoding(header: string | undefined, available: readonly Encoding[]): Encoding {
  if (header === undefined) return 'identity';
  const weights = weightsFor(header);
  let best: Encoding = 'identity';
  let bestWeight = -1;
  for (const encoding of PREFERENCE) {
    if (!available.includes(encoding)) continue;
    const weight = weightOf(weights, encoding);
    if (weight > 0 && weight > bestWeight) {
      best = encoding;
      bestWeight = weight;
    }
  }
  // Nothing acceptable (e.g. `identity;q=0` alone): RFC 9110 §12.5.3 lets us answer anyway, and
  // the unencoded bytes are the answer every client can at least inspect, so we don't send 406.
  return best;
}

/**
 * The parsed weights of an Accept-Encoding value. Every request with it asks three times, and
 * browsers send one of a handful of spellings, so the answers are remembered (a bounded few).
 */
function weightsFor(header: string): ReadonlyMap<string, number> {
  let weights = parsedHeaders.get(header);
  if (weights === undefined) {
    weights = parseAcceptEncoding(header);
    if (parsedHeaders.size < MAX_PARSED_HEADERS) parsedHeaders.set(header, weights);
  }
  return weights;
}

const MAX_PARSED_HEADERS = 100;
const parsedHeaders = new Map<string, ReadonlyMap<string, number>>();

/** Parses `gzip;q=0.8, br` into lowercase coding → weight; malformed q-values count as 1. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const element of header.split(',')) {
    const [rawName = '', ...params] = element.split(';');
    const name = rawName.trim().toLowerCase();
    if (name === '') continue;
    let weight = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param);
      if (match?.[1] !== undefined) weight = Math.min(1, Number(match[1]));
    }
    // A coding listed twice keeps its highest weight.
    weights.set(name, Math.max(weight, weights.get(name) ?? 0));
  }
  return weights;
}

function weightOf(weights: ReadonlyMap<string, number>, encoding: Encoding): number {
  const aliases = encoding === 'gzip' ? ['gzip', 'x-gzip'] : [encoding];
  for (const alias of aliases) {
    const weight = weights.get(alias);
    if (weight !== undefined) return weight;
  }
  const star = weights.get('*');
  if (star !== undefined) return star;
  // §12.5.3: identity is acceptable unless excluded by name or by `*;q=0`; left unnamed, it
  // ranks below every coding the client did name (`gzip;q=0.5` still beats it).
  return encoding === 'identity' ? IMPLICIT_IDENTITY_WEIGHT : 0;
}

/** Media types outside text/* that are text-like, or binary but not yet compressed. */
const COMPRESSIBLE_TYPES = new Set([
  'application/javascript',
  'application/json',
  'application/ld+json',
  'application/manifest+json',
  'application/xml',
  'application/xhtml+xml',
  'application/rss+xml',
  'application/atom+xml',
  'application/wasm',
  'application/x-javascript',
  'application/graphql',
  'application/toml',
  'application/yaml',
  'application/x-yaml',
  'application/x-sh',
  'application/sql',
  'application/vnd.ms-fontobject',
  'font/otf',
  'font/ttf',
  'image/svg+xml',
  'image/bmp',
  'image/x-icon',
  'image/vnd.microsoft.icon',
]);

/**
 * True for types that shrink when compressed: text, JSON, XML, JavaScript, SVG, wasm, and old
 * uncompressed font and image formats. JPEG, PNG, WebP, AVIF, GIF, video, audio, archives,
 * PDF and WOFF/WOFF2 fonts are already compressed and are sent as they are. Asked on every
 * response, for a handful of distinct types: the answers are remembered.
 */
export function isCompressible(contentType: string): boolean {
  let compressible = compressibleByType.get(contentType);
  if (compressible === undefined) {
    const essence = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
    compressible =
      essence.startsWith('text/') ||
      essence.endsWith('+json') ||
      essence.endsWith('+xml') ||
      COMPRESSIBLE_TYPES.has(essence);
    if (compressibleByType.size < 1000) compressibleByType.set(contentType, compressible);
  }
  return compressible;
}

const compressibleByType = new Map<string, boolean>();

/** A compressing stream for `encoding`, tuned for a body of about `size` bytes of `contentType`. */
export function createEncoder(
  encoding: Exclude<Encoding, 'identity'>,
  size: number,
  contentType: string,
): Transform {
  const { createBrotliCompress, createGzip } = loadZlib();
  if (encoding === 'gzip') return createGzip(GZIP_OPTIONS);
  return createBrotliCompress(brotliOptions(size, contentType));
}

/**
 * `bytes` compressed whole, with the same settings as createEncoder, in libuv's thread pool
 * (off the event loop): for bodies that are kept compressed, small files and listings.
 */
export function compressWhole(
  bytes: Buffer,
  encoding: Exclude<Encoding, 'identity'>,
  contentType: string,
): Promise<Buffer> {
  const { brotliCompress, gzip } = loadZlib();
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void =>
      error === null ? resolve(result) : reject(error);
    if (encoding === 'gzip') gzip(bytes, GZIP_OPTIONS, done);
    else brotliCompress(bytes, brotliOptions(bytes.length, contentType), done);
  });
}

const GZIP_OPTIONS: Zlib.ZlibOptions = { level: GZIP_LEVEL };

/**
 * Brotli's window: no bigger than the body (from 1 KiB up to its default of 4 MiB). The encoder
 * allocates buffers in proportion to it, so a 64 KiB file compressed with the default window
 * held megabytes for nothing; the bytes it writes are just as valid (RFC 7932 §9.1).
 */
function brotliWindowBits(size: number): number {
  return Math.min(22, Math.max(10, Math.ceil(Math.log2(size + 1))));
}

function brotliOptions(size: number, contentType: string): Zlib.BrotliOptions {
  const { constants } = loadZlib();
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindowBits(size),
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
      [constants.BROTLI_PARAM_MODE]: isTextual(contentType)
        ? constants.BROTLI_MODE_TEXT
        : constants.BROTLI_MODE_GENERIC,
    },
  };
}

/** A file found next to another one, such as `app.js.br` next to `app.js`. */
export interface Sibling {
  readonly filePath: string;
  readonly stats: Stats;
}

/** Finds the sibling of the file being sent whose name adds `suffix`, or undefined. */
export type SiblingLookup = (suffix: string) => MaybePromise<Sibling | undefined>;

/**
 * Looks up siblings of the file at `segments` through the resolver, so containment, the
 * symlink policy and the dotfile rule apply to `app.js.br` exactly as to `app.js`. A refused
 * or unreadable sibling is simply absent: the original can still be sent.
 */
export function siblingsOf(resolver: Resolver, segments: readonly string[]): SiblingLookup {
  return (suffix) => {
    const last = segments.at(-1);
    if (last === undefined) return undefined;
    return resolver.findFile([...segments.slice(0, -1), last + suffix]);
  };
}

/** What send-file should send for one request. */
export type Representation =
  | { readonly kind: 'identity' }
  | {
      readonly kind: 'precompressed';
      readonly encoding: Exclude<Encoding, 'identity'>;
      readonly file: Sibling;
    }
  | { readonly kind: 'on-the-fly'; readonly encoding: Exclude<Encoding, 'identity'> };

export interface RepresentationRequest {
  readonly acceptEncoding: string | undefined;
  /** A Range request is always answered from the identity bytes (see below). */
  readonly hasRange: boolean;
  readonly contentType: string;
  readonly stats: Stats;
}

/**
 * Chooses identity, a precompressed sibling or on-the-fly compression for a file that may be
 * compressed (the caller checks `compress` and isCompressible first). A sibling older than the
 * original is ignored: after an edit it would serve yesterday's bytes.
 */
export function chooseRepresentation(
  request: RepresentationRequest,
  findSibling: SiblingLookup | undefined,
): MaybePromise<Representation> {
  const { acceptEncoding, stats } = request;
  // Ranges of a compressed body would change with the compressor; ranges of the identity bytes
  // are what media players and download resumers expect (RFC 9110 §14: ranges apply to the
  // selected representation, and we select identity for them).
  if (request.hasRange || acceptEncoding === undefined) return IDENTITY;
  if (findSibling === undefined) return choose(request, new Map());
  const codings = (['br', 'gzip'] as const).filter((e) => isAcceptable(acceptEncoding, e));
  return andThen(all(codings.map((e) => findSibling(SIBLING_SUFFIX[e]))), (found) => {
    const siblings = new Map<Exclude<Encoding, 'identity'>, Sibling>();
    codings.forEach((encoding, i) => {
      const sibling = found[i];
      if (sibling !== undefined && sibling.stats.mtimeMs >= stats.mtimeMs) siblings.set(encoding, sibling);
    });
    return choose(request, siblings);
  });
}

/** The representation to send, given the precompressed siblings that may stand in. */
function choose(
  request: RepresentationRequest,
  siblings: ReadonlyMap<Exclude<Encoding, 'identity'>, Sibling>,
): Representation {
  const { acceptEncoding, stats } = request;
  const onTheFly = stats.size >= MIN_COMPRESS_SIZE;
  const available: Encoding[] = ['identity'];
  for (const encoding of ['br', 'gzip'] as const) {
    if (onTheFly || siblings.has(encoding)) available.push(encoding);
  }
  const encoding = negotiateEncoding(acceptEncoding, available);
  if (encoding === 'identity') return IDENTITY;
  const sibling = siblings.get(encoding);
  return sibling === undefined
    ? { kind: 'on-the-fly', encoding }
    : { kind: 'precompressed', encoding, file: sibling };
}

export const IDENTITY: Representation = { kind: 'identity' };

/** True when the client accepts `encoding` with a q-value above zero. */
export function isAcceptable(header: string | undefined, encoding: Encoding): boolean {
  if (header === undefined) return encoding === 'identity';
  return weightOf(weightsFor(header), encoding) > 0;
}
