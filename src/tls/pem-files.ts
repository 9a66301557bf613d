// src/tls/pem-files.ts
// Reads the certificate and key given with --tls-cert/--tls-key (and the key's password from
// --tls-password-file) and checks, before anything listens, that they make a working pair.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** A certificate chain and its private key, PEM, as the TLS server takes them. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly passphrase?: string | undefined;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly passwordFile?: string | undefined;
}

/** The pair, or one line saying what is wrong and with which file. */
export type TlsFilesOutcome =
  | { readonly kind: 'ok'; readonly material: TlsMaterial }
  | { readonly kind: 'refused'; readonly message: string };

/** Reads and checks the files; `shown` quotes a path for the message (escaped by the caller). */
export async function readTlsFiles(
  files: TlsFiles,
  shown: (path: string) => string,
): Promise<TlsFilesOutcome> {
  const refused = (message: string): TlsFilesOutcome => ({ kind: 'refused', message });
  const cert = await readText(files.certFile);
  if (typeof cert !== 'string')
    return refused(`cannot read --tls-cert ${shown(files.certFile)}: ${cert.reason}`);
  const key = await readText(files.keyFile);
  if (typeof key !== 'string') return refused(`cannot read --tls-key ${shown(files.keyFile)}: ${key.reason}`);
  let passphrase: string | undefined;
  if (files.passwordFile !== undefined) {
    const password = await readText(files.passwordFile);
    if (typeof password !== 'string') {
      return refused(`cannot read --tls-password-file ${shown(files.passwordFile)}: ${password.reason}`);
    }
    // The first line, as written by `echo secret > file`.
    passphrase = password.split(/\r?\n/, 1)[0] ?? '';
  }

  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    return refused(`--tls-cert ${shown(files.certFile)} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key, format: 'pem', passphrase });
  } catch (error) {
    return refused(
      describeKeyError(error, shown(files.keyFile), isEncrypted(key), files.passwordFile !== undefined),
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    return refused(
      `--tls-key ${shown(files.keyFile)} does not belong to the certificate in ${shown(files.certFile)}`,
    );
  }
  return { kind: 'ok', material: { cert, key, passphrase } };
}

/** One line for a key node:crypto could not load (its own messages name no file). */
function describeKeyError(error: unknown, file: string, encrypted: boolean, hasPassword: boolean): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (encrypted && !hasPassword)
    return `--tls-key ${file} is encrypted; give its password with --tls-password-file`;
  // OpenSSL reports a wrong password as a failure to decrypt (or then decode) the key.
  if (encrypted) return `wrong password in --tls-password-file for --tls-key ${file}`;
  if (code === 'ERR_MISSING_PASSPHRASE') {
    return `--tls-key ${file} is encrypted; give its password with --tls-password-file`;
  }
  return `--tls-key ${file} is not a PEM private key`;
}

/** PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional PEM key with `Proc-Type: 4,ENCRYPTED` (RFC 1421). */
function isEncrypted(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type: *4, *ENCRYPTED/m.test(pem);
}

/** The file's text, or why it could not be read (no system message: it may hold a path). */
async function readText(path: string): Promise<string | { readonly reason: string }> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { reason: 'no such file' };
    if (code === 'EACCES' || code === 'EPERM') return { reason: 'permission denied' };
    if (code === 'EISDIR') return { reason: 'it is a folder' };
    return { reason: code ?? 'unreadable' };
  }
}
