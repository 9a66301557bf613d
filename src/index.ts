// src/index.ts
// The public API: the request handler (for node:http, node:https, Connect and Express) and
// startServer(), which the CLI itself is a thin layer over.

export type { HeaderRule, RedirectRule, RedirectStatus, RewriteRule } from './config/index.js';
export {
  createLiveReload,
  LIVE_EVENTS_PATH,
  LIVE_SCRIPT_PATH,
  LIVE_SCRIPT_TAG,
  type LiveReload,
  type LiveReloadOptions,
} from './live/index.js';
export type { ProxyOption, ProxyRoute } from './proxy/index.js';
export { createHandler } from './serve/create-handler.js';
export type { Handler, Next } from './serve/handler.js';
export type { ResponseLogEntry, ServeOptions } from './serve/options.js';
export { type RunningServer, type StartOptions, startServer } from './serve/server.js';
export type { TlsMaterial } from './tls/pem-files.js';
export type { UploadLogEntry } from './upload/index.js';
