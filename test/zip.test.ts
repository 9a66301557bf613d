// test/zip.test.ts
// The zip download end to end: a real server, real folders, archives checked by Info-ZIP's
// `unzip -t` and Python's zipfile, every entry's bytes compared with the file on disk.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readdir, readFile, readlink, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { encodePathSegment } from '../src/http/html.js';
import type { ResponseLogEntry } from '../src/serve/options.js';
import { walkFolder } from '../src/zip/walk.js';
import { BIN } from './cli-helpers.js';
import { get, makeTree, serve } from './helpers.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;

interface ZipInfo {
  readonly bad: string | null;
  readonly entries: readonly {
    readonly name: string;
    readonly sha256: string | null;
    readonly date: readonly number[];
    readonly utf8: boolean;
    readonly method: number;
  }[];
}

/** Python's zipfile: testzip() (every CRC) and, per entry, its name, bytes' hash, date and flags. */
const PYTHON_READER = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({'bad': z.testzip(), 'entries': [{
  'name': i.filename,
  'sha256': None if i.is_dir() else hashlib.sha256(z.read(i)).hexdigest(),
  'date': list(i.date_time), 'utf8': bool(i.flag_bits & 0x800), 'method': i.compress_type,
} for i in z.infolist()]}))
`;

/** Saves the archive, checks it with `unzip -t`, and reads it with Python. */
async function inspect(t: Parameters<typeof makeTree>[0], zip: Buffer): Promise<ZipInfo> {
  const dir = await makeTree(t, {});
  const file = join(dir, 'download.zip');
  await writeFile(file, zip);
  const checked = await run('unzip', ['-t', file]);
  assert.match(checked.stdout, /No errors detected/);
  const read = await run('python3', ['-c', PYTHON_READER, file], { maxBuffer: 64 * 1024 * 1024 });
  const info = JSON.parse(read.stdout) as ZipInfo;
  assert.equal(info.bad, null);
  return info;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function names(info: ZipInfo): string[] {
  return info.entries.map((e) => e.name);
}

function entry(info: ZipInfo, name: string): ZipInfo['entries'][number] {
  const found = info.entries.find((e) => e.name === name);
  assert.ok(found, `no entry ${JSON.stringify(name)} in ${JSON.stringify(names(info))}`);
  return found;
}

/** Reads one entry's text through Python (names may hold newlines and such). */
async function entryText(t: Parameters<typeof makeTree>[0], zip: Buffer, name: string): Promise<string> {
  const dir = await makeTree(t, {});
  const file = join(dir, 'download.zip');
  await writeFile(file, zip);
  const script =
    'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())';
  return (await run('python3', ['-c', script, file, name])).stdout;
}

test('GET /?download=zip streams the root as a zip that unzip and Python accept, byte for byte', async (t) => {
  const text = 'line of text\n'.repeat(2000);
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(5000, 1)]);
  const root = await makeTree(t, {
    'a.txt': text,
    'empty.txt': '',
    'pic.png': png,
    'sub/deeper/c.json': JSON.stringify({ many: 'x'.repeat(3000) }),
    'sub/b.bin': Buffer.alloc(200_000, 7),
    'void/': '',
  });
  const when = new Date(2021, 5, 15, 10, 20, 30);
  await utimes(join(root, 'a.txt'), when, when);
  const server = await serve(t, { root, zip: true });
  const reply = await get(server.port, '/?download=zip');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'application/zip');
  const top = root.split('/').at(-1) as string;
  assert.equal(
    reply.headers['content-disposition'],
    `attachment; filename="${top}.zip"; filename*=UTF-8''${top}.zip`,
  );
  assert.equal(reply.headers['cache-control'], 'no-store');
  assert.equal(reply.headers['transfer-encoding'], 'chunked');
  assert.equal(reply.headers['content-length'], undefined);

  const info = await inspect(t, reply.body);
  assert.deepEqual(
    names(info),
    [
      '',
      'a.txt',
      'empty.txt',
      'pic.png',
      'sub/',
      'sub/b.bin',
      'sub/deeper/',
      'sub/deeper/c.json',
      'void/',
    ].map((name) => `${top}/${name}`),
  );
  for (const name of ['a.txt', 'empty.txt', 'pic.png', 'sub/b.bin', 'sub/deeper/c.json']) {
    assert.equal(entry(info, `${top}/${name}`).sha256, sha256(await readFile(join(root, name))), name);
  }
  assert.ok(info.entries.every((e) => e.utf8));
  // Text is deflated; PNG and unknown binary are stored as they are.
  assert.equal(entry(info, `${top}/a.txt`).method, 8);
  assert.equal(entry(info, `${top}/pic.png`).method, 0);
  assert.equal(entry(info, `${top}/sub/b.bin`).method, 0);
  assert.ok(reply.body.length < text.length + png.length + 200_000);
  // The file's time, as the DOS field keeps it (local time).
  assert.deepEqual(entry(info, `${top}/a.txt`).date, [2021, 6, 15, 10, 20, 30]);
});

test('GET /sub/?download=zip zips the folder alone as sub.zip; HEAD sends the headers only', async (t) => {
  const root = await makeTree(t, { 'top.txt': 'top', 'sub/in.txt': 'in' });
  const server = await serve(t, { root, zip: true });
  const reply = await get(server.port, '/sub/?sort=size&download=zip');
  assert.equal(
    reply.headers['content-disposition'],
    `attachment; filename="sub.zip"; filename*=UTF-8''sub.zip`,
  );
  assert.deepEqual(names(await inspect(t, reply.body)), ['sub/', 'sub/in.txt']);

  const head = await get(server.port, '/sub/?download=zip', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-type'], 'application/zip');
  assert.equal(head.body.length, 0);
});

test('without --zip, ?download=zip gets the listing, byte for byte, and the page has no zip link', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a' });
  const server = await serve(t, { root });
  const plain = await get(server.port, '/');
  const asked = await get(server.port, '/?download=zip');
  assert.equal(asked.status, 200);
  assert.equal(asked.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(asked.text, plain.text);
  assert.doesNotMatch(plain.text, /download=zip/);

  const zipping = await serve(t, { root, zip: true });
  const page = await get(zipping.port, '/');
  assert.match(page.text, /<a class="zip" href="\?download=zip" download>.*Download as zip<\/span><\/a>/);
});

test('with --no-listing, ?download=zip is a 404; a folder with index.html serves the page', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'a', 'site/index.html': '<p>site</p>' });
  const unlisted = await serve(t, { root, zip: true, listing: false });
  assert.equal((await get(unlisted.port, '/?download=zip')).status, 404);
  const server = await serve(t, { root, zip: true });
  const site = await get(server.port, '/site/?download=zip');
  assert.equal(site.text, '<p>site</p>');
});

test('dotfiles and links out of the root are left out, and come in with their flags', async (t) => {
  const outside = await makeTree(t, { 'secret.txt': 'outside' });
  const root = await makeTree(t, {
    'a.txt': 'a',
    '.env': 'TOKEN=1',
    '.git/config': 'x',
    'sub/.hidden.txt': 'h',
    'out.txt': { symlink: join(outside, 'secret.txt') },
    outdir: { symlink: outside },
    'in.txt': { symlink: 'a.txt' },
  });
  const top = root.split('/').at(-1) as string;
  const strict = await serve(t, { root, zip: true });
  const info = await inspect(t, (await get(strict.port, '/?download=zip')).body);
  assert.deepEqual(names(info), [`${top}/`, `${top}/a.txt`, `${top}/in.txt`, `${top}/sub/`]);
  assert.equal(entry(info, `${top}/in.txt`).sha256, sha256(Buffer.from('a')));

  const open = await serve(t, { root, zip: true, dotfiles: true, followSymlinks: true });
  const all = await inspect(t, (await get(open.port, '/?download=zip')).body);
  assert.deepEqual(
    names(all),
    [
      '',
      '.env',
      '.git/',
      '.git/config',
      'a.txt',
      'in.txt',
      'out.txt',
      'outdir/',
      'outdir/secret.txt',
      'sub/',
      'sub/.hidden.txt',
    ].map((n) => `${top}/${n}`),
  );
  assert.equal(entry(all, `${top}/out.txt`).sha256, sha256(Buffer.from('outside')));
});

test('SKIPPED.txt names a FIFO, a broken link, a link loop and a backslash name; the walk ends', async (t) => {
  const root = await makeTree(t, {
    'a.txt': 'a',
    'back\\slash.txt': 'b',
    broken: { symlink: 'nowhere' },
    'sub/loop': { symlink: '..' },
    'sub/z.txt': 'z',
  });
  await run('mkfifo', [join(root, 'pipe')]);
  const server = await serve(t, { root, zip: true });
  const body = (await get(server.port, '/?download=zip')).body;
  const info = await inspect(t, body);
  const top = root.split('/').at(-1) as string;
  assert.deepEqual(
    names(info),
    ['', 'a.txt', 'sub/', 'sub/z.txt', 'SKIPPED.txt'].map((n) => `${top}/${n}`),
  );
  assert.equal(
    await entryText(t, body, `${top}/SKIPPED.txt`),
    'serve-here left these out of the archive:\n\n' +
      'back\\slash.txt\tname contains a backslash\n' +
      'broken\tbroken link\n' +
      'pipe\tnot a regular file\n' +
      'sub/loop\tlink to a folder already in the archive\n',
  );
});

test('SKIPPED.txt names a file and a folder without read permission', {
  skip: isRoot && 'root reads any file',
}, async (t) => {
  const root = await makeTree(t, {
    'a.txt': 'a',
    'closed/x.txt': 'x',
    'locked.txt': 'secret',
    'SKIPPED.txt': 'mine',
  });
  await run('chmod', ['000', join(root, 'locked.txt'), join(root, 'closed')]);
  const server = await serve(t, { root, zip: true });
  const body = (await get(server.port, '/?download=zip')).body;
  await run('chmod', ['700', join(root, 'closed')]); // so that the temporary folder can be removed
  const top = root.split('/').at(-1) as string;
  const info = await inspect(t, body);
  assert.ok(!names(info).includes(`${top}/locked.txt`));
  // The folder's own SKIPPED.txt is kept; the report takes the next free name.
  assert.equal(await entryText(t, body, `${top}/SKIPPED.txt`), 'mine');
  assert.match(
    await entryText(t, body, `${top}/SKIPPED-2.txt`),
    /\n\nclosed\/\tfolder unreadable\nlocked\.txt\tunreadable\n$/,
  );
});

/** Starts a GET and returns the response once its first body bytes arrived, unread. */
async function startDownload(port: number, path: string): Promise<IncomingMessage> {
  const req = httpRequest({ host: '127.0.0.1', port, path, agent: false });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  // 'readable' leaves the bytes in the stream's buffer (paused mode): nothing is lost.
  await once(res, 'readable');
  return res;
}

async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('a file removed while the download waits on the client is named in SKIPPED.txt', async (t) => {
  // Eight files between a.bin and z.txt: more than the server reads ahead (4).
  const between = Array.from({ length: 8 }, (_, i) => `b${i}.txt`);
  const root = await makeTree(t, { 'z.txt': 'late', ...Object.fromEntries(between.map((n) => [n, n])) });
  // Sparse, so cheap to make, and bigger than every socket buffer between server and client:
  // the server is still sending it when z.txt goes.
  await writeFile(join(root, 'a.bin'), '');
  await truncate(join(root, 'a.bin'), 96 * 1024 * 1024);
  const server = await serve(t, { root, zip: true });
  const res = await startDownload(server.port, '/?download=zip');
  await rm(join(root, 'z.txt'));
  const body = await readAll(res);
  const top = root.split('/').at(-1) as string;
  const info = await inspect(t, body);
  assert.deepEqual(
    names(info),
    ['', 'a.bin', ...between, 'SKIPPED.txt'].map((n) => `${top}/${n}`),
  );
  assert.match(await entryText(t, body, `${top}/SKIPPED.txt`), /\nz\.txt\tvanished\n$/);
});

test('hostile names reach Content-Disposition encoded and the entries exactly', async (t) => {
  const folder = 'we"ird\nfolder <&> été';
  const files = ['quo"te.txt', 'new\nline.txt', '<b>&amp;.txt', 'ünï😀.txt', "it's (1).txt"];
  const root = await makeTree(t, {});
  await mkdir(join(root, folder));
  for (const name of files) await writeFile(join(root, folder, name), name);
  const server = await serve(t, { root, zip: true });
  const reply = await get(server.port, `/${encodePathSegment(folder)}/?download=zip`);
  assert.equal(reply.status, 200);
  assert.equal(
    reply.headers['content-disposition'],
    `attachment; filename="we_ird_folder <&> _t_.zip"; filename*=UTF-8''we%22ird%0Afolder%20%3C&%3E%20%C3%A9t%C3%A9.zip`,
  );
  const info = await inspect(t, reply.body);
  assert.deepEqual(names(info), [`${folder}/`, ...[...files].sort().map((n) => `${folder}/${n}`)]);
  for (const name of files) assert.equal(entry(info, `${folder}/${name}`).sha256, sha256(Buffer.from(name)));
  // The listing page shows the link for this folder too, and escapes the folder's name.
  const page = await get(server.port, `/${encodePathSegment(folder)}/`);
  assert.match(page.text, /href="\?download=zip"/);
  assert.doesNotMatch(page.text, /<&>/);
});

test('10,000 small files zip under a 64-descriptor limit (files are opened one at a time)', async (t) => {
  const root = await makeTree(t, {});
  for (let d = 0; d < 10; d++) {
    const dir = join(root, `d${d}`);
    await mkdir(dir);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => writeFile(join(dir, `f${i}.txt`), `${d}/${i}`)));
  }
  // The real CLI under `ulimit -n 64`: opening files ahead would run out of descriptors.
  const child = spawn(
    'bash',
    ['-c', 'ulimit -n 64 && exec "$0" "$@"', process.execPath, BIN, root, '--zip', '-p', '0', '-q'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', PORT: '' },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (/:\d+\//.test(out)) resolve();
    });
    child.once('exit', () => reject(new Error(`serve-here exited: ${err}`)));
  });
  await started;
  const port = Number(/:(\d+)\//.exec(out)?.[1]);
  const reply = await get(port, '/?download=zip');
  const info = await inspect(t, reply.body);
  assert.equal(info.entries.filter((e) => e.sha256 !== null).length, 10_000);
  assert.ok(!names(info).some((n) => n.endsWith('SKIPPED.txt')));
  assert.equal(entry(info, `${root.split('/').at(-1)}/d7/f123.txt`).sha256, sha256(Buffer.from('7/123')));
  assert.equal(err, '');
});

/** The targets of this process's open descriptors. */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target !== '');
}

test('a client that disconnects mid-download stops the walk and frees the open file', async (t) => {
  const root = await makeTree(t, { 'b.txt': 'b' });
  const big = join(root, 'a.bin');
  await writeFile(big, '');
  await truncate(big, 96 * 1024 * 1024);
  const closed: ResponseLogEntry[] = [];
  let onClosed: () => void = () => undefined;
  const responded = new Promise<void>((resolve) => {
    onClosed = resolve;
  });
  const server = await serve(t, {
    root,
    zip: true,
    onResponse: (entry) => {
      closed.push(entry);
      onClosed();
    },
  });
  const before = new Set(await openFiles());
  const res = await startDownload(server.port, '/?download=zip');
  assert.ok((await openFiles()).includes(big), 'the big file is open while it is sent');
  res.destroy();
  await responded;
  assert.equal(closed[0]?.bytes, undefined);
  // Descriptors close on the thread pool right after the abort: wait for them, bounded.
  // Compared as a set: descriptors of earlier tests may still be closing when `before` is taken.
  const opened = async (): Promise<string[]> => (await openFiles()).filter((file) => !before.has(file));
  for (let i = 0; i < 200 && (await opened()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(await opened(), []);
});

test('walkFolder() leaves out what `excluded` refuses, given segments from the root', async (t) => {
  const root = await makeTree(t, { 'docs/a.txt': 'a', 'docs/drafts/b.txt': 'b', 'docs/c.txt': 'c' });
  const asked: string[] = [];
  const walked: string[] = [];
  const rules = {
    segments: ['docs'],
    dotfiles: false,
    followSymlinks: false,
    realRoot: root,
    excluded: (segments: readonly string[]) => {
      asked.push(segments.join('/'));
      return segments.at(-1) === 'drafts' || segments.at(-1) === 'c.txt';
    },
  };
  for await (const item of walkFolder(join(root, 'docs'), rules)) walked.push(`${item.kind} ${item.path}`);
  assert.deepEqual(walked, ['folder ', 'file a.txt']);
  assert.deepEqual(asked, ['docs/a.txt', 'docs/c.txt', 'docs/drafts']);
});

test('the zip leaves out what the config file hides: serve-here.json and unlisted paths', async (t) => {
  const root = await makeTree(t, {
    'serve-here.json': '{}',
    'keep.txt': 'keep',
    'secret/plan.txt': 'plan',
    'notes/draft.md': 'draft',
    'notes/final.md': 'final',
  });
  const server = await serve(t, { root, zip: true, unlisted: ['secret', 'notes/draft.md'] });
  const reply = await get(server.port, '/?download=zip');
  assert.equal(reply.status, 200);
  const listed = names(await inspect(t, reply.body)).map((name) => name.replace(/^[^/]+\//, ''));
  assert.deepEqual(listed.filter((name) => name !== '').sort(), ['keep.txt', 'notes/', 'notes/final.md']);
});
