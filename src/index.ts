// src/index.ts
// The public API: the request handler (for node:http, node:https, Connect and Express) and
// startServer(), which the CLI itself is a thin layer over.
export { createHandler, type Handler, type Next } from './handler.js';
export type { ResponseLogEntry, ServeOptions } from './options.js';
export { type RunningServer, type StartOptions, startServer } from './server.js';
export type { UploadLogEntry } from './upload/index.js';
