// src/serve/create-handler.ts
// The library's createHandler(): synchronous, so every optional capability is imported here
// up front. The CLI goes through startServer(), which loads only the capabilities in use.
import * as auth from '../auth/index.js';
import * as rules from '../config/index.js';
import * as proxy from '../proxy/index.js';
import { type Handler, handlerFor } from './handler.js';
import { resolveConfig, type ServeOptions } from './options.js';

/** Creates the request handler for a folder. Throws for a bad `auth` spec or `proxy` option. */
export function createHandler(options: ServeOptions = {}): Handler {
  return handlerFor(resolveConfig(options, { auth, rules, proxy }));
}
