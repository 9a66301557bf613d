// test/export.test.ts
// --export, proven: the same behaviour checks run against serve-here itself and against real
// nginx and Caddy started with the exported config. A check a target cannot pass names the
// documented difference (differences.ts) that excuses it, and the export must say so.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { differencesFor, type ExportSite, renderExport, siteFrom } from '../src/export/index.js';
import { HTPASSWD_PATH } from '../src/export/nginx.js';
import { type StartOptions, startServer } from '../src/serve/server.js';
import { type ExternalServer, externalSkipReason, freePort, startExternal } from './export-servers.js';
import { get, type Reply } from './helpers.js';

type Target = 'serve-here' | ExternalServer;

interface Expect {
  readonly status: number;
  /** Header values that must match (exact string or pattern; undefined: must be absent). */
  readonly headers?: Readonly<Record<string, string | RegExp | undefined>>;
  readonly body?: string | RegExp;
}

interface Check {
  readonly name: string;
  readonly path: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly expect: Expect;
  /** What a target does instead, and the id of the documented difference that says so. */
  readonly differs?: Partial<
    Record<ExternalServer, { readonly difference: string; readonly expect: Expect }>
  >;
}

interface Variant {
  readonly name: string;
  /** The options, given the URL of the test's app (for the proxy variants). */
  readonly options: Partial<StartOptions> | ((appUrl: string) => Partial<StartOptions>);
  readonly checks: readonly Check[];
}

const LONG_CSS = `body { color: #333; }\n${'/* padding so that the file is worth compressing */\n'.repeat(40)}`;
const LONG_JS = `console.log("app");\n${'// padding so that the file is worth compressing\n'.repeat(40)}`;
const BYTES = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
const NOT_200 = { status: 404 } as const;

const DEFAULT_CHECKS: readonly Check[] = [
  {
    name: 'the index page',
    path: '/',
    expect: { status: 200, body: /home page/, headers: { 'content-type': /^text\/html; ?charset=utf-8$/i } },
  },
  { name: 'a clean URL', path: '/about', expect: { status: 200, body: /about page/ } },
  {
    name: 'a folder without its slash redirects',
    path: '/docs',
    expect: { status: 301, headers: { location: /(^|:\d+)\/docs\/$/ } },
    differs: {
      caddy: { difference: 'redirect-308', expect: { status: 308, headers: { location: /\/docs\/$/ } } },
    },
  },
  { name: "a folder's index.html", path: '/docs/', expect: { status: 200, body: /docs index/ } },
  {
    name: 'a folder without index.html is listed',
    path: '/blog/',
    expect: { status: 200, body: /post\.txt/ },
  },
  { name: 'a dotfile is hidden', path: '/.env', expect: { status: 404, body: /custom 404/ } },
  { name: 'a dotfile in a dot-folder is hidden', path: '/sub/.git/config', expect: { status: 404 } },
  {
    name: '/.well-known/ is public',
    path: '/.well-known/security.txt',
    expect: { status: 200, body: /contact/ },
  },
  { name: 'a dotfile inside /.well-known/ is hidden', path: '/.well-known/.hidden', expect: NOT_200 },
  {
    name: "a missing page gets the folder's 404.html",
    path: '/nope',
    expect: { status: 404, body: /custom 404/ },
  },
  {
    name: 'a symlink out of the folder is refused',
    path: '/out-link.txt',
    expect: { status: 404 },
    differs: { caddy: { difference: 'symlinks-out', expect: { status: 200, body: /outside/ } } },
  },
  {
    name: 'a symlink inside the folder is served',
    path: '/in-link.html',
    expect: { status: 200, body: /about page/ },
    differs: { nginx: { difference: 'symlinks-inside', expect: { status: 404 } } },
  },
  {
    name: 'text has charset=utf-8, nosniff and no-cache',
    path: '/style.css',
    expect: {
      status: 200,
      headers: {
        'content-type': /^text\/css; ?charset=utf-8$/i,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      },
    },
  },
  {
    name: 'markdown is text',
    path: '/notes.md',
    expect: { status: 200, headers: { 'content-type': /^text\/markdown; ?charset=utf-8$/i } },
  },
  {
    name: 'a precompressed .gz sibling or gzip on the fly',
    path: '/app.js',
    headers: { 'Accept-Encoding': 'gzip' },
    expect: { status: 200, headers: { 'content-encoding': 'gzip', vary: /Accept-Encoding/i } },
  },
  {
    name: 'a byte range',
    path: '/data.bin',
    headers: { Range: 'bytes=10-19' },
    expect: {
      status: 206,
      headers: { 'content-range': 'bytes 10-19/100' },
      body: BYTES.subarray(10, 20).toString('latin1'),
    },
  },
  {
    name: 'POST is refused',
    path: '/style.css',
    method: 'POST',
    expect: { status: 405, headers: { allow: /GET/ } },
  },
  {
    name: 'OPTIONS is answered',
    path: '/',
    method: 'OPTIONS',
    expect: { status: 204, headers: { allow: /GET, HEAD, OPTIONS/ } },
  },
  {
    name: 'JavaScript is text/javascript',
    path: '/app.js',
    expect: { status: 200, headers: { 'content-type': /^text\/javascript; ?charset=utf-8$/i } },
    differs: {
      nginx: {
        difference: 'mime-names',
        expect: { status: 200, headers: { 'content-type': /^application\/javascript; ?charset=utf-8$/i } },
      },
    },
  },
  {
    name: 'brotli for a client that takes only brotli',
    path: '/style.css',
    headers: { 'Accept-Encoding': 'br' },
    expect: { status: 200, headers: { 'content-encoding': 'br' } },
    differs: {
      nginx: { difference: 'no-brotli', expect: { status: 200, headers: { 'content-encoding': undefined } } },
      caddy: { difference: 'no-brotli', expect: { status: 200, headers: { 'content-encoding': undefined } } },
    },
  },
  {
    name: 'a path with ".." inside the folder redirects to its clean form',
    path: '/blog/../about.html',
    expect: { status: 301, headers: { location: '/about.html' } },
    differs: {
      nginx: { difference: 'dot-segments', expect: { status: 200, body: /about page/ } },
      caddy: { difference: 'dot-segments', expect: { status: 200, body: /about page/ } },
    },
  },
  {
    name: 'climbing above the folder is refused',
    path: '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    expect: { status: 400 },
    differs: { caddy: { difference: 'climb-404', expect: { status: 404 } } },
  },
];

const VARIANTS: readonly Variant[] = [
  { name: 'default flags', options: {}, checks: DEFAULT_CHECKS },
  {
    name: '--spa',
    options: { spa: true },
    checks: [
      {
        name: 'a browser navigation gets the SPA page',
        path: '/app/route',
        headers: { Accept: 'text/html,*/*' },
        expect: { status: 200, body: /home page/, headers: { 'cache-control': 'no-cache' } },
      },
      {
        name: 'a fetch for JSON gets a 404',
        path: '/app/route',
        headers: { Accept: 'application/json' },
        expect: NOT_200,
      },
      {
        name: 'a missing asset gets a 404',
        path: '/missing.js',
        headers: { Accept: 'text/html' },
        expect: NOT_200,
      },
      {
        name: 'a clean URL beats the SPA page',
        path: '/about',
        headers: { Accept: 'text/html' },
        expect: { status: 200, body: /about page/ },
      },
    ],
  },
  {
    name: '--no-listing --cors --cache 60 --isolate --header',
    options: { listing: false, cors: true, cache: 60, isolate: true, headers: { 'X-Frame-Options': 'DENY' } },
    checks: [
      { name: 'a folder without index.html is a 404', path: '/blog/', expect: { status: 404 } },
      {
        name: 'files carry CORS, isolation, cache and custom headers',
        path: '/style.css',
        expect: {
          status: 200,
          headers: {
            'access-control-allow-origin': '*',
            'cache-control': 'public, max-age=60',
            'cross-origin-opener-policy': 'same-origin',
            'cross-origin-embedder-policy': 'require-corp',
            'x-frame-options': 'DENY',
          },
        },
      },
      {
        name: 'a preflight is answered',
        path: '/style.css',
        method: 'OPTIONS',
        headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'GET' },
        expect: {
          status: 204,
          headers: { 'access-control-allow-methods': /GET/, 'access-control-allow-origin': '*' },
        },
      },
      {
        name: 'a 404 is never cached',
        path: '/nope',
        expect: { status: 404, headers: { 'cache-control': 'no-cache' } },
      },
    ],
  },
  {
    name: '--auth',
    options: { auth: 'alice:s3cret' },
    checks: [
      {
        name: 'no login gets 401 and a Basic challenge',
        path: '/style.css',
        expect: { status: 401, headers: { 'www-authenticate': /^Basic realm="serve-here"/ } },
      },
      {
        name: 'a wrong password gets 401',
        path: '/style.css',
        headers: { Authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` },
        expect: { status: 401 },
      },
      {
        name: 'the right login gets the file',
        path: '/style.css',
        headers: { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
        expect: { status: 200, body: /padding/ },
      },
    ],
  },
  {
    name: 'config rules (redirects, rewrites, headers)',
    options: {
      redirects: [{ source: '/old/:slug', destination: '/new/:slug' }],
      rewrites: [{ source: '/app/**', destination: '/index.html' }],
      headerRules: [{ source: '**/*.css', headers: [{ key: 'X-Style', value: 'yes' }] }],
    },
    checks: [
      {
        name: 'a redirect takes its parameter and keeps the query',
        path: '/old/abc?x=1',
        expect: { status: 301, headers: { location: /(^|:\d+)\/new\/abc\?x=1$/ } },
      },
      {
        name: 'a rewrite serves another file',
        path: '/app/deep/route',
        expect: { status: 200, body: /home page/ },
      },
      {
        name: 'a header rule adds its header',
        path: '/style.css',
        expect: { status: 200, headers: { 'x-style': 'yes' } },
      },
      {
        name: 'only to matching paths',
        path: '/about.html',
        expect: { status: 200, headers: { 'x-style': undefined } },
      },
    ],
  },
  {
    name: '--proxy URL',
    options: (appUrl) => ({ proxy: appUrl }),
    checks: [
      { name: 'a file is still served', path: '/style.css', expect: { status: 200, body: /padding/ } },
      {
        name: 'a missing path goes to the app',
        path: '/api/users?page=2',
        expect: { status: 200, body: /^app GET \/api\/users\?page=2$/ },
      },
      {
        name: 'another method goes to the app, even for a file',
        path: '/style.css',
        method: 'POST',
        expect: { status: 200, body: /^app POST \/style\.css$/ },
      },
      {
        name: "the app's answer carries the app's headers",
        path: '/nope',
        expect: { status: 200, headers: { 'x-app': 'yes', 'x-content-type-options': undefined } },
      },
    ],
  },
  {
    name: 'proxy rules',
    options: (appUrl) => ({ proxy: [{ source: '/api/**', destination: `${appUrl}/v1` }] }),
    checks: [
      {
        name: 'a matching path goes to the app, after its path',
        path: '/api/x',
        expect: { status: 200, body: /^app GET \/v1\/api\/x$/ },
      },
      { name: 'a file is served', path: '/style.css', expect: { status: 200, body: /padding/ } },
      { name: 'a missing path outside the rule is a 404', path: '/nope', expect: { status: 404 } },
    ],
  },
];

/** The app behind the proxy variants: it says what it was asked. */
async function startApp(): Promise<{ url: string; close(): Promise<void> }> {
  const app = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('X-App', 'yes');
      res.end(`app ${req.method} ${req.url}`);
    });
  });
  app.listen(0, '127.0.0.1');
  await once(app, 'listening');
  const address = app.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      app.closeAllConnections();
      return new Promise((done) => app.close(() => done()));
    },
  };
}

/** The fixture site, in a folder whose name has a space and a quote (quoting is part of the test). */
async function makeSite(): Promise<{ base: string; root: string }> {
  const base = await mkdtemp(join(tmpdir(), 'serve-here-export-'));
  const root = join(base, 'my "site" here');
  const files: Record<string, string | Buffer> = {
    'index.html': '<!doctype html><h1>home page</h1>',
    'about.html': '<!doctype html><h1>about page</h1>',
    'docs/index.html': '<!doctype html><h1>docs index</h1>',
    'blog/post.txt': 'a post',
    '.env': 'SECRET=1',
    '.well-known/security.txt': 'contact: nobody',
    '.well-known/.hidden': 'hidden',
    'sub/.git/config': '[core]',
    '404.html': '<!doctype html><h1>custom 404</h1>',
    'style.css': LONG_CSS,
    'app.js': LONG_JS,
    'app.js.gz': gzipSync(LONG_JS),
    'data.bin': BYTES,
    'notes.md': '# notes',
  };
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), content);
  }
  await writeFile(join(base, 'outside.txt'), 'outside');
  await symlink(join(base, 'outside.txt'), join(root, 'out-link.txt'));
  await symlink('about.html', join(root, 'in-link.html'));
  return { base, root };
}

function assertReply(reply: Reply, expect: Expect, label: string): void {
  assert.equal(reply.status, expect.status, `${label}: status`);
  for (const [name, want] of Object.entries(expect.headers ?? {})) {
    const got = reply.headers[name];
    if (want === undefined) assert.equal(got, undefined, `${label}: ${name} should be absent`);
    else if (typeof want === 'string') assert.equal(got, want, `${label}: ${name}`);
    else assert.match(String(got), want, `${label}: ${name}`);
  }
  if (expect.body !== undefined) {
    const body = reply.body.toString('latin1');
    if (typeof expect.body === 'string') assert.equal(body, expect.body, `${label}: body`);
    else assert.match(body, expect.body, `${label}: body`);
  }
}

const TARGETS: readonly Target[] = ['serve-here', 'nginx', 'caddy'];

let site: { base: string; root: string };
before(async () => {
  site = await makeSite();
});
after(() => rm(site.base, { recursive: true, force: true }));

for (const target of TARGETS) {
  const skip = target === 'serve-here' ? false : externalSkipReason(target);
  describe(`${target} with an exported config`, { skip }, () => {
    for (const variant of VARIANTS) {
      describe(variant.name, () => {
        let port = 0;
        let exported: ExportSite | undefined;
        let text = '';
        const cleanUps: (() => Promise<void>)[] = [];
        after(async () => {
          for (const cleanUp of cleanUps.reverse()) await cleanUp();
        });
        before(async () => {
          let options: Partial<StartOptions>;
          if (typeof variant.options === 'function') {
            const app = await startApp();
            cleanUps.push(() => app.close());
            options = variant.options(app.url);
          } else options = variant.options;
          if (target === 'serve-here') {
            const running = await startServer({ root: site.root, host: '127.0.0.1', port: 0, ...options });
            port = running.port;
            cleanUps.push(() => {
              running.server.closeAllConnections();
              return running.close();
            });
            return;
          }
          port = await freePort();
          exported = siteFrom({ root: site.root, port, host: '127.0.0.1', ...options }, '0.0.0-test');
          text = renderExport(target, exported);
          if (target === 'nginx' && exported.auth !== undefined) {
            // The export names where the htpasswd line goes; the test puts it in its own folder.
            const line = /^# (alice:\S+)$/m.exec(text)?.[1];
            assert.ok(line, 'the export carries the htpasswd line');
            const file = join(site.base, `htpasswd-${port}`);
            await writeFile(file, `${line}\n`);
            text = text.replaceAll(HTPASSWD_PATH, file);
          }
          await startExternal((fn) => cleanUps.push(fn), target, text, port);
        });
        for (const check of variant.checks) {
          const differs = target === 'serve-here' ? undefined : check.differs?.[target];
          const title =
            differs === undefined
              ? check.name
              : `${check.name} (documented difference: ${differs.difference})`;
          test(`${check.method ?? 'GET'} ${check.path}: ${title}`, async () => {
            const reply = await get(port, check.path, { ...check.headers }, check.method ?? 'GET');
            assertReply(reply, differs?.expect ?? check.expect, `${target} ${check.path}`);
            if (differs !== undefined && exported !== undefined && target !== 'serve-here') {
              const difference = differencesFor(target, exported).find((d) => d.id === differs.difference);
              assert.ok(
                difference,
                `${differs.difference} is a documented difference of ${target} for these flags`,
              );
              assert.ok(
                text.includes(`# - ${target}: ${difference.text}`),
                'the export says so in a comment',
              );
            }
          });
        }
      });
    }
  });
}
