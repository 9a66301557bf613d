// src/config/schema.ts
// What a config file may hold: every command-line option under its long name (camelCase, as
// in serve.json: `followSymlinks`, `cleanUrls`), serve's serve.json keys, and the proxy rules.
// serve-here.schema.json says the same for editors; test/config-check.test.ts keeps them equal.
import { isAbsolute } from 'node:path';
import { FRAMING_HEADERS, HEADER_NAME } from '../http/header-name.js';
import { parseSource } from '../proxy/match.js';
import { parseProxyTarget } from '../proxy/target.js';
import { spaSegments } from '../serve/fallback.js';
import { parseSize } from '../upload/size.js';
import {
  bool,
  type CheckFailure,
  either,
  list,
  object,
  oneOf,
  type Shape,
  text,
  wholeNumber,
} from './check.js';
import { compilePattern, destinationParams, PatternError } from './pattern.js';
import { destinationOrigin, REDIRECT_STATUSES } from './rules.js';

function headerNameProblem(name: string): string | undefined {
  if (!HEADER_NAME.test(name)) return "a header name (letters, digits and !#$%&'*+.^_`|~-)";
  if (FRAMING_HEADERS.has(name.toLowerCase())) return 'a header serve-here does not compute itself';
  return undefined;
}

function headerValueProblem(value: string): string | undefined {
  return /[\r\n\0]/.test(value) ? 'a header value on one line' : undefined;
}

const headerLine = text('"Name: value"', (value) => {
  const colon = value.indexOf(':');
  if (colon === -1) return '"Name: value"';
  return headerNameProblem(value.slice(0, colon).trim()) ?? headerValueProblem(value);
});

const pattern = text('a path pattern such as /blog/:slug or /app/**', (value) => {
  try {
    compilePattern(value);
    return undefined;
  } catch (error) {
    if (error instanceof PatternError) return error.message;
    throw error;
  }
});

/**
 * A path (`/new/:slug`; `index.html` is rooted as in serve) or an http(s) URL. Never `//host`
 * or `/\host`, which browsers read as another host, nor another scheme (`javascript:`).
 */
const DESTINATION =
  /^(?:\/(?![/\\])|(?![A-Za-z][A-Za-z0-9+.-]*:)[^/\\]|https?:\/\/[^/?#:]+(?::[0-9]+)?(?:[/?#]|$))/;

const destination = text('a path such as /new/:slug, or an http(s) URL', (value) =>
  DESTINATION.test(value) ? undefined : 'a path starting with a single /, or an http(s) URL',
);

/** A proxy destination, by the rules --proxy applies (src/proxy/target.ts). */
const httpUrl = text('an http(s) URL such as http://localhost:3000', (value) => {
  if (!/^https?:\/\//i.test(value)) return 'an http(s) URL such as http://localhost:3000';
  return parseProxyTarget(value).kind === 'invalid'
    ? 'an http(s) URL without user, password, query or fragment, such as http://localhost:3000'
    : undefined;
});

/** A proxy rule's source, by the proxy's own rules (src/proxy/match.ts): * and ** only. */
const proxySource = text('a path pattern such as /api/**', (value) =>
  parseSource(value).kind === 'invalid'
    ? 'a path such as /api/** (with * and ** only, no :parameters)'
    : undefined,
);

/**
 * A destination may use only parameters its source captures, and only after the origin: a
 * request can then fill in path text, never choose a host or a scheme.
 */
function checkDestinationParams(rule: Record<string, unknown>, path: string): CheckFailure | undefined {
  const source = compilePattern(rule.source as string);
  const written = rule.destination as string;
  const origin = destinationOrigin(written);
  if (destinationParams(origin).length > 0) {
    return { path: `${path}.destination`, message: 'expected parameters only in the path, not in the host' };
  }
  const missing = destinationParams(written).find((name) => !source.params.includes(name));
  if (missing !== undefined) {
    return {
      path: `${path}.destination`,
      message: `expected only parameters the source captures, but :${missing} is not one`,
    };
  }
  return undefined;
}

const rewrite = object(
  { source: pattern, destination },
  {
    required: ['source', 'destination'],
    expected: 'an object { "source", "destination" }',
    refine: checkDestinationParams,
  },
);

const redirect = object(
  {
    source: pattern,
    destination,
    type: oneOf(REDIRECT_STATUSES, `a redirect status: ${REDIRECT_STATUSES.join(', ')}`),
  },
  {
    required: ['source', 'destination'],
    expected: 'an object { "source", "destination", "type" }',
    refine: checkDestinationParams,
  },
);

const headerEntry = object(
  {
    key: text('a header name', headerNameProblem),
    value: text('a header value', headerValueProblem),
  },
  { required: ['key', 'value'], expected: 'an object { "key", "value" }' },
);

const headerRule = object(
  { source: pattern, headers: list(headerEntry, 'a list of { "key", "value" }') },
  { required: ['source', 'headers'], expected: 'an object { "source", "headers" }' },
);

const proxyRule = object(
  { source: proxySource, destination: httpUrl },
  { required: ['source', 'destination'], expected: 'an object { "source", "destination" }' },
);

const isBoolean = (v: unknown): boolean => typeof v === 'boolean';
const isString = (v: unknown): boolean => typeof v === 'string';

/** true or false, or a string checked by `shape` (`"spa": "app.html"`). */
function flagOrText(expected: string, shape: Shape): Shape {
  return either(expected, [isBoolean, bool], [isString, shape]);
}

/** The whole file. Keys of the command line first, then serve.json's, then the proxy. */
export const CONFIG_SHAPE = object(
  {
    $schema: text('the URL or path of the JSON Schema'),
    // The command line's options, under their long names.
    port: wholeNumber(0, 65535, 'a port from 0 to 65535'),
    host: either(
      'an address, or true for every interface',
      [(v) => v === true, bool],
      [isString, text('an address', (v) => (v === '' ? 'an address' : undefined))],
    ),
    dotfiles: bool,
    followSymlinks: bool,
    cache: wholeNumber(0, Number.MAX_SAFE_INTEGER, 'a whole number of seconds'),
    listing: bool,
    compress: bool,
    quiet: bool,
    cleanUrls: bool,
    spa: flagOrText(
      'true, false or a file path such as index.html',
      text('a file path', (value) =>
        isAbsolute(value) || spaSegments(value) === undefined
          ? 'a file inside the served folder, such as app.html'
          : undefined,
      ),
    ),
    cors: bool,
    header: list(headerLine, 'a list of "Name: value" headers'),
    isolate: bool,
    open: flagOrText('true, false or a path to open', text('a path')),
    watch: bool,
    auth: text('user:password or user:sha256:<hex>', (value) =>
      value.includes(':') && !value.startsWith(':') ? undefined : 'user:password or user:sha256:<hex>',
    ),
    qr: bool,
    https: bool,
    tlsCert: text('a certificate file (PEM)'),
    tlsKey: text('a key file (PEM)'),
    tlsPasswordFile: text("a file holding the key's password"),
    upload: either(
      'true, false or "overwrite"',
      [(v) => typeof v === 'boolean', bool],
      [isString, oneOf(['overwrite'], '"overwrite"')],
    ),
    maxUpload: either(
      'a size in bytes, or a text such as "500M" or "2G"',
      [(v) => typeof v === 'number', wholeNumber(1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes')],
      [
        isString,
        text('a size such as 500M or 2G', (value) =>
          parseSize(value) === undefined ? 'a size such as 500M or 2G' : undefined,
        ),
      ],
    ),
    zip: bool,
    // serve.json's keys.
    public: text('a folder path, relative to the config file'),
    rewrites: list(rewrite, 'a list of { "source", "destination" } rules'),
    redirects: list(redirect, 'a list of { "source", "destination", "type" } rules'),
    headers: list(headerRule, 'a list of { "source", "headers" } rules'),
    directoryListing: bool,
    unlisted: list(pattern, 'a list of names or path patterns'),
    trailingSlash: oneOf([true], 'true (folders always end in / in serve-here, so false is not supported)'),
    etag: bool,
    symlinks: oneOf(
      [true],
      'true (serve-here always serves links that stay inside the folder; false is not supported)',
    ),
    renderSingle: oneOf([false], 'false (serve-here does not render a lone file in place of its folder)'),
    // Proxy rules (the proxy itself is its own capability).
    proxy: either(
      'an http(s) URL or a list of { "source", "destination" } rules',
      [isString, httpUrl],
      [Array.isArray, list(proxyRule, 'a list of { "source", "destination" } rules')],
    ),
  },
  {
    expected: 'an object (a JSON file starting with {)',
    refine(value) {
      if (
        value.listing !== undefined &&
        value.directoryListing !== undefined &&
        value.listing !== value.directoryListing
      ) {
        return {
          path: 'directoryListing',
          message: 'expected the same value as "listing" (they are one setting)',
        };
      }
      return undefined;
    },
  },
);
