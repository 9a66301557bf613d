// src/listing/index.ts
// Answers GET and HEAD for a folder without an index: reads it, sorts and pages the entries,
// and sends them as HTML, JSON or text. Reading is in listing/reader.ts; rendering is pure;
// pages are reused while a fresh read finds the folder unchanged (listing/page-cache.ts).
import { createHash, type Hash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { evaluatePreconditions } from '../http/conditional.js';
import { HttpError, httpErrorFromFs } from '../http/errors.js';
import type { LiveReload } from '../live/index.js';
import { compressWhole, type Encoding, MIN_COMPRESS_SIZE, negotiateEncoding } from '../serve/compress.js';
import type { Exchange } from '../serve/exchange.js';
import type { HeaderList } from '../serve/headers.js';
import { sendText, sendWhole } from '../serve/send-whole.js';
import { uploadListingCsp } from '../upload/page.js';
import { LISTING_CSP } from './assets.js';
import { Coalescer } from './coalesce.js';
import { type ListingEntry, sortEntries, totalsOf } from './entry.js';
import { renderJsonChunks, renderTextChunks } from './formats.js';
import { PageCache, type RenderedListing } from './page-cache.js';
import {
  type Limit,
  type ListingFormat,
  type ListingQuery,
  negotiateFormat,
  parseListingQuery,
} from './query.js';
import type { ReadRules } from './read.js';
import { FolderReader } from './reader.js';
import { renderListingHtmlChunks } from './render-html.js';

export interface DirectoryToList {
  readonly dirPath: string;
  /** Canonical, percent-encoded URL path, ending in '/'. */
  readonly urlPath: string;
  readonly segments: readonly string[];
  /** The raw query ('' or '?…'): sort, order, format, limit, offset. */
  readonly query: string;
}

/** The resolver's knowledge the listing needs: where the root really is. */
export interface RootInfo {
  realRoot(): Promise<string>;
}

/**
 * The HTML page shows this many entries before it pages: browsers handle 10,000 rows well,
 * while 100,000 would make a page of tens of megabytes. JSON and text list everything unless
 * `limit` is given, since a script asked for them.
 */
export const HTML_PAGE_SIZE = 10_000;

const CONTENT_TYPES: Readonly<Record<ListingFormat, string>> = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/**
 * Rendered pages are kept up to this many bytes (all folders together): a 10,000-entry page is
 * 2.4 MB. Shared by every server in the process; keys hold the folder and the read rules.
 */
const CACHE_BYTES = 24 * 1024 * 1024;

let uploadPolicy: string | undefined;
/** The listing's policy for a page with upload controls (src/upload/page.ts), made once. */
function uploadCsp(): string {
  uploadPolicy ??= uploadListingCsp(LISTING_CSP);
  return uploadPolicy;
}

const reads = new Coalescer<ListingEntry[]>();
const reader = new FolderReader();
const pages = new PageCache(CACHE_BYTES);

/** Sends the listing of `dir` in the format the request asks for. */
export async function sendListing(exchange: Exchange, dir: DirectoryToList, root: RootInfo): Promise<void> {
  const { req, config } = exchange;
  const query = parseListingQuery(dir.query);
  const format = query.format ?? negotiateFormat(req.headers.accept);

  const rules: ReadRules = {
    depth: dir.segments.length,
    dotfiles: config.dotfiles,
    followSymlinks: config.followSymlinks,
    realRoot: await root.realRoot(),
  };
  const folder = JSON.stringify([
    dir.dirPath,
    rules.depth,
    rules.dotfiles,
    rules.followSymlinks,
    rules.realRoot,
  ]);
  let entries: ListingEntry[];
  try {
    // Every request gets a read of the folder that began after it arrived, so names, sizes
    // and dates are always fresh; requests that arrive together share one. The page rendered
    // from it is reused when nothing changed.
    entries = await reads.run(folder, () => reader.read(dir.dirPath, rules, folder));
  } catch (error) {
    // A folder deleted between the resolver's stat and readdir is simply not found (ENOENT).
    throw httpErrorFromFs(error);
  }
  const { live } = config;
  const unlisted = config.rules.unlisted;
  if (unlisted !== undefined) entries = entries.filter((e) => !unlisted([...dir.segments, e.name]));
  const variant = JSON.stringify([
    format,
    query.sort,
    query.order,
    query.limit ?? null,
    query.offset,
    dir.urlPath,
    live !== undefined,
    config.upload?.maxBytes ?? null,
    config.zip,
  ]);
  const upload = config.upload?.maxBytes;
  const rendered = await pages.page(folder, entries, variant, () =>
    render(entries, dir, { query, format, live, upload, zip: config.zip }),
  );

  // A listing changes whenever a file does: always revalidate, cheaply thanks to the ETag.
  const head: HeaderList = ['Cache-Control', 'no-cache'];
  // RFC 9110 §12.5.5: caches must know the body depends on Accept, unless ?format= chose it,
  // and on Accept-Encoding when it may be compressed.
  const vary = [
    ...(query.format === undefined ? ['Accept'] : []),
    ...(config.compress ? ['Accept-Encoding'] : []),
  ];
  if (vary.length > 0) head.push('Vary', vary.join(', '));
  // Listings are repetitive text (10,000 rows: 2.4 MB, 37 KB as brotli): worth it on Wi-Fi. Compressed
  // whole, off the event loop, so the response keeps its Content-Length.
  const encoding: Encoding =
    config.compress && rendered.body.length >= MIN_COMPRESS_SIZE
      ? negotiateEncoding(req.headers['accept-encoding'], ['br', 'gzip', 'identity'])
      : 'identity';
  // Each coding is its own representation, so it gets its own tag (RFC 9110 §8.8.3).
  const etag = `W/"${rendered.hash}${encoding === 'identity' ? '' : `-${encoding}`}"`;
  head.push('ETag', etag);

  // Only the entity-tag conditions apply: a listing has no single modification date.
  const conditions = { 'if-match': req.headers['if-match'], 'if-none-match': req.headers['if-none-match'] };
  switch (evaluatePreconditions(conditions, { etag, lastModified: 0 })) {
    case 'precondition-failed':
      throw new HttpError(412);
    case 'not-modified':
      sendWhole(exchange, 304, head);
      return;
    case 'proceed':
      break;
  }
  head.push('Content-Type', CONTENT_TYPES[format]);
  if (format === 'html') {
    const csp = upload === undefined ? LISTING_CSP : uploadCsp();
    head.push('Content-Security-Policy', live === undefined ? csp : live.allowInCsp(csp));
  }
  if (encoding === 'identity') return sendText(exchange, 200, head, rendered.body);
  head.push('Content-Encoding', encoding);
  sendText(
    exchange,
    200,
    head,
    await pages.encoded(folder, rendered, encoding, () =>
      compressWhole(rendered.body, encoding, CONTENT_TYPES[format]),
    ),
  );
}

/** Sorts, pages and renders `entries` as the query asks. */
async function render(
  entries: readonly ListingEntry[],
  dir: DirectoryToList,
  asked: {
    readonly query: ListingQuery;
    readonly format: ListingFormat;
    readonly live: LiveReload | undefined;
    readonly upload: number | undefined;
    readonly zip: boolean;
  },
): Promise<RenderedListing> {
  const { query, format, live, upload } = asked;
  // Reading (or unpacking what the worker read) and sorting 100,000 entries take tens of
  // milliseconds each: other clients get a turn in between.
  if (entries.length > HTML_PAGE_SIZE) await nextTurn();
  const sorted = sortEntries(entries, { key: query.sort, order: query.order });
  const limit: Limit = query.limit ?? (format === 'html' ? HTML_PAGE_SIZE : 'all');
  const offset = Math.min(query.offset, sorted.length);
  const page = sorted.slice(offset, limit === 'all' ? undefined : offset + limit);
  const shared = { segments: dir.segments, entries: page, offset, limit };
  const chunks =
    format === 'html'
      ? renderListingHtmlChunks({
          ...shared,
          count: sorted.length,
          totals: totalsOf(sorted),
          query,
          upload,
          zip: asked.zip,
        })
      : format === 'json'
        ? renderJsonChunks({ ...shared, urlPath: dir.urlPath, total: sorted.length })
        : renderTextChunks({ ...shared, urlPath: dir.urlPath, total: sorted.length });
  const hash = createHash('sha1');
  const body = await collect(
    format === 'html' && live !== undefined ? live.injectChunks(chunks) : chunks,
    hash,
  );
  return { body, hash: hash.digest('base64url'), encoded: new Map() };
}

/**
 * Encodes the rendered pieces and feeds them to the ETag hash, letting other clients' requests
 * run between pieces: the render of a 100,000-entry page is spread over many short turns.
 * The body is still sent in one piece, with a Content-Length, which HEAD needs too.
 */
async function collect(chunks: Iterable<string>, hash: Hash): Promise<Buffer> {
  const buffers: Buffer[] = [];
  let first = true;
  for (const chunk of chunks) {
    if (!first) await nextTurn();
    first = false;
    const bytes = Buffer.from(chunk, 'utf8');
    hash.update(bytes);
    buffers.push(bytes);
  }
  return Buffer.concat(buffers);
}
