// test/proxy-cli.test.ts
// --proxy on the command line: a bad URL is a one-line usage error (exit 2), the banner lists
// what is proxied, and the request and error logs say what the app did.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBanner } from '../src/serve/log.js';
import { runCli, startServing } from './cli-helpers.js';
import { get, makeTree, rawRequest } from './helpers.js';
import { startTestApp } from './proxy-app.js';

const badUrls: { url: string; reason: string }[] = [
  { url: 'localhost:3000', reason: 'must start with http:// or https://' },
  { url: 'http://user:secret@localhost:3000', reason: 'must not hold a user name or password' },
  { url: 'nonsense', reason: 'is not a URL; write it as http://host:port' },
  { url: 'http://x\u001b[2J:1', reason: 'is not a URL; write it as http://host:port' },
];

for (const { url, reason } of badUrls) {
  test(`serve-here --proxy ${JSON.stringify(url)} is a usage error on one line`, async (t) => {
    const root = await makeTree(t, {});
    const { code, stdout, stderr } = await runCli([root, '--proxy', url]);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    // A control character in the value is shown escaped, so the message stays one line.
    const shown = url.replace('\u001b', '\\x1b');
    assert.equal(stderr, `serve-here: --proxy: "${shown}" ${reason} (see --help)\n`);
  });
}

test('serve-here --proxy URL lists the app in the banner and sends misses to it', async (t) => {
  const app = await startTestApp(t);
  const root = await makeTree(t, { 'index.html': 'home' });
  const { cli, port } = await startServing(t, [root, '--port', '0', '--proxy', app.url]);
  await cli.waitFor(/^proxy \(no file\) → .*$/m);
  assert.match(cli.stdout(), new RegExp(`\\nproxy \\(no file\\) → ${app.url}\\n`));
  const reply = await get(port, '/api/items?id=3');
  assert.equal(reply.status, 200);
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/api/items?id=3'],
  );
  await cli.waitFor(/GET \/api\/items\?id=3 200/);
});

test('serve-here --proxy to an app that is down: 502 in the request log, the reason on stderr', async (t) => {
  const root = await makeTree(t, {});
  // Port 9 (discard) on loopback: nothing listens there on a test machine.
  const { cli, port } = await startServing(t, [root, '--port', '0', '--proxy', 'http://127.0.0.1:9']);
  const reply = await get(port, '/api');
  assert.equal(reply.status, 502);
  await cli.waitFor(/GET \/api 502/);
  assert.match(
    cli.stderr(),
    /serve-here: proxy: http:\/\/127\.0\.0\.1:9 refused the connection \(is the app running\?\) \(\/api\)\n/,
  );
});

const info = {
  version: '1.0.0',
  folder: './dist',
  url: 'http://localhost:8000/',
  port: 8000,
  host: undefined,
};

test('formatBanner() lists proxy rules on a terminal, one line each, control characters escaped', () => {
  const banner = formatBanner(
    {
      ...info,
      proxy: [
        { source: '/api/**', destination: 'http://localhost:3000' },
        { source: '/ws\u001b[2J', destination: 'http://localhost:5173' },
      ],
    },
    true,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour sequences removed here
  ).replace(/\u001b\[[0-9;]*m/g, '');
  assert.match(banner, /\n {2}➜ {2}Proxy: {4}\/api\/\*\* → http:\/\/localhost:3000\n/);
  assert.match(banner, /\n {2}➜ {2}Proxy: {4}\/ws\\x1b\[2J → http:\/\/localhost:5173\n/);
});

test('formatBanner() off a terminal adds one line per proxy rule after the serving line', () => {
  assert.equal(
    formatBanner({ ...info, proxy: 'http://127.0.0.1:3000' }, false),
    'serving ./dist at http://localhost:8000/\nproxy (no file) → http://127.0.0.1:3000\n',
  );
  assert.equal(formatBanner({ ...info, proxy: [] }, false), 'serving ./dist at http://localhost:8000/\n');
});

test('serve-here --proxy keeps strict parsing under NODE_OPTIONS=--insecure-http-parser', async (t) => {
  const app = await startTestApp(t);
  const root = await makeTree(t, {});
  const { port } = await startServing(t, [root, '--port', '0', '--proxy', app.url], {
    env: { NODE_OPTIONS: '--insecure-http-parser' },
  });
  const reply = await rawRequest(
    port,
    'POST /api HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 400 /);
  await get(port, '/after');
  assert.deepEqual(
    app.received.map((r) => r.url),
    ['/after'],
  );
});
