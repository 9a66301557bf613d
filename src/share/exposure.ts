// src/share/exposure.ts
// Decides what is risky about putting a folder on the network: the root itself (home, `/`, an
// ancestor of home), names that look like secrets, and flag combinations (--auth without TLS,
// --upload without --auth). Pure: the caller reads the disk (scan.ts) and prints.
import { isAbsolute, parse, relative } from 'node:path';

/** The settings the warnings depend on. */
export interface ExposureSettings {
  /** Absolute path of the served folder. */
  readonly root: string;
  /** The --host value; undefined means loopback only. */
  readonly host: string | undefined;
  readonly dotfiles: boolean;
  readonly followSymlinks: boolean;
  readonly auth: boolean;
  readonly tls: boolean;
  readonly upload: boolean;
}

export type RootRisk = 'home' | 'filesystem' | 'contains-home';

export type ExposureWarning =
  | { readonly kind: 'root'; readonly risk: RootRisk; readonly path: string }
  | { readonly kind: 'secret'; readonly path: string; readonly what: string; readonly dotfile: boolean }
  | { readonly kind: 'more-secrets'; readonly count: number }
  | { readonly kind: 'auth-in-clear' }
  | { readonly kind: 'upload-without-auth' };

/** True when `host` is reachable from other machines (anything but loopback). */
export function isNetworkHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return false;
  // 127.0.0.0/8 and ::1 (RFC 6890), also as an IPv4-mapped IPv6 address.
  if (/^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return false;
  return name !== '::1' && name !== '0:0:0:0:0:0:0:1';
}

/** What is wrong with serving `root` itself, given the user's home folder. */
export function rootRisk(root: string, home: string): RootRisk | undefined {
  if (root === parse(root).root) return 'filesystem';
  if (home === '') return undefined;
  if (root === home) return 'home';
  const down = relative(root, home);
  if (down !== '' && !down.startsWith('..') && !isAbsolute(down)) return 'contains-home';
  return undefined;
}

const SSH_KEYS = new Set(['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_ecdsa_sk', 'id_ed25519_sk']);

/** Dot-names that hold secrets, and what they hold. */
const SECRET_DOTNAMES = new Map([
  ['.env', 'environment secrets'],
  ['.git', 'a Git repository (its whole history and config)'],
  ['.ssh', 'SSH keys'],
  ['.aws', 'AWS credentials'],
  ['.npmrc', 'an npm token'],
  ['.netrc', 'passwords for other hosts'],
]);

/** What a name looks like it holds, or undefined when it looks harmless. */
export function secretKind(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (SSH_KEYS.has(lower)) return 'an SSH private key';
  if (lower.endsWith('.pem') || lower.endsWith('.key')) return 'a private key';
  // .env.local, .env.production…: the same secrets per environment.
  if (lower.startsWith('.env.')) return 'environment secrets';
  return SECRET_DOTNAMES.get(lower);
}

/** The warnings about flags alone, whatever the folder holds. */
export function flagWarnings(settings: ExposureSettings): ExposureWarning[] {
  const warnings: ExposureWarning[] = [];
  if (settings.auth && !settings.tls) warnings.push({ kind: 'auth-in-clear' });
  if (settings.upload && !settings.auth) warnings.push({ kind: 'upload-without-auth' });
  return warnings;
}

/** One line for a warning; each names the path and the flag that changes it. */
export function formatExposureWarning(warning: ExposureWarning): string {
  switch (warning.kind) {
    case 'root': {
      const what =
        warning.risk === 'home'
          ? `your home folder ${warning.path}`
          : warning.risk === 'filesystem'
            ? `the whole file system (${warning.path})`
            : `${warning.path}, which contains your home folder,`;
      return `serving ${what} on the network; serve a project folder instead, or leave out --host`;
    }
    case 'secret':
      return warning.dotfile
        ? `${warning.path} looks like ${warning.what} and is served on the network because of --dotfiles; leave out --dotfiles (or --host)`
        : `${warning.path} looks like ${warning.what} and is served on the network; move it out of the folder, or leave out --host`;
    case 'more-secrets':
      return `…and ${warning.count} more ${warning.count === 1 ? 'name' : 'names'} that look like secrets`;
    case 'auth-in-clear':
      return '--auth over plain HTTP: the password crosses the network in clear; add --https';
    case 'upload-without-auth':
      return '--upload on a network address without --auth: anyone who can reach it can write files; add --auth';
  }
}
