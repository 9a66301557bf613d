// test/live-http.test.ts
// Live reload over HTTP: which responses get the script and what that does to their length,
// ETag, 304s, compression, HEAD and Range; the reserved URLs; and the events stream (headers,
// events after changes, bursts, ignored paths, timeouts, clients leaving, shutdown).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { LIVE_SCRIPT_TAG } from '../src/live/inject.js';
import type { RunningServer, StartOptions } from '../src/serve/server.js';
import { settle } from './child-server.js';
import { get, makeTree, rawGet, serve } from './helpers.js';

const PAGE =
  '<!doctype html><html><head><link rel="stylesheet" href="s.css"></head><body><p>hello</p></body></html>\n';
const BIG_PAGE = `<!doctype html><html><body>${'<p>lorem ipsum dolor sit amet</p>\n'.repeat(200)}</body></html>\n`;

function injected(page: string): string {
  const at = page.lastIndexOf('</body>');
  return `${page.slice(0, at)}${LIVE_SCRIPT_TAG}${page.slice(at)}`;
}

async function site(t: TestContext): Promise<string> {
  return makeTree(t, {
    'index.html': PAGE,
    'big.html': BIG_PAGE,
    'about.html': '<h1>about</h1>',
    's.css': 'p{color:red}\n',
    'app.js': 'console.log(1);\n'.repeat(100),
    '404.html': '<html><body>custom missing</body></html>',
    'sub/a.txt': 'a',
  });
}

async function serveLive(t: TestContext, root: string, options: StartOptions = {}): Promise<RunningServer> {
  const server = await serve(t, { root, watch: true, ...options });
  assert.equal(await server.live?.ready, true);
  return server;
}

/** An events stream read event by event. */
interface Stream {
  readonly res: IncomingMessage;
  next(): Promise<{ event: string; data: string }>;
  close(): void;
}

async function openStream(port: number): Promise<Stream> {
  const req = httpRequest({ host: '127.0.0.1', port, path: '/__serve-here/events', agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.setEncoding('utf8');
  let buffer = '';
  const queue: { event: string; data: string }[] = [];
  const waiting: ((value: { event: string; data: string }) => void)[] = [];
  res.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === undefined || data === undefined) continue;
      const waiter = waiting.shift();
      if (waiter) waiter({ event, data });
      else queue.push({ event, data });
    }
  });
  res.on('error', () => {});
  return {
    res,
    next: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => req.destroy(),
  };
}

test('without --watch: pages are sent as they are and /__serve-here/ does not exist', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serve(t, { root });
  assert.equal(server.live, undefined);
  const page = await get(server.port, '/');
  assert.equal(page.text, PAGE);
  assert.equal(page.headers['content-length'], String(Buffer.byteLength(PAGE)));
  assert.equal((await get(server.port, '/__serve-here/live.js')).status, 404);
  assert.equal((await get(server.port, '/__serve-here/events')).status, 404);
});

test('GET / with --watch: the tag before </body>, and a length and ETag of its own', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const plain = await serve(t, { root });
  const server = await serveLive(t, root);
  const page = await get(server.port, '/');
  assert.equal(page.status, 200);
  assert.equal(page.text, injected(PAGE));
  assert.equal(page.headers['content-length'], String(page.body.length));
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['accept-ranges'], undefined);
  const plainTag = (await get(plain.port, '/')).headers.etag ?? '';
  assert.ok(page.headers.etag !== undefined && page.headers.etag !== plainTag);
  assert.equal(page.headers.etag, `${plainTag.slice(0, -1)}-live"`);
});

test("an injected page answers 304 to its own ETag, and 200 to the plain file's", {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const plain = await serve(t, { root });
  const server = await serveLive(t, root);
  const { etag } = (await get(server.port, '/')).headers;
  const again = await get(server.port, '/', { 'If-None-Match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const plainTag = (await get(plain.port, '/')).headers.etag;
  const stale = await get(server.port, '/', { 'If-None-Match': plainTag });
  assert.equal(stale.status, 200);
  assert.equal(stale.text, injected(PAGE));
});

test('an injected page is compressed as sent: br and gzip decode to the injected bytes', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const expected = injected(BIG_PAGE);
  const br = await get(server.port, '/big.html', { 'Accept-Encoding': 'br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers['content-length'], String(br.body.length));
  assert.equal(brotliDecompressSync(br.body).toString(), expected);
  assert.match(br.headers.etag ?? '', /^W\/".*-live-br"$/);
  assert.equal(br.headers.vary, 'Accept-Encoding');
  const gzip = await get(server.port, '/big.html', { 'Accept-Encoding': 'gzip' });
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gzip.body).toString(), expected);
  const again = await get(server.port, '/big.html', {
    'Accept-Encoding': 'br',
    'If-None-Match': br.headers.etag,
  });
  assert.equal(again.status, 304);
});

test("HEAD of an injected page: the GET's headers and no body", { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const getReply = await get(server.port, '/big.html', { 'Accept-Encoding': 'gzip' });
  const head = await get(server.port, '/big.html', { 'Accept-Encoding': 'gzip' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], getReply.headers['content-length']);
  assert.equal(head.headers.etag, getReply.headers.etag);
});

test('a Range request for an injected page gets the whole page (200)', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const reply = await get(server.port, '/', { Range: 'bytes=0-9' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-range'], undefined);
  assert.equal(reply.text, injected(PAGE));
});

test('non-HTML files are byte for byte those of a server without --watch', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const plain = await serve(t, { root });
  const server = await serveLive(t, root);
  for (const [path, headers] of [
    ['/s.css', {}],
    ['/app.js', { 'Accept-Encoding': 'gzip' }],
    ['/sub/a.txt', { Range: 'bytes=0-0' }],
  ] as const) {
    const a = await get(plain.port, path, headers);
    const b = await get(server.port, path, headers);
    assert.equal(b.status, a.status, path);
    assert.deepEqual(b.body, a.body, path);
    assert.equal(b.headers.etag, a.headers.etag, path);
    assert.equal(b.headers['content-length'], a.headers['content-length'], path);
  }
});

test('clean URLs, the SPA page and the custom 404 page get the script too', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root, { spa: true });
  const about = await get(server.port, '/about', { Accept: 'text/html' });
  assert.equal(about.text, `<h1>about</h1>${LIVE_SCRIPT_TAG}`);
  const route = await get(server.port, '/some/route', { Accept: 'text/html' });
  assert.equal(route.status, 200);
  assert.equal(route.text, injected(PAGE));
  const other = await serveLive(t, root);
  const missing = await get(other.port, '/nope.png');
  assert.equal(missing.status, 404);
  assert.equal(missing.text, `<html><body>custom missing${LIVE_SCRIPT_TAG}</body></html>`);
  assert.equal(missing.headers['content-length'], String(missing.body.length));
});

test('a listing page gets the script, and a CSP that lets it and its stream load', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const listing = await get(server.port, '/sub/', { Accept: 'text/html' });
  assert.equal(listing.status, 200);
  assert.equal(listing.text.split(LIVE_SCRIPT_TAG).length, 2);
  assert.ok(listing.text.indexOf(LIVE_SCRIPT_TAG) < listing.text.lastIndexOf('</body>'));
  const csp = String(listing.headers['content-security-policy'] ?? '');
  assert.match(csp, /script-src [^;]*'self'/);
  assert.match(csp, /connect-src 'self'/);
  assert.match(csp, /default-src 'none'/);
  // JSON listings are not pages.
  const json = await get(server.port, '/sub/?format=json');
  assert.ok(!json.text.includes('__serve-here'));
  // The plain server's listing is unchanged by the live one (the page cache is shared).
  const plain = await serve(t, { root });
  const plainListing = await get(plain.port, '/sub/', { Accept: 'text/html' });
  assert.ok(!plainListing.text.includes('__serve-here'));
  assert.doesNotMatch(String(plainListing.headers['content-security-policy']), /'self'/);
});

test('/__serve-here/live.js: JavaScript with an ETag and 304; other methods 405', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const script = await get(server.port, '/__serve-here/live.js');
  assert.equal(script.status, 200);
  assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(script.headers['x-content-type-options'], 'nosniff');
  assert.match(script.text, /EventSource/);
  assert.equal(script.headers['content-length'], String(script.body.length));
  const again = await get(server.port, '/__serve-here/live.js?x=1', { 'If-None-Match': script.headers.etag });
  assert.equal(again.status, 304);
  const post = await get(server.port, '/__serve-here/events', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  // Other names under the prefix are ordinary (missing) paths.
  assert.equal((await rawGet(server.port, '/__serve-here/other')).status, 404);
});

test('the events stream: text/event-stream, then one event per change', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const stream = await openStream(server.port);
  assert.equal(stream.res.statusCode, 200);
  assert.equal(stream.res.headers['content-type'], 'text/event-stream; charset=utf-8');
  assert.equal(stream.res.headers['cache-control'], 'no-cache, no-transform');
  t.after(() => stream.close());
  await writeFile(join(root, 's.css'), 'p{color:blue}\n');
  assert.deepEqual(JSON.parse((await stream.next()).data), { css: true, paths: ['/s.css'], folders: ['/'] });
  await writeFile(join(root, 'sub', 'a.txt'), 'changed');
  const change = await stream.next();
  assert.equal(change.event, 'change');
  assert.deepEqual(JSON.parse(change.data), { css: false, paths: ['/sub/a.txt'], folders: ['/sub/'] });
});

test('a burst of 30 writes is one event, after it ends', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  for (let i = 0; i < 30; i++) await writeFile(join(root, `gen-${i}.js`), `export const n = ${i};\n`);
  const message = JSON.parse((await stream.next()).data) as { paths: string[] };
  assert.equal(message.paths.length, 30);
});

test('ignored: dotfiles, .git/, node_modules/; then new folders are watched', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  await writeFile(join(root, '.env'), 'SECRET=1');
  await mkdir(join(root, '.git'));
  await writeFile(join(root, '.git', 'HEAD'), 'ref');
  await mkdir(join(root, 'node_modules', 'x'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'x', 'index.js'), '1');
  await writeFile(join(root, 'index.html'), PAGE.replace('hello', 'bye'));
  const first = JSON.parse((await stream.next()).data) as { paths: string[] };
  assert.deepEqual(first.paths, ['/index.html']);
  // A folder made after the start is watched too.
  await mkdir(join(root, 'later'));
  assert.deepEqual((JSON.parse((await stream.next()).data) as { paths: string[] }).paths, ['/later']);
  await writeFile(join(root, 'later', 'page.html'), '<p>x</p>');
  assert.deepEqual((JSON.parse((await stream.next()).data) as { paths: string[] }).paths, [
    '/later/page.html',
  ]);
  // …and a deleted or renamed one reports its name.
  await rename(join(root, 'later'), join(root, 'renamed'));
  const renamed = JSON.parse((await stream.next()).data) as { paths: string[] };
  assert.deepEqual(renamed.paths.sort(), ['/later', '/renamed']);
  await rm(join(root, 'renamed'), { recursive: true });
  assert.ok((JSON.parse((await stream.next()).data) as { paths: string[] }).paths.includes('/renamed'));
});

test('dotfiles are watched with --dotfiles', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root, { dotfiles: true });
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  await writeFile(join(root, '.env'), 'X=1');
  assert.deepEqual((JSON.parse((await stream.next()).data) as { paths: string[] }).paths, ['/.env']);
});

test('the stream outlives the request and idle timeouts', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const timeouts = { headersMs: 200, requestMs: 200, idleSocketMs: 300, checkIntervalMs: 50 };
  const server = await serveLive(t, root, { timeouts });
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  let ended = false;
  stream.res.on('close', () => {
    ended = true;
  });
  // Longer than every limit above: a stream they applied to would be closed by now.
  await delay(1000);
  assert.equal(ended, false);
  await writeFile(join(root, 'index.html'), PAGE.replace('hello', 'later'));
  assert.equal((await stream.next()).event, 'change');
});

test('a client that leaves frees its stream at once; 100 streams all get the event', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const live = server.live;
  assert.ok(live);
  const one = await openStream(server.port);
  assert.equal(live.streams, 1);
  one.close();
  assert.ok(await settle(() => live.streams === 0));
  const streams = await Promise.all(Array.from({ length: 100 }, () => openStream(server.port)));
  t.after(() => {
    for (const s of streams) s.close();
  });
  assert.equal(live.streams, 100);
  await writeFile(join(root, 'app.js'), 'console.log(2);\n');
  const events = await Promise.all(streams.map((s) => s.next()));
  assert.ok(events.every((e) => e.event === 'change' && e.data.includes('/app.js')));
});

test('close() ends every stream at once, without waiting for the grace period', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const { startServer } = await import('../src/serve/server.js');
  const server = await startServer({ root, host: '127.0.0.1', port: 0, watch: true, gracePeriodMs: 600_000 });
  const streams = await Promise.all(Array.from({ length: 10 }, () => openStream(server.port)));
  const ends = streams.map((s) => once(s.res, 'end'));
  // With a ten-minute grace period, close() resolves only because the streams were ended.
  await server.close();
  await Promise.all(ends);
  assert.equal(server.live?.streams, 0);
  t.after(() => undefined);
});

test('the request log leaves out the events stream, and keeps live.js', { timeout: 30_000 }, async (t) => {
  const root = await site(t);
  const urls: string[] = [];
  const server = await serveLive(t, root, { onResponse: (entry) => urls.push(entry.url) });
  const stream = await openStream(server.port);
  stream.close();
  await get(server.port, '/__serve-here/live.js');
  await get(server.port, '/');
  assert.ok(await settle(() => urls.length >= 2 && server.live?.streams === 0));
  assert.deepEqual(urls.sort(), ['/', '/__serve-here/live.js']);
  assert.equal(await readFile(join(root, 'index.html'), 'utf8'), PAGE);
});

test('a symlinked folder out of the root is not watched, unless symlinks are followed', {
  timeout: 30_000,
}, async (t) => {
  const outside = await makeTree(t, { 'x.css': 'a{}' });
  for (const followSymlinks of [false, true]) {
    const root = await makeTree(t, { 'index.html': PAGE, out: { symlink: outside } });
    const server = await serveLive(t, root, { followSymlinks });
    const stream = await openStream(server.port);
    t.after(() => stream.close());
    await writeFile(join(outside, 'x.css'), `a{color:red} /* ${followSymlinks} */`);
    await writeFile(join(root, 'index.html'), PAGE.replace('hello', String(followSymlinks)));
    const first = JSON.parse((await stream.next()).data) as { paths: string[] };
    const paths =
      followSymlinks && first.paths.length === 1
        ? [...first.paths, ...(JSON.parse((await stream.next()).data) as { paths: string[] }).paths]
        : first.paths;
    assert.deepEqual(paths.sort(), followSymlinks ? ['/index.html', '/out/x.css'] : ['/index.html']);
  }
});

test('hostile names reach the stream as JSON: a newline in a file name forges no event', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  const name = 'x\nevent: reload\ndata: {}\n\n<script>.html';
  await writeFile(join(root, name), 'x');
  const first = await stream.next();
  assert.equal(first.event, 'change');
  assert.deepEqual((JSON.parse(first.data) as { paths: string[] }).paths, [`/${name}`]);
  await writeFile(join(root, 'after.txt'), 'x');
  const second = await stream.next();
  assert.equal(second.event, 'change');
  assert.deepEqual((JSON.parse(second.data) as { paths: string[] }).paths, ['/after.txt']);
});

test("hostile paths under /__serve-here/ get the resolver's usual answers, never a file outside", {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  for (const target of [
    '/__serve-here/../../../etc/passwd',
    '/__serve-here/live.js/../../../../etc/passwd',
    '/__serve-here/%2e%2e/%2e%2e/etc/passwd',
    '/__serve-here/events%00',
    '/__serve-here/live.js%2f..%2f..%2fetc%2fpasswd',
  ]) {
    const { status, reply } = await rawGet(server.port, target);
    assert.ok([301, 400, 404].includes(status), `${target}: ${status}`);
    assert.doesNotMatch(reply, /root:/, target);
  }
  // Only the exact paths are ours; the script is not served under other spellings.
  assert.equal((await rawGet(server.port, '/__serve-here/%6Cive.js')).status, 404);
  assert.equal((await rawGet(server.port, '/__serve-here/live.js/')).status, 404);
});

test('a root deleted and made again is watched again, and the pages are told', {
  timeout: 30_000,
}, async (t) => {
  const root = await site(t);
  const server = await serveLive(t, root);
  const stream = await openStream(server.port);
  t.after(() => stream.close());
  await rm(root, { recursive: true });
  assert.equal((await stream.next()).event, 'change');
  await mkdir(root);
  await writeFile(join(root, 'index.html'), PAGE);
  // Every event until the root's return names '/', the root itself.
  for (;;) {
    const message = JSON.parse((await stream.next()).data) as { paths: string[] };
    if (message.paths.includes('/')) break;
  }
  await writeFile(join(root, 'again.html'), 'x');
  for (;;) {
    const message = JSON.parse((await stream.next()).data) as { paths: string[] };
    if (message.paths.includes('/again.html')) break;
  }
  assert.equal((await get(server.port, '/')).text, injected(PAGE));
});
