// test/auth.test.ts
// --auth's pure parts, as tables: the credential spec, the Authorization header, the
// constant-time check, and the failure limiter on a hand-driven clock.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { parseAuthorization } from '../src/auth/authorization.js';
import { clientKey } from '../src/auth/client-key.js';
import { matchesCredentials, parseCredentials } from '../src/auth/credentials.js';
import { FailureLimiter } from '../src/auth/failure-limiter.js';

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const basic = (pair: string): string => `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;

const goodSpecs: { spec: string; user: string; password: string }[] = [
  { spec: 'ann:secret', user: 'ann', password: 'secret' },
  { spec: 'ann:pa:ss:word', user: 'ann', password: 'pa:ss:word' },
  { spec: 'ann: spaced ', user: 'ann', password: ' spaced ' },
  { spec: 'zoë:mot de passe é', user: 'zoë', password: 'mot de passe é' },
  { spec: `ann:sha256:${sha256('hunter2').toString('hex')}`, user: 'ann', password: 'hunter2' },
  { spec: `ann:sha256:${sha256('hunter2').toString('hex').toUpperCase()}`, user: 'ann', password: 'hunter2' },
];

for (const c of goodSpecs) {
  test(`parseCredentials(${JSON.stringify(c.spec)}) accepts ${c.user} with its password, and nothing else`, () => {
    const parsed = parseCredentials(c.spec);
    assert.equal(parsed.kind, 'credentials');
    if (parsed.kind !== 'credentials') return;
    assert.equal(matchesCredentials(parsed.credentials, c.user, c.password), true);
    assert.equal(matchesCredentials(parsed.credentials, c.user, `${c.password}x`), false);
    assert.equal(matchesCredentials(parsed.credentials, `${c.user}x`, c.password), false);
    assert.equal(matchesCredentials(parsed.credentials, c.user.toUpperCase(), c.password), false);
    assert.equal(matchesCredentials(parsed.credentials, c.user, ''), false);
  });
}

const badSpecs: { spec: string; reason: RegExp }[] = [
  { spec: 'annsecret', reason: /user:password/ },
  { spec: '', reason: /user:password/ },
  { spec: ':secret', reason: /user name .* empty/ },
  { spec: 'ann:', reason: /password .* empty/ },
  { spec: 'a\nb:secret', reason: /control character/ },
  { spec: 'ann:sha256:', reason: /64 hex digits/ },
  { spec: 'ann:sha256:abc', reason: /64 hex digits/ },
  { spec: `ann:sha256:${'g'.repeat(64)}`, reason: /64 hex digits/ },
  { spec: `ann:sha256:${'a'.repeat(63)}`, reason: /64 hex digits/ },
  { spec: `ann:sha256:${'a'.repeat(65)}`, reason: /64 hex digits/ },
];

for (const c of badSpecs) {
  test(`parseCredentials(${JSON.stringify(c.spec)}) is refused with a reason that quotes no password`, () => {
    const parsed = parseCredentials(c.spec);
    assert.equal(parsed.kind, 'invalid');
    if (parsed.kind !== 'invalid') return;
    assert.match(parsed.reason, c.reason);
    assert.doesNotMatch(parsed.reason, /secret|abc|aaaa|gggg/);
  });
}

test('matchesCredentials() compares both 32-byte digests, every time, whatever the input', () => {
  const parsed = parseCredentials('ann:secret');
  assert.equal(parsed.kind, 'credentials');
  if (parsed.kind !== 'credentials') return;
  const attempts: [string, string][] = [
    ['ann', 'secret'],
    ['x', 'secret'],
    ['ann', 's'],
    ['', ''],
    ['a-very-long-user-name'.repeat(20), 'a-long-password'.repeat(50)],
  ];
  for (const [user, password] of attempts) {
    const compared: [number, number][] = [];
    const spy = (a: Buffer, b: Buffer): boolean => {
      compared.push([a.length, b.length]);
      return a.equals(b);
    };
    const result = matchesCredentials(parsed.credentials, user, password, spy);
    assert.equal(result, user === 'ann' && password === 'secret');
    // Both comparisons run even when the user name is already wrong (no early return).
    assert.deepEqual(compared, [
      [32, 32],
      [32, 32],
    ]);
  }
});

const headers: { header: string | undefined; want: ReturnType<typeof parseAuthorization> }[] = [
  { header: undefined, want: { kind: 'missing' } },
  { header: basic('ann:secret'), want: { kind: 'basic', user: 'ann', password: 'secret' } },
  {
    header: `bAsIc ${Buffer.from('ann:secret').toString('base64')}`,
    want: { kind: 'basic', user: 'ann', password: 'secret' },
  },
  {
    header: `Basic   ${Buffer.from('ann:secret').toString('base64')}  `,
    want: { kind: 'basic', user: 'ann', password: 'secret' },
  },
  { header: basic('ann:pa:ss'), want: { kind: 'basic', user: 'ann', password: 'pa:ss' } },
  { header: basic(':'), want: { kind: 'basic', user: '', password: '' } },
  { header: basic('zoë:é'), want: { kind: 'basic', user: 'zoë', password: 'é' } },
  // U+FEFF is part of the user name, not a byte-order mark to drop: '\uFEFFann' is not 'ann'.
  { header: basic('\uFEFFann:secret'), want: { kind: 'basic', user: '\uFEFFann', password: 'secret' } },
  { header: '', want: { kind: 'malformed' } },
  { header: 'Basic', want: { kind: 'malformed' } },
  { header: 'Basic ', want: { kind: 'malformed' } },
  { header: 'Bearer abc.def', want: { kind: 'malformed' } },
  { header: `Digest ${Buffer.from('ann:secret').toString('base64')}`, want: { kind: 'malformed' } },
  { header: `Basic${Buffer.from('ann:secret').toString('base64')}`, want: { kind: 'malformed' } },
  { header: 'Basic !!!!', want: { kind: 'malformed' } },
  { header: 'Basic YW5u', want: { kind: 'malformed' } }, // "ann": no colon
  { header: 'Basic YW5uOnNlY3JldA', want: { kind: 'malformed' } }, // padding cut: not a multiple of 4
  { header: 'Basic YW5uOnNlY3JldA===', want: { kind: 'malformed' } },
  { header: 'Basic YW5u OnNlY3JldA==', want: { kind: 'malformed' } },
  {
    header: `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`,
    want: { kind: 'malformed' },
  },
  {
    header: `Basic ${Buffer.from('ann:secret').toString('base64')}, Basic eA==`,
    want: { kind: 'malformed' },
  },
  { header: `Basic ${'A'.repeat(4000)}`, want: { kind: 'malformed' } },
];

for (const c of headers) {
  test(`parseAuthorization(${JSON.stringify(c.header)?.slice(0, 60)}) is ${c.want.kind}`, () => {
    assert.deepEqual(parseAuthorization(c.header), c.want);
  });
}

/** A clock the test moves by hand. */
function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

test('FailureLimiter blocks an address at its 10th failure within a minute, for a minute', () => {
  const time = clock();
  const limiter = new FailureLimiter({ now: time.now });
  for (let i = 1; i <= 9; i++) {
    assert.equal(limiter.recordFailure('10.0.0.1'), 'counted', `failure ${i}`);
    assert.equal(limiter.retryAfter('10.0.0.1'), 0);
    time.advance(1000);
  }
  assert.equal(limiter.recordFailure('10.0.0.1'), 'blocked');
  assert.equal(limiter.retryAfter('10.0.0.1'), 60);
  assert.equal(limiter.retryAfter('10.0.0.2'), 0, 'another address is not blocked');
  time.advance(59_500);
  assert.equal(limiter.retryAfter('10.0.0.1'), 1, 'Retry-After rounds up, never 0 while blocked');
  time.advance(500);
  assert.equal(limiter.retryAfter('10.0.0.1'), 0);
  assert.equal(limiter.recordFailure('10.0.0.1'), 'counted', 'a new window starts from zero');
});

test('FailureLimiter forgets failures older than the window', () => {
  const time = clock();
  const limiter = new FailureLimiter({ now: time.now });
  for (let i = 0; i < 9; i++) limiter.recordFailure('10.0.0.1');
  time.advance(60_000);
  for (let i = 0; i < 9; i++) assert.equal(limiter.recordFailure('10.0.0.1'), 'counted');
  assert.equal(limiter.retryAfter('10.0.0.1'), 0);
});

test('FailureLimiter reports the limit once per window, however many failures follow', () => {
  const time = clock();
  const limiter = new FailureLimiter({ now: time.now, limit: 3 });
  const outcomes = Array.from({ length: 8 }, () => limiter.recordFailure('::1'));
  assert.deepEqual(outcomes.filter((o) => o === 'blocked').length, 1);
});

test('FailureLimiter starts an address afresh after a success', () => {
  const time = clock();
  const limiter = new FailureLimiter({ now: time.now });
  for (let i = 0; i < 9; i++) limiter.recordFailure('10.0.0.1');
  limiter.recordSuccess('10.0.0.1');
  assert.equal(limiter.size, 0);
  assert.equal(limiter.recordFailure('10.0.0.1'), 'counted');
});

test('FailureLimiter remembers at most maxAddresses, forgetting the oldest first', () => {
  const time = clock();
  const limiter = new FailureLimiter({ now: time.now, maxAddresses: 100, limit: 1 });
  for (let i = 0; i < 10_000; i++) {
    limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    time.advance(1);
  }
  assert.equal(limiter.size, 100);
  assert.equal(limiter.retryAfter('10.0.0.0'), 0, 'the oldest was forgotten');
  assert.ok(limiter.retryAfter('10.0.39.15') > 0, 'the newest is still blocked');
});

const keys: [string, string][] = [
  ['192.168.1.5', '192.168.1.5'],
  ['::ffff:192.168.1.5', '192.168.1.5'],
  ['::FFFF:10.0.0.1', '10.0.0.1'],
  ['::1', '0:0:0:0::/64'],
  ['fd00::2', 'fd00:0:0:0::/64'],
  ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
  ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
  ['2001:0DB8:0001:0002::', '2001:db8:1:2::/64'],
  ['2001:db8::1:2:3:4', '2001:db8:0:0::/64'],
  ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ['', ''],
];
for (const [address, key] of keys) {
  test(`clientKey(${JSON.stringify(address)}) is ${JSON.stringify(key)}`, () => {
    assert.equal(clientKey(address), key);
  });
}

test('clientKey() puts two addresses of one IPv6 /64 together, and other networks apart', () => {
  assert.equal(clientKey('2001:db8:1:2::a'), clientKey('2001:db8:1:2:9999:8888:7777:6666'));
  assert.notEqual(clientKey('2001:db8:1:2::a'), clientKey('2001:db8:1:3::a'));
});
