// test/log.test.ts
// The CLI's printed text, checked as strings: banner shapes, request lines, escaping, sizes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  escapeControl,
  formatBanner,
  formatBytes,
  formatRequestLine,
  lanAddresses,
} from '../src/serve/log.js';

const info = {
  version: '1.2.3',
  folder: './dist',
  url: 'http://localhost:8000/',
  port: 8000,
  host: undefined,
};
// picocolors decides colour once at import; strip escapes so the assertions hold either way.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the sequences removed here
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

test('formatBanner() off a terminal is one plain line', () => {
  assert.equal(formatBanner(info, false), 'serving ./dist at http://localhost:8000/\n');
});

test('formatBanner() off a terminal prefixes the busy-port notice', () => {
  assert.equal(
    formatBanner({ ...info, port: 8001, url: 'http://localhost:8001/', busyPort: 8000 }, false),
    'port 8000 is in use, using 8001\nserving ./dist at http://localhost:8001/\n',
  );
});

test('formatBanner() on a terminal shows name, version, folder, Local and the --host hint', () => {
  const text = plain(formatBanner(info, true));
  assert.match(text, /serve-here v1\.2\.3 {2}serving \.\/dist/);
  assert.match(text, /➜ {2}Local: {4}http:\/\/localhost:8000\//);
  assert.match(text, /➜ {2}Network: {2}use --host to expose/);
});

test('formatBanner() on a terminal lists every LAN address when bound to all interfaces', () => {
  const text = plain(formatBanner({ ...info, host: '::' }, true));
  assert.doesNotMatch(text, /use --host/);
  for (const address of lanAddresses()) {
    const shown = address.includes(':') ? `[${address}]` : address;
    assert.ok(text.includes(`Network:  http://${shown}:8000/`), `${address} listed`);
  }
});

test('formatBanner() for a specific --host shows no Network line', () => {
  const text = plain(formatBanner({ ...info, host: '127.0.0.1', url: 'http://127.0.0.1:8000/' }, true));
  assert.doesNotMatch(text, /Network/);
  assert.match(text, /Local: {4}http:\/\/127\.0\.0\.1:8000\//);
});

test('formatRequestLine() shows time, method, path, status, bytes and duration', () => {
  const line = plain(
    formatRequestLine(
      { method: 'GET', url: '/a.txt', status: 200, bytes: 1234, durationMs: 1.25 },
      new Date(2026, 0, 2, 3, 4, 5),
    ),
  );
  assert.equal(line, '03:04:05 GET /a.txt 200 1.2 KB 1.3ms');
});

test('formatRequestLine() shows "-" for bytes of an aborted response', () => {
  const line = plain(
    formatRequestLine(
      { method: 'GET', url: '/x', status: 200, bytes: undefined, durationMs: 0 },
      new Date(0),
    ),
  );
  assert.match(line, / GET \/x 200 - 0\.0ms$/);
});

const CONTROLS: readonly [text: string, escaped: string][] = [
  ['/a\nb\r\u001b[2J\u0085', '/a\\nb\\r\\x1b[2J\\x85'],
  ['X-A: a\r\nX-Injected: yes', 'X-A: a\\r\\nX-Injected: yes'],
  ['tab\there', 'tab\\there'],
  ['\u0000\u0007\u0008\u000b\u000c\u001f\u007f', '\\x00\\x07\\x08\\x0b\\x0c\\x1f\\x7f'],
  ['\u009b31m 8-bit CSI', '\\x9b31m 8-bit CSI'],
  ['/ünïcode ok', '/ünïcode ok'],
  ['a\\nb already escaped', 'a\\nb already escaped'],
];

for (const [text, escaped] of CONTROLS) {
  test(`escapeControl(${JSON.stringify(text)}) is ${escaped}, one line, and escaping it again changes nothing`, () => {
    assert.equal(escapeControl(text), escaped);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may remain
    assert.doesNotMatch(escapeControl(text), /[\u0000-\u001f\u007f-\u009f]/);
    assert.equal(escapeControl(escapeControl(text)), escapeControl(text));
  });
}

test('formatRequestLine() escapes control characters in the target (a mounted handler may see any)', () => {
  const line = plain(
    formatRequestLine(
      { method: 'GET', url: '/a\r\nfake 200\u001b[2J', status: 404, bytes: 0, durationMs: 0 },
      new Date(0),
    ),
  );
  assert.match(line, / GET \/a\\r\\nfake 200\\x1b\[2J 404 0 B 0\.0ms$/);
});

test('formatBanner() escapes control characters in the folder name', () => {
  const folder = './we\nird\u001b[31m';
  assert.equal(
    formatBanner({ ...info, folder }, false),
    'serving ./we\\nird\\x1b[31m at http://localhost:8000/\n',
  );
  assert.doesNotMatch(plain(formatBanner({ ...info, folder }, true)), /we\n/);
});

const sizes: [number, string][] = [
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.0 KB'],
  [4100, '4.1 KB'],
  [123_456, '123 KB'],
  [1_200_000_000, '1.2 GB'],
];
for (const [bytes, text] of sizes) {
  test(`formatBytes(${bytes}) is ${text}`, () => assert.equal(formatBytes(bytes), text));
}
