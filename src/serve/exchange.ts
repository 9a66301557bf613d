// src/serve/exchange.ts
// One request and its response, with the server's configuration: what every pipeline step gets.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServeConfig } from './options.js';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly config: ServeConfig;
}
