// test/tls.test.ts
// Over real TLS with a local authority made in a temporary config folder: clients that trust
// only that authority get the same answers over HTTPS/1.1 and h2 (files, ranges, 304s,
// compression, listings, errors, the request log), ALPN picks h2 or falls back, plain HTTP on
// the port is redirected, and the authority's certificate (never its key) is downloadable.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { connect as connectHttp2 } from 'node:http2';
import { test } from 'node:test';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ResponseLogEntry } from '../src/serve/options.js';
import { makeTree, rawRequest } from './helpers.js';
import { h2Get, h2Session, httpsGet, localCa, serveTls } from './tls-helpers.js';

const TEXT = 'serve-here over TLS\n'.repeat(200);
/** Bigger than the file cache holds, so it streams from disk. */
const BIG = Buffer.alloc(3 * 1024 * 1024 + 7, 'abcdefghij');
const BIG_TEXT = 'a line of text to compress as it streams\n'.repeat(80_000);

async function fixture(t: Parameters<typeof localCa>[0]) {
  const root = await makeTree(t, {
    'hello.txt': TEXT,
    'big.bin': BIG,
    'big.txt': BIG_TEXT,
    'sub/page.html': '<p>hi</p>',
  });
  const { local, folder } = await localCa(t);
  return { root, local, folder };
}

test('an HTTPS/1.1 client that trusts only the local CA gets a file, by name and by address', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  assert.match(running.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  for (const servername of ['localhost', undefined]) {
    const reply = await httpsGet(running.port, local.caCertificate, '/hello.txt', {}, servername);
    assert.equal(reply.status, 200);
    assert.equal(reply.httpVersion, '1.1');
    assert.equal(reply.body.toString(), TEXT);
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  }
});

test('the leaf is signed by the local CA, which is what the banner fingerprints', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: running.port,
    servername: 'localhost',
    ca: local.caCertificate,
  });
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  const peer = socket.getPeerCertificate(true);
  assert.equal(socket.authorized, true);
  assert.equal(peer.subject.CN, 'serve-here');
  assert.equal(peer.issuer.CN, 'serve-here local CA');
  assert.equal(peer.issuerCertificate.fingerprint256, local.caFingerprint);
  assert.equal(new X509Certificate(local.caCertificate).fingerprint256, local.caFingerprint);
  assert.match(peer.subjectaltname ?? '', /DNS:localhost/);
  assert.match(peer.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
});

test('an h2 client gets the same bytes, a Range, a 304, HEAD and a listing', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root, compress: false });
  const session = await h2Session(t, running.port, local.caCertificate);
  assert.equal(session.alpnProtocol, 'h2');
  const whole = await h2Get(session, '/hello.txt');
  assert.equal(whole.status, 200);
  assert.equal(whole.body.toString(), TEXT);
  assert.equal(whole.headers['content-length'], String(TEXT.length));
  assert.equal(whole.headers['x-content-type-options'], 'nosniff');
  const etag = whole.headers.etag as string;

  const range = await h2Get(session, '/hello.txt', { range: 'bytes=5-14' });
  assert.equal(range.status, 206);
  assert.equal(range.headers['content-range'], `bytes 5-14/${TEXT.length}`);
  assert.equal(range.body.toString(), TEXT.slice(5, 15));

  const notModified = await h2Get(session, '/hello.txt', { 'if-none-match': etag });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body.length, 0);
  assert.equal(notModified.headers.etag, etag);

  const head = await h2Get(session, '/hello.txt', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(TEXT.length));
  assert.equal(head.body.length, 0);

  const listing = await h2Get(session, '/', { accept: 'text/html' });
  assert.equal(listing.status, 200);
  assert.match(listing.body.toString(), /hello\.txt/);
  assert.match(listing.body.toString(), /sub\//);
});

test('h2 answers carry exactly the fields HTTPS/1.1 ones do, --header and --cors included', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root, cors: true, headers: { 'X-Frame-Options': 'DENY' } });
  const session = await h2Session(t, running.port, local.caCertificate);
  /** The fields of an answer, without those of the connection (RFC 9113 §8.2.2) and the clock. */
  const fieldsOf = (headers: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(headers).filter(
        ([name]) => !name.startsWith(':') && !['connection', 'keep-alive', 'date'].includes(name),
      ),
    );
  for (const [path, extra] of [
    ['/hello.txt', {}],
    ['/hello.txt', { 'accept-encoding': 'br' }],
    ['/hello.txt', { range: 'bytes=1-3' }],
    ['/missing.txt', {}],
    ['/sub', {}],
  ] as const) {
    const http1 = await httpsGet(running.port, local.caCertificate, path, extra);
    const h2 = await h2Get(session, path, extra);
    assert.equal(h2.status, http1.status, path);
    assert.deepEqual(fieldsOf(h2.headers), fieldsOf(http1.headers), `${path} ${JSON.stringify(extra)}`);
    assert.ok(typeof h2.headers.date === 'string', `${path}: h2 answer without a Date`);
    assert.deepEqual(h2.body, http1.body, path);
  }
});

test('h2 streams a file bigger than the cache whole, and two ranges as multipart', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const session = await h2Session(t, running.port, local.caCertificate);
  const big = await h2Get(session, '/big.bin');
  assert.equal(big.status, 200);
  assert.equal(big.body.length, BIG.length);
  assert.ok(big.body.equals(BIG));
  const tail = await h2Get(session, '/big.bin', { range: `bytes=${BIG.length - 10}-` });
  assert.equal(tail.status, 206);
  assert.ok(tail.body.equals(BIG.subarray(BIG.length - 10)));
  const parts = await h2Get(session, '/hello.txt', { range: 'bytes=0-1,4-5' });
  assert.equal(parts.status, 206);
  assert.match(String(parts.headers['content-type']), /^multipart\/byteranges; boundary=/);
  assert.equal(parts.body.length, Number(parts.headers['content-length']));
});

test('h2 compresses: a small file whole (br), a big one as it streams (gzip)', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const session = await h2Session(t, running.port, local.caCertificate);
  const small = await h2Get(session, '/hello.txt', { 'accept-encoding': 'br' });
  assert.equal(small.headers['content-encoding'], 'br');
  assert.equal(small.headers.vary, 'Accept-Encoding');
  assert.equal(brotliDecompressSync(small.body).toString(), TEXT);
  const streamed = await h2Get(session, '/big.txt', { 'accept-encoding': 'gzip' });
  assert.equal(streamed.status, 200);
  assert.equal(streamed.headers['content-encoding'], 'gzip');
  assert.equal(streamed.headers['content-length'], undefined);
  assert.equal(gunzipSync(streamed.body).toString(), BIG_TEXT);
});

test('h2 errors are the same status pages, and the request log sees h2 requests', async (t) => {
  const { root, local } = await fixture(t);
  const entries: ResponseLogEntry[] = [];
  const running = await serveTls(t, local, { root, onResponse: (entry) => entries.push(entry) });
  const session = await h2Session(t, running.port, local.caCertificate);
  const missing = await h2Get(session, '/nope.txt', { accept: 'text/html' });
  assert.equal(missing.status, 404);
  assert.match(String(missing.headers['content-security-policy']), /default-src 'none'/);
  assert.match(missing.body.toString(), /Not Found/);
  const traversal = await h2Get(session, '/%2e%2e/%2e%2e/etc/passwd');
  assert.notEqual(traversal.status, 200);
  const post = await h2Get(session, '/hello.txt', {}, 'DELETE');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
  const ok = await h2Get(session, '/hello.txt');
  assert.equal(ok.status, 200);
  // The log entry is written when the stream closes, just after the client has read it all.
  while (entries.length < 4) await new Promise((resolve) => setImmediate(resolve));
  const last = entries.find((entry) => entry.url === '/hello.txt' && entry.status === 200);
  assert.deepEqual(last && { method: last.method, bytes: last.bytes }, { method: 'GET', bytes: TEXT.length });
  assert.ok(entries.some((entry) => entry.status === 404 && entry.url === '/nope.txt'));
});

test('ALPN picks h2 when offered and falls back to http/1.1', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const offers: [string[] | undefined, string | false][] = [
    [['h2', 'http/1.1'], 'h2'],
    [['http/1.1'], 'http/1.1'],
    [undefined, false],
  ];
  for (const [ALPNProtocols, expected] of offers) {
    const socket: TLSSocket = tlsConnect({
      host: '127.0.0.1',
      port: running.port,
      servername: 'localhost',
      ca: local.caCertificate,
      ...(ALPNProtocols === undefined ? {} : { ALPNProtocols }),
    });
    await once(socket, 'secureConnect');
    assert.equal(socket.alpnProtocol, expected, JSON.stringify(ALPNProtocols));
    if (expected !== 'h2') {
      // Without h2, the same port speaks HTTP/1.1.
      socket.write('GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      const chunks: Buffer[] = [];
      for await (const chunk of socket) chunks.push(chunk as Buffer);
      assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 200 OK\r\n/);
    }
    socket.destroy();
  }
});

test('plain HTTP on the TLS port gets a 301 to https://, or a 400, and the socket closes', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const redirect = await rawRequest(
    running.port,
    'GET /hello.txt?a=1 HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n\r\n',
  );
  assert.match(redirect, /^HTTP\/1\.1 301 Moved Permanently\r\n/);
  assert.match(redirect, /\r\nLocation: https:\/\/127\.0\.0\.1:8443\/hello\.txt\?a=1\r\n/);
  const noHost = await rawRequest(running.port, 'GET / HTTP/1.0\r\n\r\n');
  assert.match(noHost, /^HTTP\/1\.1 400 Bad Request\r\n/);
  // A head in pieces, then one too long: answered, never left hanging.
  const long = await rawRequest(running.port, `GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}`);
  assert.match(long, /^HTTP\/1\.1 400 /);
  // The server still speaks TLS afterwards.
  const reply = await httpsGet(running.port, local.caCertificate, '/hello.txt');
  assert.equal(reply.status, 200);
});

test('a client that connects and sends nothing is dropped after the header limit', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root, timeouts: { headersMs: 100 } });
  const reply = await rawRequest(running.port, '');
  assert.equal(reply, '');
});

test('/__serve-here/ca.crt serves the CA certificate (never a key) only with a local CA', async (t) => {
  const { root, local } = await fixture(t);
  const withCa = await serveTls(t, local, { root });
  const session = await h2Session(t, withCa.port, local.caCertificate);
  const cert = await h2Get(session, '/__serve-here/ca.crt');
  assert.equal(cert.status, 200);
  assert.equal(cert.headers['content-type'], 'application/x-x509-ca-cert');
  assert.equal(cert.body.toString(), local.caCertificate);
  assert.doesNotMatch(cert.body.toString(), /PRIVATE KEY/);
  assert.equal(new X509Certificate(cert.body).ca, true);
  for (const path of ['/__serve-here/ca.key', '/__serve-here/', '/__serve-here/ca.crt/']) {
    assert.equal((await h2Get(session, path)).status, 404, path);
  }
  const withoutCa = await serveTls(t, local, { root, caCertificate: undefined });
  const other = await h2Session(t, withoutCa.port, local.caCertificate);
  assert.equal((await h2Get(other, '/__serve-here/ca.crt')).status, 404);
});

test('h2 advertises its limits: 100 streams per connection, 16 KiB of headers', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const session = await h2Session(t, running.port, local.caCertificate);
  assert.equal(session.remoteSettings.maxConcurrentStreams, 100);
  assert.equal(session.remoteSettings.maxHeaderListSize, 16 * 1024);
  assert.equal(session.remoteSettings.enablePush, false);
});

test('close() lets an h2 download finish, then the session goes away', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const session = await h2Session(t, running.port, local.caCertificate);
  const sessionClosed = once(session, 'close');
  const stream = session.request({ ':path': '/big.bin' });
  stream.end();
  await once(stream, 'response');
  stream.pause();
  const closed = running.close();
  stream.resume();
  let received = 0;
  for await (const chunk of stream) received += (chunk as Buffer).length;
  assert.equal(received, BIG.length);
  await closed;
  assert.equal(running.server.listening, false);
  // The server's GOAWAY ends the client's session too.
  await sessionClosed;
});

test('h2 refuses the streams beyond 100 on one connection and keeps serving the rest', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  // The client is told the server takes 1000 streams, so it sends all 150 requests at once,
  // before the server's SETTINGS (100) arrive: the server must refuse the excess itself.
  const session = connectHttp2(`https://localhost:${running.port}`, {
    peerMaxConcurrentStreams: 1000,
    createConnection: () =>
      tlsConnect({
        host: '127.0.0.1',
        port: running.port,
        servername: 'localhost',
        ca: local.caCertificate,
        ALPNProtocols: ['h2'],
      }),
  });
  t.after(() => session.destroy());
  const outcomes = await Promise.all(
    Array.from({ length: 150 }, () => {
      const stream = session.request({ ':path': '/hello.txt' });
      stream.end();
      stream.resume();
      return new Promise<string>((resolve) => {
        let status = '';
        stream.on('response', (headers) => {
          status = String(headers[':status']);
        });
        stream.on('error', () => undefined);
        stream.on('close', () => resolve(status === '' ? `reset ${stream.rstCode}` : status));
      });
    }),
  );
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  // RFC 9113 §5.1.2: streams over the limit are reset with REFUSED_STREAM (7).
  assert.deepEqual([...counts.keys()].sort(), ['200', 'reset 7']);
  assert.ok((counts.get('200') ?? 0) <= 100 + 50 && (counts.get('reset 7') ?? 0) > 0);
  assert.equal((await h2Get(session, '/hello.txt')).status, 200);
});

test('h2 resets a stream whose headers exceed 16 KiB, and the session goes on', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root });
  const session = await h2Session(t, running.port, local.caCertificate);
  const stream = session.request({ ':path': '/hello.txt', 'x-big': 'a'.repeat(20_000) });
  stream.end();
  stream.resume();
  stream.on('error', () => undefined);
  let answered = false;
  stream.on('response', () => {
    answered = true;
  });
  await new Promise((resolve) => stream.on('close', resolve));
  assert.equal(answered, false);
  assert.equal(stream.rstCode, 11); // ENHANCE_YOUR_CALM
  assert.equal((await h2Get(session, '/hello.txt')).status, 200);
});

test('an h2 session is closed when it brings no request in time, and when idle after one', async (t) => {
  const { root, local } = await fixture(t);
  const running = await serveTls(t, local, { root, timeouts: { headersMs: 100, keepAliveMs: 100 } });
  const silent = await h2Session(t, running.port, local.caCertificate);
  await once(silent, 'close');
  const used = await h2Session(t, running.port, local.caCertificate);
  const closed = once(used, 'close');
  assert.equal((await h2Get(used, '/hello.txt')).status, 200);
  await closed;
  assert.equal(used.closed, true);
});
