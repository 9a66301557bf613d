// test/batch.test.ts
// Requests that arrive together are answered together and share their stats (src/batch.ts);
// requests that arrive after a change see it, whether they came pipelined on one connection
// or at once on many.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { get, makeTree, rawRequest, serve } from './helpers.js';

/** `count` pipelined GETs of each path in one write; the last one closes the connection. */
function pipelined(paths: readonly string[]): string {
  return paths
    .map((path, i) => {
      const close = i === paths.length - 1 ? 'Connection: close\r\n' : '';
      return `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${close}\r\n`;
    })
    .join('');
}

/** The status and body of each response in a raw reply (bodies with Content-Length only). */
function splitReplies(reply: string): { status: number; body: string }[] {
  const replies: { status: number; body: string }[] = [];
  let rest = reply;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    assert.ok(end > 0, `no header end in ${JSON.stringify(rest.slice(0, 80))}`);
    const head = rest.slice(0, end);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    assert.ok(Number.isInteger(length), `no Content-Length in ${head}`);
    replies.push({ status: Number(head.slice(9, 12)), body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return replies;
}

test('pipelined requests are all answered, and the ones sent after a change see it', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'one' });
  const { port } = await serve(t, { root });
  const paths = ['/a.txt', '/missing.txt', '/a.txt', '/a.txt', '/missing.txt', '/a.txt'];

  const before = splitReplies(await rawRequest(port, pipelined(paths)));
  assert.deepEqual(
    before.map((r) => [r.status, r.body]),
    paths.map((p) => (p === '/a.txt' ? [200, 'one'] : [404, '404 Not Found\n'])),
  );

  await writeFile(join(root, 'a.txt'), 'second version');
  await writeFile(join(root, '404.html'), '<p>custom</p>');
  const after = splitReplies(await rawRequest(port, pipelined(paths)));
  assert.deepEqual(
    after.map((r) => [r.status, r.body]),
    paths.map((p) => (p === '/a.txt' ? [200, 'second version'] : [404, '<p>custom</p>'])),
  );
});

test('requests on many connections at once get the same fresh answer, before and after a change', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'one', 'b.txt': 'bee' });
  const { port } = await serve(t, { root });
  const fetchAll = (path: string) => Promise.all(Array.from({ length: 20 }, () => get(port, path)));

  const first = await Promise.all([fetchAll('/a.txt'), fetchAll('/b.txt'), fetchAll('/gone.txt')]);
  assert.deepEqual(
    first.map((replies) => [...new Set(replies.map((r) => `${r.status} ${r.text}`))]),
    [['200 one'], ['200 bee'], ['404 404 Not Found\n']],
  );

  await writeFile(join(root, 'a.txt'), 'two!');
  await writeFile(join(root, 'gone.txt'), 'here now');
  const second = await Promise.all([fetchAll('/a.txt'), fetchAll('/b.txt'), fetchAll('/gone.txt')]);
  assert.deepEqual(
    second.map((replies) => [...new Set(replies.map((r) => `${r.status} ${r.text}`))]),
    [['200 two!'], ['200 bee'], ['200 here now']],
  );
});
