// src/auth/client-key.ts
// Which failed logins count together: one IPv4 address, or one IPv6 /64 network. A single
// IPv6 host usually owns a whole /64 (RFC 4291 §2.5.4; SLAAC picks addresses within it), so
// counting per address would let it pick a fresh address for every guess. Pure.

/** The key failed logins from `address` (a socket's remoteAddress) are counted under. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  // Node gives IPv6 peers in their textual form, the only one with colons.
  if (!address.includes(':')) return address;
  const groups = expandIPv6(address.split('%', 1)[0] as string);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const split = (part: string | undefined): string[] =>
    part === undefined || part === '' ? [] : part.split(':').flatMap(toHexGroups);
  const front = split(head);
  const back = split(tail);
  const zeros = Array.from({ length: 8 - front.length - back.length }, () => '0');
  return [...front, ...zeros, ...back];
}

/** One group as written, or the two groups of an embedded dotted IPv4 address. */
function toHexGroups(group: string): string[] {
  if (!group.includes('.')) return [Number.parseInt(group, 16).toString(16)];
  const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
  return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}
