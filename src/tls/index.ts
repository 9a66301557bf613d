// src/tls/index.ts
// HTTPS for serve-here: --tls-cert/--tls-key (with --tls-password-file) read and checked
// before listening, --https with a local certificate authority kept in the user's config
// folder, and the server that speaks HTTP/2 and HTTP/1.1 on one port. Loaded only when TLS
// is asked for, so a plain start pays nothing for it.
import { homedir, hostname } from 'node:os';
import { configFolder } from './config-folder.js';
import { namesFor } from './leaf-names.js';
import { type LocalCertificate, prepareLocalCertificate } from './local-ca.js';
import { readTlsFiles, type TlsMaterial } from './pem-files.js';
import { trustCommand } from './trust.js';

export type { TlsFiles, TlsFilesOutcome } from './pem-files.js';
export { createTlsServer, H2_LIMITS, type TlsServer } from './tls-server.js';
export { configFolder, type LocalCertificate, readTlsFiles, type TlsMaterial, trustCommand };

/** What the command line asked for: --https, or the files of --tls-cert/--tls-key. */
export interface TlsRequest {
  readonly https: boolean;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly passwordFile?: string | undefined;
  /** The --host value, and this machine's LAN addresses when it is every interface. */
  readonly host: string | undefined;
  readonly lanAddresses: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Quotes a path for a message (kept on one line by the caller's escaping). */
  readonly shown: (path: string) => string;
}

/** A certificate to serve with (and the local authority behind it, for --https), or why not. */
export type TlsSetup =
  | { readonly kind: 'ready'; readonly material: TlsMaterial; readonly local?: LocalCertificate }
  | { readonly kind: 'refused'; readonly message: string };

/** Reads and checks --tls-cert/--tls-key, or prepares the local authority's certificate. */
export async function prepareTls(request: TlsRequest): Promise<TlsSetup> {
  const { certFile, keyFile, passwordFile, shown } = request;
  if (!request.https) {
    if (certFile === undefined || keyFile === undefined) {
      const given =
        certFile !== undefined ? '--tls-cert' : keyFile !== undefined ? '--tls-key' : '--tls-password-file';
      return { kind: 'refused', message: `${given} needs both --tls-cert and --tls-key` };
    }
    const outcome = await readTlsFiles({ certFile, keyFile, passwordFile }, shown);
    return outcome.kind === 'ok' ? { kind: 'ready', material: outcome.material } : outcome;
  }
  const folder = configFolder(process.platform, request.env, homedir());
  try {
    const names = namesFor(request.host, hostname(), request.lanAddresses);
    const local = await prepareLocalCertificate(folder, names);
    return { kind: 'ready', material: local.material, local };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'failed';
    const path = (error as NodeJS.ErrnoException).path ?? folder;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    return {
      kind: 'refused',
      message: `--https: cannot keep the local certificate authority in ${shown(path)}: ${reason} (SERVE_HERE_CONFIG_DIR picks another folder)`,
    };
  }
}
