// src/export/auth.ts
// --auth for the targets: a bcrypt hash that nginx (with libxcrypt, as on Debian) and Caddy both
// check, made with a salt derived from the credentials so that the same command line prints the
// same bytes. A password given only as its SHA-256 digest cannot become a bcrypt hash: the
// export then writes a hash that matches no password and says how to make a real one.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

export interface ExportAuth {
  readonly user: string;
  /** The password in clear, when the spec gave it so (`user:password`). */
  readonly password: string | undefined;
}

/** bcrypt's cost: 2^10 rounds, about 70 ms per check in nginx, what htpasswd -B uses. */
const COST = 10;

/** Reads `user:password` or `user:sha256:<hex>` (already checked by the CLI). */
export function exportAuthFrom(spec: string): ExportAuth {
  const colon = spec.indexOf(':');
  const user = spec.slice(0, colon);
  const secret = spec.slice(colon + 1);
  return { user, password: /^sha256:[0-9a-fA-F]{64}$/.test(secret) ? undefined : secret };
}

/**
 * The bcrypt hash of the password, or of a random-looking string no one knows when the password
 * is not available, so that the file locks everyone out rather than letting anyone in.
 */
export function bcryptHash(auth: ExportAuth): string {
  const secret = auth.password ?? `unknown:${auth.user}`;
  const seed = createHash('sha256').update(`serve-here --export\0${auth.user}\0${secret}`).digest();
  const salt = `$2b$${String(COST).padStart(2, '0')}$${bcrypt.encodeBase64(seed, 16)}`;
  const hash = bcrypt.hashSync(auth.password ?? seed.toString('hex'), salt);
  return hash;
}

/** bcrypt reads only the first 72 bytes of a password. */
export function isTruncated(auth: ExportAuth): boolean {
  return auth.password !== undefined && bcrypt.truncates(auth.password);
}
