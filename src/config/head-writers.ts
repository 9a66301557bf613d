// src/config/head-writers.ts
// Header rules on the response path: one head writer per combination of matching rules, made
// on first use, so a response that no rule matches keeps the shared writer and its fast path.
import type { ServerResponse } from 'node:http';
import { encodeUrlPath } from '../http/html.js';
import { createHeadWriter } from '../serve/headers.js';
import type { ServeConfig } from '../serve/options.js';
import { parseRequestPath } from '../serve/request-path.js';

type WriteHead = ServerResponse['writeHead'];

/** The pickers of handlers with header rules, for the files that answer for another path. */
const pickers = new WeakMap<ServeConfig, (url: string) => WriteHead>();

/**
 * Returns the writer to use for a request URL: `shared` unless a rule matches. Rule headers
 * win over --header (and over the pipeline's own, as --header does).
 */
export function createRuleHeadWriters(config: ServeConfig, shared: WriteHead): (url: string) => WriteHead {
  const headersFor = config.rules.headersFor;
  if (headersFor === undefined) return () => shared;
  const writers = new Map<string, WriteHead>();
  const pick = function pickHead(url: string): WriteHead {
    let matched: ReturnType<typeof headersFor>;
    try {
      matched = headersFor(parseRequestPath(url));
    } catch {
      return shared; // a malformed path is refused by the handler with the usual headers
    }
    if (matched === undefined) return shared;
    let writer = writers.get(matched.key);
    if (writer === undefined) {
      const names = new Set(Object.keys(matched.headers).map((name) => name.toLowerCase()));
      const kept = Object.entries(config.headers).filter(([name]) => !names.has(name.toLowerCase()));
      writer = createHeadWriter({ ...config, headers: { ...Object.fromEntries(kept), ...matched.headers } });
      writers.set(matched.key, writer);
    }
    return writer;
  };
  pickers.set(config, pick);
  return pick;
}

/**
 * The writer for a file that answers for another path (clean URL, rewrite, SPA page), matched
 * on the file's own path as serve matches it: `/about` served by about.html gets the headers of
 * `**\/*.html`. Undefined when the handler has no header rules.
 */
export function ruleHeadWriterFor(config: ServeConfig, segments: readonly string[]): WriteHead | undefined {
  return pickers.get(config)?.(encodeUrlPath(segments, false));
}
