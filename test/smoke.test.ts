// test/smoke.test.ts
// The smallest end-to-end check: a real server answers a real file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get, makeTree, serve } from './helpers.js';

test('GET /hello.txt returns the file with its type', async (t) => {
  const root = await makeTree(t, { 'hello.txt': 'hi there\n' });
  const { port } = await serve(t, { root });
  const reply = await get(port, '/hello.txt');
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(reply.text, 'hi there\n');
});
