// src/serve/handler.ts
// The request pipeline: method → request path → resolver → file, listing, redirect or
// fallback. The one place where request errors are caught and turned into responses.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthGate } from '../auth/index.js';
import { HttpError, httpErrorFromFs } from '../http/errors.js';
import { escapeHtml } from '../http/html.js';
import { isCaCertificatePath, sendCaCertificate } from '../tls/ca-route.js';
import type { UploadHandler, UploadSettings } from '../upload/index.js';
import { answerInBatch } from './batch.js';
import { type SiblingLookup, siblingsOf } from './compress.js';
import { sendCustomNotFound, sendErrorPage } from './error-page.js';
import type { Exchange } from './exchange.js';
import { type FallbackFile, findCleanUrl, findFallback, findSpaPage } from './fallback.js';
import { fileCache } from './file-cache.js';
import { applyPreflightHeaders, createHeadWriter, isPreflight } from './headers.js';
import { andThen, attempt, type MaybePromise } from './maybe.js';
import type { ServeConfig } from './options.js';
import { parseRequestPath, type RequestPath } from './request-path.js';
import { Resolver, type Target } from './resolve.js';
import { type FileToSend, sendFile } from './send-file.js';
import { sendText } from './send-whole.js';

/** Connect/Express-style continuation: called on a miss instead of answering 404. */
export type Next = (error?: unknown) => void;

/** A `node:http` request listener that is also Connect/Express middleware. */
export type Handler = (req: IncomingMessage, res: ServerResponse, next?: Next) => void;

const ALLOW = 'GET, HEAD, OPTIONS';
const UPLOAD_ALLOW = 'GET, HEAD, OPTIONS, PUT, POST';

/**
 * The listing and its renderers (nine modules) load after the first response rather than at
 * start-up: a server is ready sooner, and still has them before most folder requests. Early,
 * because Node remembers a failed import for good: one that met a full descriptor table would
 * break every later listing. A load that fails anyway answers 503 like any EMFILE.
 */
let listingModule: Promise<typeof import('../listing/index.js')> | undefined;

function loadListing(): Promise<typeof import('../listing/index.js')> {
  listingModule ??= import('../listing/index.js');
  return listingModule;
}

/** --upload's handler; its module (and busboy, node:crypto) loads on the first write, not at start. */
function loadUploadHandler(settings: UploadSettings, resolver: Resolver, config: ServeConfig): UploadHandler {
  let loaded: Promise<UploadHandler> | undefined;
  return (exchange) => {
    loaded ??= import('../upload/index.js').then((upload) =>
      upload.createUploadHandler(settings, resolver, config.onUpload),
    );
    return loaded.then((handleUpload) => handleUpload(exchange));
  };
}

/** The zip download (--zip), loaded by the first folder request that may need it. */
let zipModule: Promise<typeof import('../zip/index.js')> | undefined;

/**
 * The request handler for a resolved config (resolveConfig). The library's createHandler()
 * (create-handler.ts) and startServer() build the config; this is where every request starts.
 */
export function handlerFor(config: ServeConfig): Handler {
  return serveWith(config, new Resolver(config), createHeadWriter(config), config.authGate);
}

/**
 * The handler of a server that speaks HTTP/1.1 and HTTP/2 on one port (tls/): an h2 response
 * is an Http2ServerResponse, so the common headers wrap its writeHead (`h2WriteHead`) instead.
 * Only TLS servers ask which protocol a request came over; plain HTTP never does.
 */
export function handlerForBoth(config: ServeConfig, h2WriteHead: (...args: never[]) => unknown): Handler {
  const resolver = new Resolver(config);
  const http1 = serveWith(config, resolver, createHeadWriter(config), config.authGate);
  const http2 = serveWith(config, resolver, createHeadWriter(config, h2WriteHead), config.authGate);
  return function serveHereOverTls(req, res, next) {
    (req.httpVersionMajor === 2 ? http2 : http1)(req, res, next);
  };
}

function serveWith(
  config: ServeConfig,
  resolver: Resolver,
  writeHead: ServerResponse['writeHead'],
  authorize: AuthGate | undefined,
): Handler {
  // Config header rules pick a writer per request; without them every response shares one.
  const pickHead =
    config.rules.headWriters === undefined ? undefined : config.rules.headWriters.create(config, writeHead);
  const upload = config.upload === undefined ? undefined : loadUploadHandler(config.upload, resolver, config);
  // The listing code loads right after the first response, off the start-up path.
  let listingRequested = !config.listing;
  const onResponse = config.live === undefined ? config.onResponse : config.live.quietLog(config.onResponse);
  // Every failure, thrown at once or later, is caught here, so no request can crash the
  // process with an unhandled rejection.
  return function serveHere(req, res, next) {
    const exchange: Exchange = { req, res, config };
    res.writeHead = pickHead === undefined ? writeHead : pickHead(req.url ?? '/');
    if (!listingRequested) {
      listingRequested = true;
      res.once('close', () => void loadListing().catch(() => undefined));
    }
    if (onResponse !== undefined) reportWhenDone(exchange, onResponse);
    // Before any step of the pipeline, so --auth guards every URL: files, listings, errors,
    // redirects, and whatever answers under /__serve-here/.
    if (authorize !== undefined && !authorize(exchange)) return;
    // Answered with the other requests of this loop turn, sharing their stats (batch.ts).
    answerInBatch(res, () => {
      const outcome = handle(exchange, resolver, next, upload);
      if (outcome instanceof Promise) outcome.catch((error: unknown) => failUnexpectedly(exchange, error));
    });
  };
}

/**
 * Answers the request, synchronously when nothing has to be waited for (see MaybePromise).
 * Refusals become status pages; anything else unexpected comes back as a rejected promise.
 */
function handle(
  exchange: Exchange,
  resolver: Resolver,
  next: Next | undefined,
  upload?: UploadHandler,
): MaybePromise<void> {
  const outcome = attempt(() => route(exchange, resolver, next, upload));
  if (!(outcome instanceof Promise)) return outcome;
  return outcome.catch((error: unknown) => answerRefusal(exchange, resolver, error));
}

function route(
  exchange: Exchange,
  resolver: Resolver,
  next: Next | undefined,
  upload: UploadHandler | undefined,
): MaybePromise<void> {
  const { req, res, config } = exchange;
  // Reserved URLs (/__serve-here/…) of the features that are on come before anything else.
  if (config.live?.handleRequest(req, res)) return;
  const method = req.method ?? 'GET';
  // Proxy rules take their paths before any file, whatever the method (src/proxy).
  const proxied = config.proxy?.byRule(exchange);
  if (proxied !== undefined) return proxied;
  if (method !== 'GET' && method !== 'HEAD') {
    // With --upload, PUT and POST are writes (src/upload/); Allow says so.
    if (upload !== undefined && (method === 'PUT' || method === 'POST')) return upload(exchange);
    const allow = upload === undefined ? ALLOW : UPLOAD_ALLOW;
    // Files answer GET and HEAD only; every other method goes to the --proxy app, if any.
    if (config.proxy?.fallback !== undefined && !(config.cors && isPreflight(req))) {
      return config.proxy.toFallback(exchange);
    }
    // With --cors, a preflight is ours to answer even in front of other middleware.
    if (next !== undefined && !(config.cors && isPreflight(req))) return passOn(res, next);
    if (method === 'OPTIONS') {
      res.statusCode = 204;
      res.setHeader('Allow', allow);
      if (config.cors && isPreflight(req)) applyPreflightHeaders(res);
      res.end();
      return;
    }
    throw new HttpError(405, { Allow: allow });
  }
  const path = parseRequestPath(req.url ?? '/');
  // Internal URLs under /__serve-here/, each only while its feature is on.
  if (config.caCertificate !== undefined && isCaCertificatePath(path)) {
    return sendCaCertificate(exchange, config.caCertificate);
  }
  // The config file's redirects come before any file (trailingSlash first, then the rules).
  const redirect = config.rules.redirect?.(path);
  if (redirect !== undefined) return sendRedirect(exchange, redirect.location, redirect.status);
  return andThen(resolver.resolve(path), (target) => respond(exchange, target, { path, resolver, next }));
}

/** Sends the status page for a refusal (an HttpError); rethrows anything else. */
function answerRefusal(exchange: Exchange, resolver: Resolver, error: unknown): MaybePromise<void> {
  const { req, res, config } = exchange;
  if (res.headersSent || !(error instanceof HttpError)) throw error;
  if (error.status >= 500) config.onError?.(error.cause ?? error, req.url ?? '');
  if (error.status === 404) return sendNotFound(exchange, resolver);
  sendErrorPage(exchange, error.status, error.headers);
}

/** What respond() needs besides the target: the parsed path for fallbacks, and the resolver. */
interface RespondContext {
  readonly path: RequestPath;
  readonly resolver: Resolver;
  readonly next: Next | undefined;
}

function respond(exchange: Exchange, target: Target, context: RespondContext): MaybePromise<void> {
  const { path, resolver, next } = context;
  switch (target.kind) {
    case 'file':
      return sendPageOrFile(exchange, target, siblingsOf(resolver, target.segments));
    case 'directory':
      return sendFolder(exchange, target, context);
    case 'redirect':
      return sendRedirect(exchange, target.location);
    case 'missing':
      if (exchange.config.rules.rewrite !== undefined) return answerMissingWithRewrites(exchange, context);
      // Clean URLs and the SPA page answer before a 404 (or the next middleware) does.
      return andThen(findFallback(exchange, path, resolver), (fallback) => {
        if (fallback !== undefined) return sendFallback(exchange, fallback, resolver);
        // The --proxy app answers what no file does (findFallback leaves the SPA page to it).
        if (exchange.config.proxy?.fallback !== undefined) return exchange.config.proxy.toFallback(exchange);
        if (next !== undefined) return passOn(exchange.res, next);
        // Answered here rather than thrown: an Error's stack trace cost more than the rest of a 404.
        return sendNotFound(exchange, resolver);
      });
  }
}

/** sendFile, or with live reload on, its sendFile, which adds the script to HTML pages. */
function sendPageOrFile(
  exchange: Exchange,
  file: FileToSend,
  findSibling: SiblingLookup,
): MaybePromise<void> {
  const { live } = exchange.config;
  return live === undefined
    ? sendFile(exchange, file, findSibling)
    : live.sendFile(exchange, file, findSibling);
}

/**
 * A missing path when the config file has rewrites, in the documented order: clean URL, then
 * rewrites, then (the --proxy fallback goes here), then the SPA page, then 404. A rewrite's
 * destination goes through the resolver like any request: root, dotfiles and links still hold.
 */
function answerMissingWithRewrites(exchange: Exchange, context: RespondContext): MaybePromise<void> {
  const { path, resolver, next } = context;
  const rewrite = exchange.config.rules.rewrite as (p: RequestPath) => RequestPath | undefined;
  return andThen(findCleanUrl(exchange, path, resolver), (clean) => {
    if (clean !== undefined) return sendFallback(exchange, clean, resolver);
    const rewritten = rewrite(path);
    const served = rewritten === undefined ? undefined : resolver.resolve(rewritten);
    return andThen(served, (target) => {
      if (target?.kind === 'file') return sendFallback(exchange, target, resolver);
      if (target?.kind === 'directory' && rewritten !== undefined)
        return sendFolder(exchange, target, { ...context, path: rewritten });
      // The --proxy app answers here, before the SPA page (which it then replaces).
      if (exchange.config.proxy?.fallback !== undefined) return exchange.config.proxy.toFallback(exchange);
      return andThen(findSpaPage(exchange, path, resolver), (spa) => {
        if (spa !== undefined) return sendFallback(exchange, spa, resolver);
        if (next !== undefined) return passOn(exchange.res, next);
        return sendNotFound(exchange, resolver);
      });
    });
  });
}

/** Sends a file that answers for another path, with the header rules of its own path. */
function sendFallback(exchange: Exchange, file: FallbackFile, resolver: Resolver): MaybePromise<void> {
  const writer = exchange.config.rules.headWriters?.forFile(exchange.config, file.segments);
  if (writer !== undefined) exchange.res.writeHead = writer;
  return sendPageOrFile(exchange, file, siblingsOf(resolver, file.segments));
}

async function sendFolder(
  exchange: Exchange,
  target: Extract<Target, { kind: 'directory' }>,
  context: RespondContext,
): Promise<void> {
  if (!exchange.config.listing) {
    // A folder that is not listed is missing, and so the --proxy app's to answer.
    if (exchange.config.proxy?.fallback !== undefined) return exchange.config.proxy.toFallback(exchange);
    throw new HttpError(404);
  }
  if (exchange.config.zip) {
    zipModule ??= import('../zip/index.js');
    const zip = await zipModule;
    if (zip.isZipDownload(context.path.query)) return zip.sendZip(exchange, target, context.resolver);
  }
  const { sendListing } = await loadListing().catch((error: unknown) => {
    const refusal = httpErrorFromFs(error);
    throw refusal.status === 503 ? refusal : error;
  });
  return sendListing(exchange, { ...target, query: context.path.query }, context.resolver);
}

/**
 * `location` is an absolute path whose segments are percent-encoded, so it starts with exactly
 * one '/' and no browser can read it as another host (`//evil.example`); or a config
 * redirect's URL, whose scheme and host the rule wrote (src/config/rules.ts).
 */
function sendRedirect(exchange: Exchange, location: string, status = 301): void {
  const href = escapeHtml(location);
  const head = [
    'Location',
    location,
    'Content-Type',
    'text/html; charset=utf-8',
    'Cache-Control',
    'no-cache',
  ];
  sendText(exchange, status, head, `<!doctype html><title>Moved</title><a href="${href}">${href}</a>\n`);
}

/** Hands the request to the next middleware, without the headers we would have added. */
function passOn(res: ServerResponse, next: Next): void {
  Reflect.deleteProperty(res, 'writeHead');
  next();
}

/** The root's own 404 page, when it has one. */
const NOT_FOUND_PAGE = ['404.html'] as const;

/** A 404 uses the root's own 404.html when it has one (the status stays 404). */
function sendNotFound(exchange: Exchange, resolver: Resolver): MaybePromise<void> {
  return andThen(resolver.findFile(NOT_FOUND_PAGE), (page) => {
    if (page === undefined) return sendErrorPage(exchange, 404, {});
    const cached = fileCache.get(page.filePath, page.stats);
    if (cached !== undefined) return sendCustomNotFound(exchange, cached);
    const readStartedAt = Date.now();
    return readFile(page.filePath).then(
      (html) => {
        fileCache.set(page.filePath, page.stats, html, readStartedAt);
        sendCustomNotFound(exchange, html);
      },
      () => sendErrorPage(exchange, 404, {}),
    );
  });
}

/** Last resort for a bug or an I/O failure: 500 before the headers, a cut connection after. */
function failUnexpectedly(exchange: Exchange, error: unknown): void {
  const { req, res, config } = exchange;
  const aborted = isClientGone(error, exchange);
  if (!aborted) config.onError?.(error, req.url ?? '');
  if (res.headersSent || aborted) {
    res.destroy();
    return;
  }
  try {
    sendErrorPage(exchange, 500, {});
  } catch {
    res.destroy();
  }
}

/** A client that hangs up mid-response is normal, not an error worth a log line. */
function isClientGone(error: unknown, exchange: Exchange): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return (
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    (exchange.res.destroyed && !exchange.res.writableFinished)
  );
}

function reportWhenDone(exchange: Exchange, report: NonNullable<ServeConfig['onResponse']>): void {
  const { req, res } = exchange;
  const started = performance.now();
  res.once('close', () => {
    const length = Number(res.getHeader('Content-Length') ?? Number.NaN);
    const bodyless = req.method === 'HEAD' || res.statusCode === 304 || res.statusCode === 204;
    report({
      method: req.method ?? '',
      url: req.url ?? '',
      status: res.statusCode,
      bytes: !res.writableFinished ? undefined : bodyless ? 0 : Number.isNaN(length) ? undefined : length,
      durationMs: performance.now() - started,
    });
  });
}
