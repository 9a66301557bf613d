// test/export-output.test.ts
// What --export prints: deterministic, valid for `nginx -t` and `caddy validate` under every flag
// combination, quoted so that no folder name or header value can break or inject into the file,
// and one clear line (never a config) for what a target cannot express. Also the README's table.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ExportError, formatDifferencesTable, renderExport, siteFrom } from '../src/export/index.js';
import { prepareTls } from '../src/tls/index.js';
import { startCli } from './cli-helpers.js';
import { externalSkipReason, validateExternal } from './export-servers.js';
import { makeTree } from './helpers.js';

async function runExport(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

const FLAG_SETS: readonly (readonly string[])[] = [
  [],
  ['--spa'],
  ['--spa', 'app/shell.html', '--no-clean-urls'],
  ['--no-listing', '--no-compress'],
  ['--dotfiles', '--follow-symlinks'],
  ['--host'],
  ['--host', '0.0.0.0', '-p', '8080'],
  ['--host', '::1', '-p', '3000'],
  [
    '--cors',
    '--isolate',
    '--cache',
    '0',
    '--header',
    'X-Frame-Options: DENY',
    '--header',
    'Cache-Control: private',
  ],
  ['--header', 'X-Note: a"; return 200 "pwned { respond 200 }'],
];

for (const target of ['nginx', 'caddy'] as const) {
  describe(`serve-here --export ${target}`, { skip: externalSkipReason(target) }, () => {
    for (const flags of FLAG_SETS) {
      test(`is accepted by ${target === 'nginx' ? 'nginx -t' : 'caddy validate'} with ${flags.join(' ') || 'no flags'}`, async (t) => {
        const folder = 'site with "quotes" and {braces}';
        const root = await makeTree(t, {
          [`${folder}/index.html`]: 'home',
          [`${folder}/app/shell.html`]: 'shell',
        });
        const named = join(root, folder);
        const { code, stdout, stderr } = await runExport([named, '--export', target, ...flags]);
        assert.equal(code, 0, stderr);
        assert.equal(stderr, '');
        const verdict = await validateExternal(target, stdout);
        assert.ok(verdict.ok, `${target} rejected the export: ${verdict.output}\n${stdout}`);
      });
    }
  });
}

/** A certificate and key in PEM files, issued by a local authority made in a temporary folder. */
async function certificateFiles(t: Parameters<typeof makeTree>[0]): Promise<{ cert: string; key: string }> {
  const folder = await makeTree(t, {});
  const setup = await prepareTls({
    https: true,
    host: '127.0.0.1',
    lanAddresses: [],
    env: { SERVE_HERE_CONFIG_DIR: join(folder, 'ca') },
    shown: String,
  });
  if (setup.kind !== 'ready') throw new Error(setup.message);
  const cert = join(folder, 'cert.pem');
  const key = join(folder, 'key.pem');
  await writeFile(cert, setup.material.cert);
  await writeFile(key, setup.material.key, { mode: 0o600 });
  return { cert, key };
}

for (const target of ['nginx', 'caddy'] as const) {
  describe(`serve-here --export ${target} with a certificate`, { skip: externalSkipReason(target) }, () => {
    test(`is accepted by ${target === 'nginx' ? 'nginx -t' : 'caddy validate'}, which loads the certificate and key`, async (t) => {
      const root = await makeTree(t, { 'index.html': 'home' });
      const { cert, key } = await certificateFiles(t);
      const { code, stdout, stderr } = await runExport([
        root,
        '--export',
        target,
        '--tls-cert',
        cert,
        '--tls-key',
        key,
      ]);
      assert.equal(code, 0, stderr);
      assert.ok(stdout.includes(JSON.stringify(cert)) || stdout.includes(cert), stdout);
      if (target === 'nginx') assert.match(stdout, /listen [^;]*ssl/);
      const verdict = await validateExternal(target, stdout);
      assert.ok(verdict.ok, `${target} rejected the export: ${verdict.output}\n${stdout}`);
    });
  });
}

describe('serve-here --export', () => {
  test('prints the same bytes for the same command line', async (t) => {
    const root = await makeTree(t, { 'index.html': 'home' });
    for (const target of ['nginx', 'caddy', 'netlify']) {
      const first = await runExport([root, '--export', target, '--spa', '--cors', '--header', 'X-A: 1']);
      const second = await runExport([root, '--export', target, '--spa', '--cors', '--header', 'X-A: 1']);
      assert.equal(first.code, 0);
      assert.ok(first.stdout.length > 200);
      assert.equal(first.stdout, second.stdout);
    }
  });

  test('prints the config and exits 0 without listening, even when the port is taken', async (t) => {
    const root = await makeTree(t, { 'index.html': 'home' });
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    t.after(() => blocker.close());
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { code, stdout, stderr } = await runExport([root, '-p', String(port), '--export', 'nginx']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, new RegExp(`listen 127\\.0\\.0\\.1:${port};`));
    assert.doesNotMatch(stdout, /serving/);
  });

  test('writes the root as an absolute path, quoted', async (t) => {
    const root = await makeTree(t, { 'index.html': 'home' });
    const { stdout } = await runExport([root, '--export', 'nginx']);
    assert.ok(stdout.includes(`root ${JSON.stringify(root)};`));
    const caddy = await runExport([root, '--export', 'caddy']);
    assert.ok(caddy.stdout.includes(`root * ${JSON.stringify(root)}`));
  });

  test('answers an unknown target with one usage line (exit 2)', async () => {
    const { code, stdout, stderr } = await runExport(['--export', 'apache']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^serve-here: --export: .*nginx, caddy, netlify.*\n$/);
  });

  test('answers a missing folder with one line (exit 1)', async (t) => {
    const root = await makeTree(t, {});
    const { code, stderr } = await runExport([join(root, 'nope'), '--export', 'caddy']);
    assert.equal(code, 1);
    assert.match(stderr, /^serve-here: folder not found: .*nope\n$/);
  });

  const refusals: { name: string; target: string; file: string; pattern: RegExp }[] = [
    {
      name: 'a "$" for nginx',
      target: 'nginx',
      file: 'price$tag',
      pattern: /nginx cannot express a "\$" in the folder/,
    },
    {
      name: 'a backslash for Caddy',
      target: 'caddy',
      file: 'back\\slash',
      pattern: /Caddy cannot express a backslash in the folder/,
    },
  ];
  for (const refusal of refusals) {
    test(`refuses a folder with ${refusal.name} with one line (exit 1), printing no config`, async (t) => {
      const root = await makeTree(t, {});
      const named = join(root, refusal.file);
      await mkdir(named);
      const { code, stdout, stderr } = await runExport([named, '--export', refusal.target]);
      assert.equal(code, 1);
      assert.equal(stdout, '');
      assert.match(stderr, refusal.pattern);
      assert.equal(stderr.split('\n').length, 2, 'one line');
    });
  }

  test('netlify: _headers and _redirects, with the SPA rule and the hidden names', async (t) => {
    const root = await makeTree(t, { 'index.html': 'home' });
    const { code, stdout } = await runExport([
      root,
      '--export',
      'netlify',
      '--spa',
      '--cache',
      '60',
      '--cors',
    ]);
    assert.equal(code, 0);
    const [headers, redirects] = stdout.split('# ---- _redirects ----');
    assert.match(headers ?? '', /# ---- _headers ----\n\/\*\n {2}X-Content-Type-Options: nosniff\n/);
    assert.match(headers ?? '', /\n {2}Cache-Control: public, max-age=60\n/);
    assert.match(headers ?? '', /\n {2}Access-Control-Allow-Origin: \*\n/);
    assert.match(headers ?? '', /\n\/index\.html\n {2}Cache-Control: no-cache\n/);
    assert.match(redirects ?? '', /\n\/\.git\/\* {2}\/404\.html {2}404!\n/);
    assert.match(redirects ?? '', /\n\/\* {2}\/index\.html {2}200\n$/);
    assert.match(stdout, /# - netlify: no folder listings/);
  });
});

describe('renderExport()', () => {
  const base = siteFrom({ root: '/srv/site', port: 8000 }, '1.0.0');
  test('refuses control characters in a header value for every target', () => {
    const site = { ...base, headers: [['X-A', 'a\tb']] as const };
    for (const target of ['nginx', 'caddy', 'netlify'] as const) {
      assert.throws(() => renderExport(target, site), ExportError);
    }
  });

  test('escapes quotes and braces for Caddy, quotes and backslashes for nginx', () => {
    const site = { ...base, root: '/srv/a "b" {c} d\\e' };
    assert.ok(renderExport('nginx', site).includes('root "/srv/a \\"b\\" {c} d\\\\e";'));
    const caddy = { ...base, root: '/srv/a "b" {c}' };
    assert.ok(renderExport('caddy', caddy).includes('root * "/srv/a \\"b\\" \\{c\\}"'));
  });

  test('says "none" when no difference applies', () => {
    const quiet = { ...base, listing: false, compress: false, followSymlinks: true };
    assert.match(renderExport('nginx', quiet), /# - nginx: status pages other than 404/);
    assert.doesNotMatch(renderExport('nginx', quiet), /symlink/);
  });
});

test('the README lists every difference, as formatDifferencesTable() writes them', async () => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /<!-- export-differences:start -->\n([\s\S]*?)<!-- export-differences:end -->/.exec(readme);
  assert.ok(block, 'README has the block between export-differences:start and :end');
  assert.equal(block[1], formatDifferencesTable());
});
