// src/headers.ts
// Headers that every response carries, whatever answers it: files, listings, redirects, errors.
import type { ServerResponse } from 'node:http';
import type { ServeConfig } from './options.js';

/** Sets the headers common to every response. Called once, before any pipeline step. */
export function applyCommonHeaders(res: ServerResponse, config: ServeConfig): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(config.headers)) res.setHeader(name, value);
}
