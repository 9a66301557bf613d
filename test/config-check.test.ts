// test/config-check.test.ts
// The config file's checker: every message for a table of mistakes, and agreement with the
// shipped JSON Schema (serve-here.schema.json) on valid and invalid examples.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { checkConfig, formatConfigFailure } from '../src/config/index.js';

const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(new URL('../../serve-here.schema.json', import.meta.url), 'utf8'),
) as object;

/** A mistake and the exact line after `serve-here: `. */
const mistakes: readonly (readonly [unknown, string])[] = [
  [[], 'f.json: expected an object (a JSON file starting with {), got a list'],
  [null, 'f.json: expected an object (a JSON file starting with {), got null'],
  [{ prot: 80 }, 'f.json: prot: unknown key; did you mean "port"?'],
  [{ zip: 'yes' }, 'f.json: zip: expected true or false, got the text "yes"'],
  [
    { proxy: [{ source: '/api/:id', destination: 'http://localhost:3000' }] },
    'f.json: proxy[0].source: expected a path such as /api/** (with * and ** only, no :parameters), got the text "/api/:id"',
  ],
  [
    { proxy: 'http://user:pw@localhost:3000' },
    'f.json: proxy: expected an http(s) URL without user, password, query or fragment, such as http://localhost:3000, got the text "http://user:pw@localhost:3000"',
  ],
  [{ upload: 'replace' }, 'f.json: upload: expected "overwrite", got the text "replace"'],
  [{ maxUpload: 'lots' }, 'f.json: maxUpload: expected a size such as 500M or 2G, got the text "lots"'],
  [{ auth: 'nocolon' }, 'f.json: auth: expected user:password or user:sha256:<hex>, got the text "nocolon"'],
  [{ clean_urls: true }, 'f.json: clean_urls: unknown key; did you mean "cleanUrls"?'],
  [{ colour: true }, 'f.json: colour: unknown key (serve-here.schema.json lists every key)'],
  [{ port: 70000 }, 'f.json: port: expected a port from 0 to 65535, got 70000'],
  [{ port: '8080' }, 'f.json: port: expected a port from 0 to 65535, got the text "8080"'],
  [{ port: 1.5 }, 'f.json: port: expected a port from 0 to 65535, got 1.5'],
  [{ host: false }, 'f.json: host: expected an address, or true for every interface, got false'],
  [{ host: '' }, 'f.json: host: expected an address, got the text ""'],
  [{ cache: -1 }, 'f.json: cache: expected a whole number of seconds, got -1'],
  [{ cache: '3600' }, 'f.json: cache: expected a whole number of seconds, got the text "3600"'],
  [{ dotfiles: 'yes' }, 'f.json: dotfiles: expected true or false, got the text "yes"'],
  [{ cleanUrls: ['/app/**'] }, 'f.json: cleanUrls: expected true or false, got a list'],
  [{ spa: 3 }, 'f.json: spa: expected true, false or a file path such as index.html, got 3'],
  [
    { spa: '../outside.html' },
    'f.json: spa: expected a file inside the served folder, such as app.html, got the text "../outside.html"',
  ],
  [
    { spa: '/etc/passwd' },
    'f.json: spa: expected a file inside the served folder, such as app.html, got the text "/etc/passwd"',
  ],
  [{ open: null }, 'f.json: open: expected true, false or a path to open, got null'],
  [{ header: 'X-A: 1' }, 'f.json: header: expected a list of "Name: value" headers, got the text "X-A: 1"'],
  [{ header: ['X-A 1'] }, 'f.json: header[0]: expected "Name: value", got the text "X-A 1"'],
  [
    { header: ['Content-Length: 5'] },
    'f.json: header[0]: expected a header serve-here does not compute itself, got the text "Content-Length: 5"',
  ],
  [
    { header: ['X-A: 1\r\nX-B: 2'] },
    'f.json: header[0]: expected a header value on one line, got the text "X-A: 1\\r\\nX-B: 2"',
  ],
  [{ rewrites: {} }, 'f.json: rewrites: expected a list of { "source", "destination" } rules, got an object'],
  [
    { rewrites: [{ source: '/a' }] },
    'f.json: rewrites[0].destination: expected a path such as /new/:slug, or an http(s) URL, but it is missing',
  ],
  [
    { rewrites: [{ source: '/a', destination: '/b', to: '/c' }] },
    'f.json: rewrites[0].to: unknown key; expected one of source, destination',
  ],
  [
    { rewrites: [{ source: '/a/:id', destination: '/b/:slug' }] },
    'f.json: rewrites[0].destination: expected only parameters the source captures, but :slug is not one',
  ],
  [
    { rewrites: [{ source: '/a/:id/:id', destination: '/b' }] },
    'f.json: rewrites[0].source: expected a pattern with :id only once, got the text "/a/:id/:id"',
  ],
  [
    { rewrites: [{ source: '/a/**x', destination: '/b' }] },
    'f.json: rewrites[0].source: expected a pattern with ** only as a whole segment, got the text "/a/**x"',
  ],
  [
    { rewrites: [{ source: '/a/{x,y', destination: '/b' }] },
    'f.json: rewrites[0].source: expected a pattern whose { is closed, got the text "/a/{x,y"',
  ],
  [
    { redirects: [{ source: '/a', destination: '/b', type: 404 }] },
    'f.json: redirects[0].type: expected a redirect status: 301, 302, 303, 307, 308, got 404',
  ],
  [
    { redirects: [{ source: '/a', destination: '/b', type: '301' }] },
    'f.json: redirects[0].type: expected a redirect status: 301, 302, 303, 307, 308, got the text "301"',
  ],
  [
    { redirects: [{ source: '/a', destination: '//evil.example' }] },
    'f.json: redirects[0].destination: expected a path starting with a single /, or an http(s) URL, got the text "//evil.example"',
  ],
  [
    { redirects: [{ source: '/a', destination: '/\\evil.example' }] },
    'f.json: redirects[0].destination: expected a path starting with a single /, or an http(s) URL, got the text "/\\\\evil.example"',
  ],
  [
    { redirects: [{ source: '/a', destination: 'javascript:alert(1)' }] },
    'f.json: redirects[0].destination: expected a path starting with a single /, or an http(s) URL, got the text "javascript:alert(1)"',
  ],
  [
    { redirects: [{ source: '/:host', destination: 'https://:host/' }] },
    'f.json: redirects[0].destination: expected a path starting with a single /, or an http(s) URL, got the text "https://:host/"',
  ],
  [
    { redirects: [{ source: '/:id', destination: 'https://example.com:id' }] },
    'f.json: redirects[0].destination: expected a path starting with a single /, or an http(s) URL, got the text "https://example.com:id"',
  ],
  [
    { redirects: [{ source: '/a', typo: 1 }] },
    'f.json: redirects[0].typo: unknown key; did you mean "type"?',
  ],
  [
    { headers: [{ source: '/a' }] },
    'f.json: headers[0].headers: expected a list of { "key", "value" }, but it is missing',
  ],
  [
    { headers: [{ source: '/a', headers: [{ key: 'Cache-Control', value: 5 }] }] },
    'f.json: headers[0].headers[0].value: expected a header value, got 5',
  ],
  [
    { headers: [{ source: '/a', headers: [{ key: 'Bad Name', value: 'x' }] }] },
    'f.json: headers[0].headers[0].key: expected a header name (letters, digits and !#$%&\'*+.^_`|~-), got the text "Bad Name"',
  ],
  [
    { headers: [{ source: '/a', headers: [{ key: 'Transfer-Encoding', value: 'chunked' }] }] },
    'f.json: headers[0].headers[0].key: expected a header serve-here does not compute itself, got the text "Transfer-Encoding"',
  ],
  [
    { unlisted: ['.git', 3] },
    'f.json: unlisted[1]: expected a path pattern such as /blog/:slug or /app/**, got 3',
  ],
  [{ directoryListing: 'no' }, 'f.json: directoryListing: expected true or false, got the text "no"'],
  [
    { listing: true, directoryListing: false },
    'f.json: directoryListing: expected the same value as "listing" (they are one setting)',
  ],
  [
    { trailingSlash: false },
    'f.json: trailingSlash: expected true (folders always end in / in serve-here, so false is not supported), got false',
  ],
  [
    { symlinks: false },
    'f.json: symlinks: expected true (serve-here always serves links that stay inside the folder; false is not supported), got false',
  ],
  [
    { renderSingle: true },
    'f.json: renderSingle: expected false (serve-here does not render a lone file in place of its folder), got true',
  ],
  [{ etag: 0 }, 'f.json: etag: expected true or false, got 0'],
  [
    { proxy: 'localhost:3000' },
    'f.json: proxy: expected an http(s) URL such as http://localhost:3000, got the text "localhost:3000"',
  ],
  [
    { proxy: 3000 },
    'f.json: proxy: expected an http(s) URL or a list of { "source", "destination" } rules, got 3000',
  ],
  [
    { proxy: [{ source: '/api/**', destination: 'ftp://x' }] },
    'f.json: proxy[0].destination: expected an http(s) URL such as http://localhost:3000, got the text "ftp://x"',
  ],
  [
    { proxy: [{ source: '/api/**', destination: 'http://localhost:3000', ws: true }] },
    'f.json: proxy[0].ws: unknown key; expected one of source, destination',
  ],
  [{ 'we\nird': 1 }, 'f.json: "we\\nird": unknown key (serve-here.schema.json lists every key)'],
];

for (const [value, line] of mistakes) {
  test(`checkConfig() refuses ${JSON.stringify(value)}: ${line}`, () => {
    const checked = checkConfig(value);
    assert.equal(checked.ok, false);
    if (checked.ok) return;
    assert.equal(formatConfigFailure('f.json', checked.failure), line);
    assert.doesNotMatch(formatConfigFailure('f.json', checked.failure), /[\r\n]/);
  });
}

/** Valid files: every key, serve.json's shapes, proxy rules, the schema's own key. */
const valid: readonly unknown[] = [
  {},
  { $schema: './node_modules/serve-here/serve-here.schema.json' },
  {
    port: 0,
    host: true,
    dotfiles: false,
    followSymlinks: false,
    cache: 3600,
    listing: false,
    compress: true,
    quiet: true,
    cleanUrls: false,
    spa: 'app.html',
    cors: true,
    header: ['X-Frame-Options: DENY', 'X-A:1'],
    isolate: false,
    open: '/docs/',
  },
  { host: '0.0.0.0', spa: true, open: false },
  {
    public: 'dist',
    cleanUrls: true,
    rewrites: [
      { source: 'app/**', destination: '/index.html' },
      { source: '/projects/:id/edit', destination: '/edit-project-:id.html' },
      { source: '/p/*', destination: 'index.html' },
    ],
    redirects: [
      { source: '/from', destination: '/to' },
      { source: '/old-docs/:id', destination: '/new-docs/:id', type: 302 },
      { source: '/ext/:id', destination: 'https://example.com/docs/:id?x=1', type: 308 },
      { source: '/root', destination: '/' },
    ],
    headers: [
      { source: '**/*.@(jpg|jpeg|gif|png)', headers: [{ key: 'Cache-Control', value: 'max-age=7200' }] },
      { source: '404.html', headers: [] },
    ],
    directoryListing: false,
    unlisted: ['.DS_Store', '.git', '/drafts/**'],
    trailingSlash: true,
    etag: false,
    symlinks: true,
    renderSingle: false,
  },
  { listing: false, directoryListing: false },
  { proxy: 'http://localhost:3000' },
  { proxy: [{ source: '/api/**', destination: 'https://127.0.0.1:8443/v1' }] },
  { watch: true, qr: false, zip: true, upload: 'overwrite', maxUpload: '500M', auth: 'ann:secret' },
  {
    https: false,
    tlsCert: 'cert.pem',
    tlsKey: 'key.pem',
    tlsPasswordFile: 'pw.txt',
    upload: true,
    maxUpload: 1024,
  },
];

for (const value of valid) {
  test(`checkConfig() accepts ${JSON.stringify(value).slice(0, 80)}`, () => {
    const checked = checkConfig(value);
    assert.deepEqual(checked, { ok: true, config: value });
  });
}

/**
 * Rules JSON Schema cannot state (parameters a source captures, framing headers, two keys
 * that must agree, a proxy URL that URL() refuses): the checker is stricter there, never looser.
 */
const stricterThanSchema = new Set<unknown>(
  mistakes
    .map(([value]) => value)
    .filter((value) => {
      const text = JSON.stringify(value);
      return (
        text.includes(':slug') ||
        text.includes(':id/:id') ||
        text.includes('**x') ||
        text.includes('{x,y') ||
        text.includes('Content-Length') ||
        text.includes('Transfer-Encoding') ||
        text.includes('"directoryListing":false') ||
        text.includes('"spa":"') ||
        text.includes('/api/:id') ||
        text.includes('user:pw@')
      );
    }),
);

test('serve-here.schema.json agrees with checkConfig() on every example', () => {
  const Ajv = require('ajv') as new (
    options: object,
  ) => { compile(schema: object): (value: unknown) => boolean };
  const validate = new Ajv({ strict: true, allowUnionTypes: true }).compile(schema);
  for (const value of valid) assert.equal(validate(value), true, `schema refuses ${JSON.stringify(value)}`);
  let compared = 0;
  for (const [value] of mistakes) {
    if (stricterThanSchema.has(value)) {
      assert.equal(
        validate(value),
        true,
        `schema refuses ${JSON.stringify(value)}; move it out of the stricter list`,
      );
      continue;
    }
    assert.equal(validate(value), false, `schema accepts ${JSON.stringify(value)}`);
    compared++;
  }
  assert.ok(compared >= 35, `only ${compared} mistakes compared`);
});

test('serve-here.schema.json lists exactly the keys checkConfig() knows', async () => {
  const { CONFIG_SHAPE } = await import('../src/config/schema.js');
  const properties = (schema as { properties: Record<string, unknown> }).properties;
  assert.deepEqual(Object.keys(properties).sort(), Object.keys(CONFIG_SHAPE.fields).sort());
});
