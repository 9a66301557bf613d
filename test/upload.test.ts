// test/upload.test.ts
// --upload over real HTTP against real folders: PUT, multipart POST and mkdir; conflicts,
// overwrite preconditions, limits, aborted bodies, concurrent writers, hostile names and
// paths, cross-site POSTs. After every refusal or failure the folder holds exactly what it held.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { type StartOptions, startServer } from '../src/serve/server.js';
import type { UploadLogEntry } from '../src/upload/index.js';
import { get, makeTree, rawRequest, serve } from './helpers.js';
import { FORM_TYPE, multipart, send, snapshot, tempFileStarted, uploadsSettled } from './upload-helpers.js';

const SAME_ORIGIN = (port: number): Record<string, string> => ({ origin: `http://127.0.0.1:${port}` });

async function setup(
  t: Parameters<typeof makeTree>[0],
  options: Omit<StartOptions, 'root'> = {},
  spec: Parameters<typeof makeTree>[1] = { 'old.txt': 'old', 'sub/keep.txt': 'keep' },
) {
  const base = await makeTree(t, { ...prefixed(spec), 'outside/secret.txt': 'secret' });
  const root = join(base, 'root');
  const server = await serve(t, { root, upload: true, ...options });
  return { base, root, port: server.port, server };
}

function prefixed(spec: Parameters<typeof makeTree>[1]): Parameters<typeof makeTree>[1] {
  return Object.fromEntries(Object.entries(spec).map(([k, v]) => [`root/${k}`, v]));
}

test('without --upload, PUT, POST, DELETE and MKCOL get 405 with the read-only Allow', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const { port } = await serve(t, { root });
  const before = await snapshot(root);
  for (const method of ['PUT', 'POST', 'DELETE', 'MKCOL']) {
    const reply = await send(port, method, '/new.txt', Buffer.from('x'), { 'content-type': FORM_TYPE });
    assert.equal(reply.status, 405, method);
    assert.equal(reply.headers.allow, 'GET, HEAD, OPTIONS');
  }
  const options = await get(port, '/', {}, 'OPTIONS');
  assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
  assert.deepEqual(await snapshot(root), before);
});

test('with --upload, Allow lists PUT and POST, and DELETE is still 405', async (t) => {
  const { port } = await setup(t);
  assert.equal((await get(port, '/', {}, 'OPTIONS')).headers.allow, 'GET, HEAD, OPTIONS, PUT, POST');
  const reply = await send(port, 'DELETE', '/old.txt');
  assert.equal(reply.status, 405);
  assert.equal(reply.headers.allow, 'GET, HEAD, OPTIONS, PUT, POST');
});

test('PUT stores a new file: 201 with a percent-encoded Location, and GET returns its bytes', async (t) => {
  const logged: UploadLogEntry[] = [];
  const { root, port } = await setup(t, { onUpload: (entry) => logged.push(entry) });
  const body = Buffer.from('héllo, wörld\n');
  const reply = await send(port, 'PUT', '/sub/a%20b%23%3F%F0%9F%98%80.txt', body);
  assert.equal(reply.status, 201);
  assert.equal(reply.headers.location, '/sub/a%20b%23%3F%F0%9F%98%80.txt');
  assert.deepEqual(await readFile(join(root, 'sub', 'a b#?😀.txt')), body);
  assert.deepEqual((await get(port, '/sub/a%20b%23%3F%F0%9F%98%80.txt')).body, body);
  assert.deepEqual(logged, [
    { path: '/sub/a%20b%23%3F%F0%9F%98%80.txt', bytes: body.length, replaced: false },
  ]);
  assert.deepEqual(Object.keys(await snapshot(root)).sort(), [
    'old.txt',
    'sub/',
    'sub/a b#?😀.txt',
    'sub/keep.txt',
  ]);
});

test('PUT of an empty body stores an empty file', async (t) => {
  const { root, port } = await setup(t);
  assert.equal((await send(port, 'PUT', '/empty.txt')).status, 201);
  assert.equal((await readFile(join(root, 'empty.txt'))).length, 0);
});

test('PUT to an existing name gets 409 and leaves the file as it was', async (t) => {
  const { root, port } = await setup(t);
  const before = await snapshot(root);
  for (const headers of [{}, { 'if-match': '*' }, { 'if-none-match': '*' }]) {
    const reply = await send(port, 'PUT', '/old.txt', Buffer.from('new'), headers);
    assert.equal(reply.status, 409, JSON.stringify(headers));
    assert.match(reply.text, /already exists/);
  }
  for (const name of ['sub', 'sub/']) {
    const reply = await send(port, 'PUT', `/${name}`, Buffer.from('new'));
    assert.ok(reply.status === 409 || reply.status === 400, `${name}: ${reply.status}`);
  }
  assert.deepEqual(await snapshot(root), before);
});

test('--upload=overwrite replaces a file, honouring If-Match and If-None-Match', async (t) => {
  const { root, port } = await setup(t, { upload: 'overwrite' });
  const etag = (await get(port, '/old.txt')).headers.etag as string;
  const stale = await send(port, 'PUT', '/old.txt', Buffer.from('x'), { 'if-match': '"nope"' });
  assert.equal(stale.status, 412);
  const none = await send(port, 'PUT', '/old.txt', Buffer.from('x'), { 'if-none-match': '*' });
  assert.equal(none.status, 412);
  const missing = await send(port, 'PUT', '/missing.txt', Buffer.from('x'), { 'if-match': '*' });
  assert.equal(missing.status, 412);
  assert.equal(await readFile(join(root, 'old.txt'), 'utf8'), 'old');
  const replaced = await send(port, 'PUT', '/old.txt', Buffer.from('new'), { 'if-match': etag });
  assert.equal(replaced.status, 200);
  assert.equal(await readFile(join(root, 'old.txt'), 'utf8'), 'new');
  const again = await send(port, 'PUT', '/old.txt', Buffer.from('newer'));
  assert.equal(again.status, 200);
  assert.equal(await readFile(join(root, 'old.txt'), 'utf8'), 'newer');
  // A folder is never replaced by a file.
  assert.equal((await send(port, 'PUT', '/sub', Buffer.from('x'))).status, 409);
  assert.deepEqual(Object.keys(await snapshot(root)).sort(), ['old.txt', 'sub/', 'sub/keep.txt']);
});

test('PUT into a folder that does not exist gets 409, into a file too', async (t) => {
  const { root, port } = await setup(t);
  const before = await snapshot(root);
  for (const path of ['/nope/a.txt', '/nope/deeper/a.txt', '/old.txt/a.txt']) {
    const reply = await send(port, 'PUT', path, Buffer.from('x'));
    assert.equal(reply.status, 409, path);
  }
  assert.deepEqual(await snapshot(root), before);
});

const badNames: readonly [path: string, why: RegExp][] = [
  ['/CON', /reserved/],
  ['/con.txt', /reserved/],
  ['/LPT9.log', /reserved/],
  ['/name.', /dot or a space/],
  ['/name%20', /dot or a space/],
  ['/.env', /dot/],
  ['/a%0Ab', /control/],
  ['/a%1Bb', /control/],
  ['/a%7Fb', /control/],
  [`/${'a'.repeat(256)}`, /255 bytes/],
  [`/${'%C3%A9'.repeat(128)}`, /255 bytes/],
];
for (const [path, why] of badNames) {
  test(`PUT ${path.length > 40 ? `${path.slice(0, 30)}…` : path} gets 400 saying why, and writes nothing`, async (t) => {
    const { root, port } = await setup(t);
    const before = await snapshot(root);
    const reply = await send(port, 'PUT', path, Buffer.from('x'));
    assert.equal(reply.status, 400);
    assert.match(reply.text, why);
    assert.deepEqual(await snapshot(root), before);
  });
}

const badPaths: readonly string[] = [
  '/..%2Fescape.txt',
  '/sub%2F..%2F..%2Fescape.txt',
  '/sub%5C..%5C..%5Cescape.txt',
  '/sub/..\\..\\escape.txt',
  '/sub/./x.txt',
  '/sub//x.txt',
  '/sub/../x.txt',
  '/x%00.txt',
  '/../escape.txt',
  '/%2e%2e/escape.txt',
  '/sub/%2e%2e/%2e%2e/escape.txt',
];
for (const path of badPaths) {
  test(`PUT ${path} (raw) is refused and nothing is written inside or outside the root`, async (t) => {
    const { base, port } = await setup(t);
    const before = await snapshot(base);
    const reply = await rawRequest(
      port,
      `PUT ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`,
    );
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.deepEqual(await snapshot(base), before);
  });
}

test('writes through a symlink out of the root or into a hidden folder are refused', async (t) => {
  const { base, root, port } = await setup(
    t,
    {},
    {
      'old.txt': 'old',
      out: { symlink: '../outside' },
      '.git/config': 'x',
    },
  );
  const before = await snapshot(base);
  assert.equal((await send(port, 'PUT', '/out/new.txt', Buffer.from('x'))).status, 404);
  assert.equal((await send(port, 'PUT', '/.git/new.txt', Buffer.from('x'))).status, 404);
  const form = multipart([{ field: 'f', filename: 'new.txt', content: 'x' }]);
  const headers = { 'content-type': FORM_TYPE, ...SAME_ORIGIN(port) };
  assert.equal((await send(port, 'POST', '/out/', form, headers)).status, 404);
  assert.equal((await send(port, 'POST', '/out/?mkdir=n', Buffer.alloc(0), SAME_ORIGIN(port))).status, 404);
  assert.equal((await send(port, 'POST', '/.git/', form, headers)).status, 404);
  assert.deepEqual(await snapshot(base), before);
  assert.ok(root.length > 0);
});

test('a 64 MiB PUT arrives whole', async (t) => {
  const { root, port } = await setup(t);
  const chunk = Buffer.alloc(1024 * 1024);
  const chunks: Buffer[] = [];
  const hash = createHash('sha1');
  for (let i = 0; i < 64; i++) {
    const piece = Buffer.from(chunk.fill(i));
    chunks.push(piece);
    hash.update(piece);
  }
  const reply = await send(port, 'PUT', '/big.bin', chunks, { 'content-length': String(64 * 1024 * 1024) });
  assert.equal(reply.status, 201);
  assert.match(reply.text, /67 MB/);
  const stored = await readFile(join(root, 'big.bin'));
  assert.equal(createHash('sha1').update(stored).digest('hex'), hash.digest('hex'));
});

test('a PUT whose client disconnects mid-body leaves no file and no temporary file', async (t) => {
  const { root, port } = await setup(t);
  const before = await snapshot(root);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('PUT /sub/partial.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n');
  socket.write(Buffer.alloc(200_000, 1));
  await tempFileStarted(join(root, 'sub'));
  socket.destroy();
  await uploadsSettled();
  assert.deepEqual(await snapshot(root), before);
});

test('a multipart POST whose client disconnects mid-file leaves no file and no temporary file', async (t) => {
  const { root, port } = await setup(t);
  const before = await snapshot(root);
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const form = multipart([{ field: 'f', filename: 'partial.bin', content: Buffer.alloc(2_000_000, 2) }]);
  socket.write(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${FORM_TYPE}\r\nContent-Length: ${form.length}\r\n\r\n`,
  );
  socket.write(form.subarray(0, 300_000));
  await tempFileStarted(root);
  socket.destroy();
  await uploadsSettled();
  assert.deepEqual(await snapshot(root), before);
});

test('a PUT announcing more than --max-upload gets 413 before its body is read', async (t) => {
  const { root, port } = await setup(t, { maxUpload: 1000 });
  const before = await snapshot(root);
  const reply = await rawRequest(
    port,
    'PUT /big.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5000000000\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 413 /);
  assert.match(reply, /larger than the server's limit of 1\.0 KB/);
  assert.match(reply, /Connection: close/i);
  assert.deepEqual(await snapshot(root), before);
});

test('a chunked PUT that passes --max-upload while streaming gets 413 and stores nothing', async (t) => {
  const { root, port } = await setup(t, { maxUpload: 1000 });
  const before = await snapshot(root);
  const over = await send(port, 'PUT', '/big.bin', [Buffer.alloc(600), Buffer.alloc(401)], {
    'transfer-encoding': 'chunked',
  });
  assert.equal(over.status, 413);
  await uploadsSettled();
  assert.deepEqual(await snapshot(root), before);
  const exact = await send(port, 'PUT', '/exact.bin', [Buffer.alloc(600), Buffer.alloc(400)], {
    'transfer-encoding': 'chunked',
  });
  assert.equal(exact.status, 201);
  assert.equal((await readFile(join(root, 'exact.bin'))).length, 1000);
});

test('a multipart file over --max-upload gets 413 and stores nothing', async (t) => {
  const { root, port } = await setup(t, { maxUpload: 1000 });
  const before = await snapshot(root);
  const form = multipart([{ field: 'f', filename: 'big.bin', content: Buffer.alloc(1001) }]);
  const reply = await send(port, 'POST', '/', form, { 'content-type': FORM_TYPE, ...SAME_ORIGIN(port) });
  assert.equal(reply.status, 413);
  await uploadsSettled();
  assert.deepEqual(await snapshot(root), before);
});

test('two PUTs of one new name at once: one 201, one 409, and the file holds one whole body', async (t) => {
  const { root, port } = await setup(t);
  for (let round = 0; round < 5; round++) {
    const name = `race-${round}.bin`;
    const a = Buffer.alloc(4 * 1024 * 1024, 0x61);
    const b = Buffer.alloc(4 * 1024 * 1024, 0x62);
    const replies = await Promise.all([send(port, 'PUT', `/${name}`, a), send(port, 'PUT', `/${name}`, b)]);
    assert.deepEqual(replies.map((r) => r.status).sort(), [201, 409]);
    const stored = await readFile(join(root, name));
    assert.ok(stored.equals(a) || stored.equals(b), 'the file is exactly one of the bodies');
  }
  await uploadsSettled();
  const names = Object.keys(await snapshot(root));
  assert.deepEqual(
    names.filter((n) => n.includes('.serve-here-upload-')),
    [],
  );
});

test('a multipart POST stores several files and makes a folder, reporting each as JSON', async (t) => {
  const logged: UploadLogEntry[] = [];
  const { root, port } = await setup(t, { onUpload: (entry) => logged.push(entry) });
  const form = multipart([
    { field: 'file', filename: 'one.txt', content: 'one' },
    { field: 'file', filename: 'два.txt', content: Buffer.from([0, 1, 2, 255]) },
    { field: 'mkdir', content: 'new folder' },
  ]);
  const reply = await send(port, 'POST', '/sub/', form, {
    'content-type': FORM_TYPE,
    accept: 'application/json',
    ...SAME_ORIGIN(port),
  });
  assert.equal(reply.status, 201);
  const parsed = JSON.parse(reply.text) as {
    status: number;
    results: { status: number; location: string }[];
  };
  assert.deepEqual(
    parsed.results.map((r) => [r.status, r.location]),
    [
      [201, '/sub/one.txt'],
      [201, '/sub/%D0%B4%D0%B2%D0%B0.txt'],
      [201, '/sub/new%20folder/'],
    ],
  );
  assert.equal(await readFile(join(root, 'sub/one.txt'), 'utf8'), 'one');
  assert.deepEqual(await readFile(join(root, 'sub/два.txt')), Buffer.from([0, 1, 2, 255]));
  assert.equal(logged.length, 3);
  assert.deepEqual(Object.keys(await snapshot(root)).sort(), [
    'old.txt',
    'sub/',
    'sub/keep.txt',
    'sub/new folder/',
    'sub/one.txt',
    'sub/два.txt',
  ]);
});

test('a multipart POST refuses bad file names one by one and stores the good ones', async (t) => {
  const { root, port } = await setup(t);
  const form = multipart([
    { field: 'f', filename: '../escape.txt', content: 'x' },
    { field: 'f', filename: 'a/b.txt', content: 'x' },
    { field: 'f', filename: 'a\\b.txt', content: 'x' },
    { field: 'f', filename: 'NUL.txt', content: 'x' },
    { field: 'f', filename: '.htaccess', content: 'x' },
    { field: 'f', filename: 'old.txt', content: 'x' },
    { field: 'f', filename: 'fine.txt', content: 'fine' },
  ]);
  const reply = await send(port, 'POST', '/', form, {
    'content-type': FORM_TYPE,
    accept: 'application/json',
    ...SAME_ORIGIN(port),
  });
  const parsed = JSON.parse(reply.text) as { results: { status: number }[] };
  assert.deepEqual(
    parsed.results.map((r) => r.status),
    [400, 400, 400, 400, 400, 409, 201],
  );
  assert.equal(reply.status, 400);
  assert.deepEqual(Object.keys(await snapshot(root)).sort(), ['fine.txt', 'old.txt', 'sub/', 'sub/keep.txt']);
  assert.equal(await readFile(join(root, 'old.txt'), 'utf8'), 'old');
});

test('a form sent without script gets an HTML page with escaped names and a way back', async (t) => {
  const { port } = await setup(t);
  const form = multipart([{ field: 'f', filename: '<b>&x.txt', content: 'x' }]);
  const reply = await send(port, 'POST', '/sub/', form, {
    'content-type': FORM_TYPE,
    accept: 'text/html',
    ...SAME_ORIGIN(port),
  });
  assert.equal(reply.status, 201);
  assert.match(reply.headers['content-type'] ?? '', /^text\/html/);
  assert.ok(reply.text.includes('&lt;b&gt;&amp;x.txt'));
  assert.ok(!reply.text.includes('<b>&x'));
  assert.ok(reply.text.includes('href="/sub/"'));
  assert.match(String(reply.headers['content-security-policy']), /default-src 'none'/);
});

const foreign: readonly Record<string, string>[] = [
  { origin: 'http://evil.example' },
  { origin: 'null' },
  { origin: 'http://127.0.0.1:1' },
  { referer: 'http://evil.example/page.html' },
];
for (const headers of foreign) {
  test(`a cross-site POST (${JSON.stringify(headers)}) gets 403 and writes nothing`, async (t) => {
    const { root, port } = await setup(t);
    const before = await snapshot(root);
    const form = multipart([{ field: 'f', filename: 'csrf.txt', content: 'x' }]);
    const upload = await send(port, 'POST', '/', form, { 'content-type': FORM_TYPE, ...headers });
    assert.equal(upload.status, 403);
    assert.match(upload.text, /other sites/);
    const folder = await send(port, 'POST', '/?mkdir=csrf', Buffer.alloc(0), headers);
    assert.equal(folder.status, 403);
    const put = await send(port, 'PUT', '/csrf.txt', Buffer.from('x'), {
      origin: headers.origin ?? 'null',
    });
    assert.equal(put.status, 403);
    assert.deepEqual(await snapshot(root), before);
  });
}

test('a same-origin POST by Referer alone is accepted', async (t) => {
  const { root, port } = await setup(t);
  const form = multipart([{ field: 'f', filename: 'ok.txt', content: 'ok' }]);
  const reply = await send(port, 'POST', '/', form, {
    'content-type': FORM_TYPE,
    referer: `http://127.0.0.1:${port}/`,
  });
  assert.equal(reply.status, 201);
  assert.equal(reply.headers.location, '/ok.txt');
  assert.equal(await readFile(join(root, 'ok.txt'), 'utf8'), 'ok');
});

test('POST /folder/?mkdir=name makes a folder: 201, then 409, and 400 for a bad name', async (t) => {
  const { root, port } = await setup(t);
  const made = await send(port, 'POST', '/sub/?mkdir=a%20b', Buffer.alloc(0), SAME_ORIGIN(port));
  assert.equal(made.status, 201);
  assert.equal(made.headers.location, '/sub/a%20b/');
  const before = await snapshot(root);
  assert.equal(
    (await send(port, 'POST', '/sub/?mkdir=a%20b', Buffer.alloc(0), SAME_ORIGIN(port))).status,
    409,
  );
  for (const name of ['..', '.', 'x%2Fy', 'COM1', '.hidden', '', 'a%00b']) {
    const reply = await send(port, 'POST', `/sub/?mkdir=${name}`, Buffer.alloc(0), SAME_ORIGIN(port));
    assert.equal(reply.status, 400, name);
  }
  assert.equal((await send(port, 'POST', '/nope/?mkdir=x', Buffer.alloc(0), SAME_ORIGIN(port))).status, 404);
  assert.deepEqual(await snapshot(root), before);
});

test('a POST that is not a form gets 415', async (t) => {
  const { root, port } = await setup(t);
  const before = await snapshot(root);
  const reply = await send(port, 'POST', '/', Buffer.from('{}'), {
    'content-type': 'application/json',
    ...SAME_ORIGIN(port),
  });
  assert.equal(reply.status, 415);
  assert.deepEqual(await snapshot(root), before);
});

test('a dotfile may be uploaded with --dotfiles', async (t) => {
  const { root, port } = await setup(t, { dotfiles: true });
  assert.equal((await send(port, 'PUT', '/.env', Buffer.from('A=1'))).status, 201);
  assert.equal(await readFile(join(root, '.env'), 'utf8'), 'A=1');
});

test('closing the server mid-upload removes the temporary file', async (t) => {
  const base = await makeTree(t, { 'root/old.txt': 'old' });
  const root = join(base, 'root');
  const server = await startServer({ root, host: '127.0.0.1', port: 0, upload: true, gracePeriodMs: 10 });
  const before = await snapshot(root);
  const socket = connect(server.port, '127.0.0.1');
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write('PUT /partial.bin HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10000000\r\n\r\n');
  socket.write(Buffer.alloc(200_000, 1));
  await tempFileStarted(root);
  await server.close();
  await uploadsSettled();
  assert.deepEqual(await snapshot(root), before);
  socket.destroy();
});

test('an upload into a folder that is not writable gets 403 and leaves nothing', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root can write anywhere');
    return;
  }
  const { root, port } = await setup(t);
  await mkdir(join(root, 'locked'), { mode: 0o555 });
  const before = await snapshot(root);
  assert.equal((await send(port, 'PUT', '/locked/x.txt', Buffer.from('x'))).status, 403);
  assert.deepEqual(await snapshot(root), before);
});

test('the listing shows upload controls and a widened CSP only with --upload, even for one folder served twice', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const plain = await serve(t, { root });
  const uploading = await serve(t, { root, upload: true, maxUpload: 5 * 1024 * 1024 });
  const html = { accept: 'text/html' };
  const without = await get(plain.port, '/', html);
  const withUpload = await get(uploading.port, '/', html);
  assert.ok(!without.text.includes('class="upl"'));
  assert.doesNotMatch(String(without.headers['content-security-policy']), /connect-src|form-action 'self'/);
  assert.ok(withUpload.text.includes('<section class="upl"'));
  assert.ok(withUpload.text.includes('data-max="5242880"'));
  const policy = String(withUpload.headers['content-security-policy']);
  assert.match(policy, /connect-src 'self'/);
  assert.match(policy, /form-action 'self'/);
  assert.doesNotMatch(policy, /unsafe-inline/);
  // And the plain server's page is still its own after the other rendered the same folder.
  assert.equal((await get(plain.port, '/', html)).text, without.text);
});

test('the New folder form sent without script (URL-encoded mkdir=) makes the folder', async (t) => {
  const { root, port } = await setup(t);
  const reply = await send(port, 'POST', '/sub/', Buffer.from('mkdir=from+a+form'), {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'text/html',
    ...SAME_ORIGIN(port),
  });
  assert.equal(reply.status, 201);
  assert.equal(reply.headers.location, '/sub/from%20a%20form/');
  assert.ok(reply.text.includes('created the folder from a form/'));
  assert.ok(Object.keys(await snapshot(root)).includes('sub/from a form/'));
});
