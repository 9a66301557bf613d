// src/live/index.ts
// Live reload (--watch): watches the served folder, puts one script tag into every HTML page
// serve-here sends, and answers the reserved URLs /__serve-here/live.js (that script) and
// /__serve-here/events (a Server-Sent Events stream). A stylesheet change swaps the sheet in
// place; any other change reloads the pages; a burst of writes is one event after it ends.
// Loaded only when live reload is on, so a plain start costs nothing.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative } from 'node:path';
import type { SiblingLookup } from '../serve/compress.js';
import type { Exchange } from '../serve/exchange.js';
import { escapeControl } from '../serve/log.js';
import type { MaybePromise } from '../serve/maybe.js';
import type { ResponseLogEntry } from '../serve/options.js';
import type { FileToSend } from '../serve/send-file.js';
import { type Change, describeChanges } from './changes.js';
import { liveClient } from './client.js';
import { EventStreams, HEARTBEAT_MS } from './events.js';
import { injectIntoLastChunk, injectScript, LIVE_EVENTS_PATH, LIVE_SCRIPT_PATH } from './inject.js';
import { sendFileWithLiveScript } from './send-page.js';
import { TreeWatcher } from './watch.js';

export { LIVE_EVENTS_PATH, LIVE_SCRIPT_PATH, LIVE_SCRIPT_TAG } from './inject.js';

export interface LiveReloadOptions {
  /** Watch names starting with '.' too (serve-here's `dotfiles`). @default false */
  readonly dotfiles?: boolean;
  /** Follow symlinked folders out of the root (serve-here's `followSymlinks`). @default false */
  readonly followSymlinks?: boolean;
  /** Called with one line when the OS refuses to watch; pages are then served without reloads. @default undefined */
  readonly onWarning?: ((message: string) => void) | undefined;
  /** A burst of changes ends after this many quiet ms, and is then one event. @default 100 */
  readonly debounceMs?: number;
  /** A comment goes down every stream this often, so proxies keep it open. @default 30000 */
  readonly heartbeatMs?: number;
}

/** Live reload for one folder: the script tag, the reserved URLs, and a watcher to close. */
export interface LiveReload {
  /** Resolves once the folder has been scanned: true when watching, false when the OS refused. */
  readonly ready: Promise<boolean>;
  /** `html` with the script tag before its last `</body>` (else `</html>`, else at the end). */
  inject(html: Buffer | string): Buffer;
  /**
   * Answers `/__serve-here/live.js` and `/__serve-here/events` and returns true; returns false
   * for any other URL, which the caller then answers. Works with node:http and Express.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Stops watching and ends every events stream (the pages then wait for a server to return). */
  close(): Promise<void>;
  /** Open events streams (for tests and the bench). */
  readonly streams: number;
  /** @internal serve-here's handler: sendFile, with the script in HTML pages. */
  sendFile(exchange: Exchange, file: FileToSend, findSibling?: SiblingLookup): MaybePromise<void>;
  /** @internal The listing's pieces with the script tag in the last one. */
  injectChunks(chunks: Iterable<string>): Iterable<string>;
  /** @internal A page's CSP that also lets the script, its worker and its stream load. */
  allowInCsp(csp: string): string;
  /** @internal The request log without the events streams (each would log a line when it ends). */
  quietLog(
    report: ((entry: ResponseLogEntry) => void) | undefined,
  ): ((entry: ResponseLogEntry) => void) | undefined;
}

const SCRIPT = `(${liveClient.toString()})();\n`;
const SCRIPT_ETAG = `"${createHash('sha1').update(SCRIPT).digest('base64url')}"`;
const ALLOW = 'GET, HEAD';

/** Creates the live reload of `root`: scanning starts now, in the background (see `ready`). */
export function createLiveReload(root: string, options: LiveReloadOptions = {}): LiveReload {
  const streams = new EventStreams(options.heartbeatMs ?? HEARTBEAT_MS);
  const debounceMs = options.debounceMs ?? 100;
  let pending: Change[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const message = describeChanges(pending);
    pending = [];
    if (message !== undefined) streams.broadcast('change', JSON.stringify(message));
  };
  const watcher = new TreeWatcher(root, {
    dotfiles: options.dotfiles ?? false,
    followSymlinks: options.followSymlinks ?? false,
    onChange: (change) => {
      // Trailing debounce: a build rewriting 200 files is one event, sent once it is quiet.
      if (pending.length < 10_000) pending.push(change);
      clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    },
    onFailure: (error) => options.onWarning?.(watchFailure(error, root)),
  });
  const cspCache = new Map<string, string>();

  return {
    ready: watcher.ready,
    inject: (html) => injectScript(typeof html === 'string' ? Buffer.from(html, 'utf8') : html),
    handleRequest: (req, res) => answerReserved(req, res, streams),
    close: async () => {
      clearTimeout(timer);
      watcher.close();
      streams.closeAll();
    },
    get streams() {
      return streams.size;
    },
    sendFile: sendFileWithLiveScript,
    injectChunks: injectIntoLastChunk,
    allowInCsp: (csp) => {
      let allowed = cspCache.get(csp);
      if (allowed === undefined) {
        allowed = allowLiveScript(csp);
        cspCache.set(csp, allowed);
      }
      return allowed;
    },
    quietLog: (report) =>
      report === undefined
        ? undefined
        : (entry) => {
            if (!entry.url.startsWith(LIVE_EVENTS_PATH)) report(entry);
          },
  };
}

/** Answers the reserved URLs; false for every other. */
function answerReserved(req: IncomingMessage, res: ServerResponse, streams: EventStreams): boolean {
  const url = req.url ?? '';
  if (!url.startsWith('/__serve-here/')) return false;
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path !== LIVE_SCRIPT_PATH && path !== LIVE_EVENTS_PATH) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, ['Allow', ALLOW, 'Content-Type', 'text/plain; charset=utf-8', 'Content-Length', '23']);
    res.end('405 Method Not Allowed\n');
    return true;
  }
  if (path === LIVE_EVENTS_PATH) {
    streams.open(req, res);
    return true;
  }
  const head = ['ETag', SCRIPT_ETAG, 'Cache-Control', 'no-cache'];
  if (matchesEtag(req.headers['if-none-match'], SCRIPT_ETAG)) {
    res.writeHead(304, head);
    res.end();
    return true;
  }
  head.push(
    'Content-Type',
    'text/javascript; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(SCRIPT)),
  );
  res.writeHead(200, head);
  res.end(req.method === 'HEAD' ? undefined : SCRIPT);
  return true;
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * Adds 'self' to script-src (the script, and its shared worker through worker-src's fallback)
 * and connect-src (its stream and its polls), leaving every other rule as it is.
 */
export function allowLiveScript(csp: string): string {
  const directives = csp.split(';').map((d) => d.trim());
  const add = (name: string): void => {
    const at = directives.findIndex((d) => d.split(/\s+/, 1)[0]?.toLowerCase() === name);
    if (at === -1) directives.push(`${name} 'self'`);
    else if (!/(?:^|\s)'self'(?:\s|$)/i.test(directives[at] as string))
      directives[at] = `${directives[at]} 'self'`;
  };
  add('script-src');
  add('connect-src');
  return directives.join('; ');
}

/** The one warning line for a watch the OS refused, saying what to do about it. */
export function watchFailure(error: NodeJS.ErrnoException, root: string): string {
  const where = escapeControl(relative(process.cwd(), root) || '.');
  switch (error.code) {
    case 'ENOSPC':
      return `warning: live reload is off: the system's limit of watched folders is reached while watching ${where}; raise it (sudo sysctl fs.inotify.max_user_watches=524288) or serve a smaller folder, then restart`;
    case 'EMFILE':
    case 'ENFILE':
      return `warning: live reload is off: too many open files while watching ${where} (${error.code}); raise the limit (ulimit -n, or fs.inotify.max_user_instances), then restart`;
    default:
      return `warning: live reload is off: cannot watch ${where} (${error.code ?? 'unknown error'}); files are still served`;
  }
}
