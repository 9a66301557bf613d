// src/auth/credentials.ts
// The credential spec of --auth and SERVE_HERE_AUTH (`user:password` or `user:sha256:<hex>`),
// read into digests, and the check of a user and password against them. Pure: no socket, no
// file system (node:crypto only hashes).
import { createRequire } from 'node:module';

/**
 * node:crypto through require(), on first use: loading it costs some 12 ms, which a start
 * without --auth should not pay.
 */
const require = createRequire(import.meta.url);
let loadedCrypto: typeof import('node:crypto') | undefined;

function crypto(): typeof import('node:crypto') {
  loadedCrypto ??= require('node:crypto') as typeof import('node:crypto');
  return loadedCrypto;
}

/** What is kept of a credential spec: SHA-256 digests of the user name and of the password. */
export interface Credentials {
  readonly userDigest: Buffer;
  readonly passwordDigest: Buffer;
}

export type CredentialsOutcome =
  | { readonly kind: 'credentials'; readonly credentials: Credentials }
  | { readonly kind: 'invalid'; readonly reason: string };

const HASHED = /^sha256:(.*)$/s;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/**
 * Reads `user:password` or `user:sha256:<64 hex digits>` (miniserve's spelling). The user name
 * ends at the first colon (RFC 7617 §2: a user-id cannot contain one); the password may hold
 * colons. A failure's reason never quotes the password, so it can be printed as it is.
 */
export function parseCredentials(spec: string): CredentialsOutcome {
  const colon = spec.indexOf(':');
  if (colon === -1) return invalid('write it as user:password or user:sha256:<hex>');
  const user = spec.slice(0, colon);
  const secret = spec.slice(colon + 1);
  if (user === '') return invalid('the user name before the colon is empty');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(user)) return invalid('the user name holds a control character');
  if (secret === '') return invalid('the password after the colon is empty');
  const hashed = HASHED.exec(secret);
  if (hashed !== null) {
    const hex = hashed[1] as string;
    if (!SHA256_HEX.test(hex)) return invalid('after sha256: give the 64 hex digits of the SHA-256 digest');
    return credentials(user, Buffer.from(hex, 'hex'));
  }
  return credentials(user, sha256(secret));
}

/**
 * True when `user` and `password` match. Both sides are hashed to 32 bytes and both are always
 * compared in constant time, so neither the time taken nor an early return tells an attacker
 * which part was wrong or how much of it was right. `equal` is there for a test to watch.
 */
export function matchesCredentials(
  stored: Credentials,
  user: string,
  password: string,
  equal: (a: Buffer, b: Buffer) => boolean = crypto().timingSafeEqual,
): boolean {
  const userMatches = equal(sha256(user), stored.userDigest);
  const passwordMatches = equal(sha256(password), stored.passwordDigest);
  return userMatches && passwordMatches;
}

/** The SHA-256 digest of `text` in UTF-8. */
export function sha256(text: string): Buffer {
  return crypto().createHash('sha256').update(text, 'utf8').digest();
}

/** Compares two digests of the same length in constant time. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return crypto().timingSafeEqual(a, b);
}

function credentials(user: string, passwordDigest: Buffer): CredentialsOutcome {
  return { kind: 'credentials', credentials: { userDigest: sha256(user), passwordDigest } };
}

function invalid(reason: string): CredentialsOutcome {
  return { kind: 'invalid', reason };
}
