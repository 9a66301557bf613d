// test/tls-cli.test.ts
// The CLI's HTTPS face, run as a child: --https creates the authority once and reuses it and
// its leaf, a new address gets a new leaf from the same authority, and every bad TLS input
// stops the start with one line naming the file (exit 1) before anything listens.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { runCli, startCli } from './cli-helpers.js';
import { makeTree } from './helpers.js';
import { httpsGet, localCa } from './tls-helpers.js';
import { unprivileged } from './unprivileged.js';

async function configDir(t: Pick<TestContext, 'after'>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'serve-here-config-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** Starts `serve-here root --https …`, waits for the https URL; killed after the test. */
async function startHttps(t: Pick<TestContext, 'after'>, args: readonly string[], folder: string) {
  const cli = startCli(args, { env: { SERVE_HERE_CONFIG_DIR: folder } });
  t.after(() => {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  });
  const match = await cli.waitFor(/https:\/\/[^\s/]+:(\d+)\/\n[\s\S]*?\n {2}\S.*\n/);
  const port = Number(/:(\d+)\//.exec(match[0])?.[1]);
  const stopped = async (): Promise<void> => {
    cli.child.kill('SIGTERM');
    await cli.exited;
  };
  return { cli, port, stopped };
}

test('serve-here --https creates a CA (keys 0600), prints its fingerprint and trust command, and serves', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const folder = await configDir(t);
  const { cli, port, stopped } = await startHttps(t, [root, '--https', '-p', '0'], folder);
  const ca = await readFile(join(folder, 'ca.crt'), 'utf8');
  const out = cli.stdout();
  assert.match(out, /^serving .* at https:\/\/localhost:\d+\/\n/);
  assert.ok(out.includes(`local CA SHA-256 ${new X509Certificate(ca).fingerprint256}\n`), out);
  assert.ok(out.includes(`https://localhost:${port}/__serve-here/ca.crt`), out);
  assert.ok(out.includes(`sudo cp ${join(folder, 'ca.crt')} /usr/local/share/ca-certificates/`), out);
  for (const key of ['ca.key', 'localhost.key']) {
    assert.equal((await stat(join(folder, key))).mode & 0o777, 0o600, key);
  }
  const reply = await httpsGet(port, ca, '/a.txt');
  assert.equal(reply.body.toString(), 'A');
  const caReply = await httpsGet(port, ca, '/__serve-here/ca.crt');
  assert.equal(caReply.body.toString(), ca);
  await stopped();
});

test('a second start reuses the CA and the leaf; a new address gets a new leaf from the same CA', async (t) => {
  const root = await makeTree(t, { 'a.txt': 'A' });
  const folder = await configDir(t);
  const read = async (name: string): Promise<string> => readFile(join(folder, name), 'utf8');

  await (await startHttps(t, [root, '--https', '-p', '0'], folder)).stopped();
  const [ca, leaf] = [await read('ca.crt'), await read('localhost.crt')];
  await (await startHttps(t, [root, '--https', '-p', '0'], folder)).stopped();
  assert.equal(await read('ca.crt'), ca);
  assert.equal(await read('localhost.crt'), leaf);

  const other = await startHttps(t, [root, '--https', '-p', '0', '--host', '127.0.0.2'], folder);
  assert.equal(await read('ca.crt'), ca);
  const newLeaf = new X509Certificate(await read('localhost.crt'));
  assert.notEqual(newLeaf.serialNumber, new X509Certificate(leaf).serialNumber);
  assert.match(newLeaf.subjectAltName ?? '', /IP Address:127\.0\.0\.2/);
  // The old names stay, so going back needs no third leaf.
  assert.match(newLeaf.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.ok(newLeaf.checkIssued(new X509Certificate(ca)));
  await other.stopped();
});

/** A certificate and key from the local CA, and the same key encrypted with a password. */
async function pemFiles(t: Pick<TestContext, 'after'>) {
  const { local } = await localCa(t);
  const folder = await makeTree(t, {
    'cert.pem': local.material.cert,
    'key.pem': local.material.key,
    'encrypted.pem': createPrivateKey(local.material.key).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'right horse',
    }) as string,
    'password.txt': 'right horse\n',
    'wrong.txt': 'wrong horse\n',
    'not-pem.txt': 'hello',
  });
  // A key from another authority: valid, but not this certificate's.
  const { local: other } = await localCa(t);
  await writeFile(join(folder, 'other-key.pem'), other.material.key);
  return { folder, local };
}

test('serve-here --tls-cert/--tls-key serves with that pair, an encrypted key with its password file', async (t) => {
  const { folder, local } = await pemFiles(t);
  const root = await makeTree(t, { 'a.txt': 'A' });
  for (const keyArgs of [
    ['--tls-key', join(folder, 'key.pem')],
    ['--tls-key', join(folder, 'encrypted.pem'), '--tls-password-file', join(folder, 'password.txt')],
  ]) {
    const cli = startCli([
      root,
      '-p',
      '0',
      '--host',
      '127.0.0.1',
      '--tls-cert',
      join(folder, 'cert.pem'),
      ...keyArgs,
    ]);
    t.after(() => {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    });
    const [, port] = await cli.waitFor(/https:\/\/127\.0\.0\.1:(\d+)\//);
    assert.doesNotMatch(cli.stdout(), /local CA/);
    const reply = await httpsGet(Number(port), local.caCertificate, '/a.txt');
    assert.equal(reply.body.toString(), 'A');
    // No local CA behind these files: no certificate URL either.
    assert.equal((await httpsGet(Number(port), local.caCertificate, '/__serve-here/ca.crt')).status, 404);
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
});

test('every bad TLS input exits 1 with one line naming the file, before listening', async (t) => {
  const { folder } = await pemFiles(t);
  const f = (name: string): string => join(folder, name);
  await writeFile(f('unreadable.pem'), 'x');
  await chmod(f('unreadable.pem'), 0o000);
  const asRoot = process.getuid?.() === 0;
  const cases: [string, string[], RegExp][] = [
    ['a certificate alone', ['--tls-cert', f('cert.pem')], /--tls-cert needs both --tls-cert and --tls-key/],
    ['a key alone', ['--tls-key', f('key.pem')], /--tls-key needs both --tls-cert and --tls-key/],
    [
      'a missing certificate',
      ['--tls-cert', f('missing.pem'), '--tls-key', f('key.pem')],
      /cannot read --tls-cert .*missing\.pem: no such file/,
    ],
    [
      'a certificate that is not PEM',
      ['--tls-cert', f('not-pem.txt'), '--tls-key', f('key.pem')],
      /--tls-cert .*not-pem\.txt is not a PEM certificate/,
    ],
    [
      'a key that is not PEM',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('not-pem.txt')],
      /--tls-key .*not-pem\.txt is not a PEM private key/,
    ],
    [
      'a key of another certificate',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('other-key.pem')],
      /--tls-key .*other-key\.pem does not belong to the certificate in .*cert\.pem/,
    ],
    [
      'an encrypted key without a password',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('encrypted.pem')],
      /--tls-key .*encrypted\.pem is encrypted; give its password with --tls-password-file/,
    ],
    [
      'a wrong password',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('encrypted.pem'), '--tls-password-file', f('wrong.txt')],
      /wrong password in --tls-password-file for --tls-key .*encrypted\.pem/,
    ],
    [
      'a missing password file',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('encrypted.pem'), '--tls-password-file', f('nope.txt')],
      /cannot read --tls-password-file .*nope\.txt: no such file/,
    ],
  ];
  // root reads any file whatever its mode, so the unreadable case needs another user.
  if (!asRoot) {
    cases.push([
      'an unreadable key',
      ['--tls-cert', f('cert.pem'), '--tls-key', f('unreadable.pem')],
      /cannot read --tls-key .*unreadable\.pem: permission denied/,
    ]);
  }
  const root = await makeTree(t, {});
  for (const [name, args, expected] of cases) {
    const { code, stdout, stderr } = await runCli([root, '-p', '0', ...args]);
    assert.equal(code, 1, name);
    assert.equal(stdout, '', `${name}: nothing listened`);
    assert.match(stderr, /^serve-here: [^\n]+\n$/, name);
    assert.match(stderr, expected, name);
  }
  const as = asRoot ? await unprivileged(t) : undefined;
  if (as?.kind === 'skip') t.diagnostic(`the unreadable key as another user is not checked: ${as.reason}`);
  if (as?.kind === 'nobody') {
    // Run as nobody (from a copy it can read, wherever this checkout lives), who may not read a
    // 0600 file of root's.
    await chmod(folder, 0o755);
    for (const name of ['cert.pem', 'unreadable.pem'])
      await chmod(f(name), name === 'cert.pem' ? 0o644 : 0o600);
    const { code, stderr } = await runCli(
      [folder, '-p', '0', '--tls-cert', f('cert.pem'), '--tls-key', f('unreadable.pem')],
      { bin: join(as.project, 'bin/serve-here.js'), uid: as.uid, cwd: '/' },
    );
    assert.equal(code, 1);
    assert.match(stderr, /^serve-here: cannot read --tls-key .*unreadable\.pem: permission denied\n$/);
  }
});

test('--https with --tls-cert is a usage error (exit 2)', async (t) => {
  const root = await makeTree(t, {});
  const { code, stderr } = await runCli([root, '--https', '--tls-cert', 'x.pem', '--tls-key', 'y.pem']);
  assert.equal(code, 2);
  assert.match(stderr, /^serve-here: --https makes its own certificate/);
});

test('--https with a config folder it cannot write exits 1 naming the folder', async (t) => {
  const root = await makeTree(t, {});
  const blocker = join(await configDir(t), 'a-file');
  await writeFile(blocker, '');
  const { code, stdout, stderr } = await runCli([root, '--https', '-p', '0'], {
    env: { SERVE_HERE_CONFIG_DIR: join(blocker, 'serve-here') },
  });
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(
    stderr,
    /^serve-here: --https: cannot keep the local certificate authority in .*a-file.*: ENOTDIR/,
  );
});
