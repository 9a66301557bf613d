// test/capabilities.test.ts
// Auth, config rules and the proxy are loaded only when the options use them
// (src/serve/capabilities.ts), and a handler is never built without one its options need.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capabilitiesWanted, loadCapabilities } from '../src/serve/capabilities.js';
import { resolveConfig } from '../src/serve/options.js';

test('plain options load no capability', async () => {
  assert.deepEqual(await loadCapabilities({ root: '.', cors: true, spa: true, headers: { 'X-A': '1' } }), {});
  assert.deepEqual(capabilitiesWanted({ unlisted: [], redirects: [] }), {
    auth: false,
    rules: false,
    proxy: false,
  });
});

test('each option loads the module it needs, and only that one', async () => {
  const cases: [Parameters<typeof loadCapabilities>[0], string[]][] = [
    [{ auth: 'ann:secret' }, ['auth']],
    [{ trailingSlash: true }, ['rules']],
    [{ redirects: [{ source: '/a', destination: '/b' }] }, ['rules']],
    [{ unlisted: ['*.bak'] }, ['rules']],
    [{ hidden: ['serve-here.json'] }, ['rules']],
    [{ proxy: 'http://127.0.0.1:3000' }, ['proxy']],
    [
      { auth: 'ann:secret', headerRules: [{ source: '**', headers: [] }], proxy: [] },
      ['auth', 'rules', 'proxy'],
    ],
  ];
  for (const [options, names] of cases) {
    const loaded = await loadCapabilities(options);
    assert.deepEqual(Object.keys(loaded).sort(), [...names].sort(), JSON.stringify(options));
    assert.equal(typeof loaded.auth?.createAuthGate, names.includes('auth') ? 'function' : 'undefined');
    assert.equal(typeof loaded.rules?.compileRules, names.includes('rules') ? 'function' : 'undefined');
    assert.equal(typeof loaded.proxy?.createProxy, names.includes('proxy') ? 'function' : 'undefined');
  }
});

test('resolveConfig() refuses options whose capability was not loaded, and builds them when it was', async () => {
  assert.throws(() => resolveConfig({ auth: 'ann:secret' }), /need the auth capability.*loadCapabilities/);
  assert.throws(() => resolveConfig({ trailingSlash: true }), /need the rules capability/);
  assert.throws(() => resolveConfig({ proxy: 'http://127.0.0.1:3000' }), /need the proxy capability/);
  const options = { auth: 'ann:secret', trailingSlash: true, proxy: 'http://127.0.0.1:3000' } as const;
  const config = resolveConfig(options, await loadCapabilities(options));
  assert.equal(typeof config.authGate, 'function');
  assert.equal(typeof config.rules.redirect, 'function');
  assert.ok(config.proxy?.fallback !== undefined);
});
