// src/tls/leaf-names.ts
// Which names a certificate for this server must cover, and whether an existing one still
// does: pure decisions for local-ca.ts, so that a leaf is reused until it no longer fits.
import { isIP } from 'node:net';

/** The subject alternative names of a server certificate (RFC 5280 §4.2.1.6). */
export interface LeafNames {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/** Reissue a leaf this long before it expires, so a running server never serves an expired one. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/**
 * The names a browser may use for a server listening on `host` on a machine called
 * `hostname`: localhost and both loopback addresses always, the host name (and its `.local`
 * mDNS form), the listen address when one was given, and every LAN address when listening on
 * all interfaces.
 */
export function namesFor(
  host: string | undefined,
  hostname: string,
  lanAddresses: readonly string[],
): LeafNames {
  const dns = new Set(['localhost']);
  const ips = new Set(['127.0.0.1', '::1']);
  const label = hostname.toLowerCase();
  if (isDnsName(label)) {
    dns.add(label);
    if (!label.includes('.')) dns.add(`${label}.local`);
  }
  const everyInterface = host === '::' || host === '0.0.0.0';
  if (everyInterface) for (const address of lanAddresses) ips.add(address.toLowerCase());
  else if (host !== undefined && isIP(host) !== 0) ips.add(host.toLowerCase());
  else if (host !== undefined && isDnsName(host.toLowerCase())) dns.add(host.toLowerCase());
  return { dns: [...dns], ips: [...ips] };
}

/** True when the names `has` include every name `wanted` asks for. */
export function covers(has: LeafNames, wanted: LeafNames): boolean {
  const dns = new Set(has.dns.map((name) => name.toLowerCase()));
  const ips = new Set(has.ips.map(normaliseIp));
  return (
    wanted.dns.every((name) => dns.has(name.toLowerCase())) &&
    wanted.ips.every((ip) => ips.has(normaliseIp(ip)))
  );
}

/** Both lists together, without repeats: a reissued leaf keeps the names the old one had. */
export function union(a: LeafNames, b: LeafNames): LeafNames {
  return {
    dns: [...new Set([...a.dns, ...b.dns])],
    ips: [...new Set([...a.ips, ...b.ips].map(normaliseIp))],
  };
}

/**
 * Reads node:crypto's X509Certificate.subjectAltName (`DNS:a, IP Address:1.2.3.4, …`).
 * Names holding a comma or a quote are left out: ours never do.
 */
export function parseSubjectAltName(text: string | undefined): LeafNames {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const entry of (text ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4));
    else if (entry.startsWith('IP Address:')) ips.push(entry.slice(11));
  }
  return { dns, ips };
}

/** True when a leaf valid until `validTo` must be replaced at `now`. */
export function isNearExpiry(validTo: Date, now: Date): boolean {
  return validTo.getTime() - now.getTime() < RENEW_BEFORE_MS;
}

function isDnsName(name: string): boolean {
  return (
    name.length <= 253 &&
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(name)
  );
}

/** One spelling per address, so that `::1` and `0:0:0:0:0:0:0:1` compare equal. */
function normaliseIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return groups.map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}
