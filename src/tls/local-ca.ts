// src/tls/local-ca.ts
// The local certificate authority behind --https: created once in the config folder, it
// issues the server's certificate (the leaf), which is reused while it covers the same names
// and is not near expiry. Keys are ECDSA P-256, made with Node's WebCrypto; certificates are
// built by @peculiar/x509, loaded only when something must be issued.
import { webcrypto, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { covers, isNearExpiry, type LeafNames, parseSubjectAltName, union } from './leaf-names.js';
import type { TlsMaterial } from './pem-files.js';

/** What --https serves with, and what the banner says about the authority. */
export interface LocalCertificate {
  readonly material: TlsMaterial;
  /** The authority's certificate, PEM (served at /__serve-here/ca.crt). */
  readonly caCertificate: string;
  /** Where that certificate is on disk, for the trust command. */
  readonly caPath: string;
  /** SHA-256 of the authority's certificate, `AB:CD:…`. */
  readonly caFingerprint: string;
  /** Whether this start created the authority, issued a new leaf, or reused both. */
  readonly outcome: 'created-ca' | 'issued-leaf' | 'reused';
}

const CA_FILE = 'ca.crt';
const CA_KEY_FILE = 'ca.key';
/** The leaf's files beside the authority's (--export names them). */
export const LEAF_FILE = 'localhost.crt';
export const LEAF_KEY_FILE = 'localhost.key';

/** Ten years: the authority is installed by hand on phones and machines; it should not churn. */
const CA_LIFETIME_MS = 10 * 365 * 24 * 3600 * 1000;
/** Apple platforms refuse server certificates valid for more than 398 days. */
const LEAF_LIFETIME_MS = 397 * 24 * 3600 * 1000;
/** A phone whose clock runs a little behind still accepts a leaf issued a moment ago. */
const BACKDATE_MS = 3600 * 1000;

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * The authority in `folder` (created if missing) and a leaf for `names` signed by it (reused
 * when the one on disk still covers them, else issued anew with the old names kept).
 */
export async function prepareLocalCertificate(folder: string, names: LeafNames): Promise<LocalCertificate> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const caPath = join(folder, CA_FILE);
  let ca = await readPair(caPath, join(folder, CA_KEY_FILE));
  let outcome: LocalCertificate['outcome'] = 'reused';
  if (ca === undefined || !isAuthority(ca.certificate)) {
    ca = await createAuthority(folder);
    outcome = 'created-ca';
  }
  let leaf = await readPair(join(folder, LEAF_FILE), join(folder, LEAF_KEY_FILE));
  const current = leaf !== undefined && isIssuedBy(leaf.certificate, ca.certificate) ? leaf : undefined;
  const held = parseSubjectAltName(current?.certificate.subjectAltName);
  if (
    current === undefined ||
    isNearExpiry(new Date(current.certificate.validTo), new Date()) ||
    !covers(held, names)
  ) {
    leaf = await issueLeaf(folder, ca, current === undefined ? names : union(held, names));
    if (outcome === 'reused') outcome = 'issued-leaf';
  }
  return {
    material: { cert: (leaf as Pair).pem, key: (leaf as Pair).keyPem },
    caCertificate: ca.pem,
    caPath,
    caFingerprint: ca.certificate.fingerprint256,
    outcome,
  };
}

interface Pair {
  readonly pem: string;
  readonly keyPem: string;
  readonly certificate: X509Certificate;
}

/** A certificate and key from disk, or undefined when either is missing or unreadable as PEM. */
async function readPair(certPath: string, keyPath: string): Promise<Pair | undefined> {
  try {
    const [pem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    const certificate = new X509Certificate(pem);
    return { pem, keyPem, certificate };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Missing or damaged files are replaced; any other failure (permissions) is the user's to see.
    if (code === 'ENOENT' || code === 'ERR_OSSL_PEM_NO_START_LINE' || code === undefined) return undefined;
    if (typeof code === 'string' && code.startsWith('ERR_OSSL')) return undefined;
    throw error;
  }
}

function isAuthority(certificate: X509Certificate): boolean {
  return certificate.ca && new Date(certificate.validTo).getTime() > Date.now();
}

function isIssuedBy(leaf: X509Certificate, ca: X509Certificate): boolean {
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}

/** @peculiar/x509 with Node's WebCrypto as its engine; it needs the Reflect metadata polyfill. */
async function x509Library(): Promise<typeof import('@peculiar/x509')> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  return x509;
}

async function createAuthority(folder: string): Promise<Pair> {
  const x509 = await x509Library();
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=serve-here local CA, O=serve-here',
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_MS),
    keys: keys as unknown as CryptoKeyPair,
    signingAlgorithm: SIGNING,
    extensions: [
      // RFC 5280 §4.2.1.9: an authority that issues only end-entity certificates (pathLen 0).
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
    ],
  });
  const pem = certificate.toString('pem');
  const keyPem = await exportKey(keys.privateKey as unknown as CryptoKey);
  // The key first: a certificate without its key on disk would be replaced at the next start.
  await writeWhole(join(folder, CA_KEY_FILE), keyPem, PRIVATE);
  await writeWhole(join(folder, CA_FILE), pem, PUBLIC);
  return { pem, keyPem, certificate: new X509Certificate(pem) };
}

async function issueLeaf(folder: string, ca: Pair, names: LeafNames): Promise<Pair> {
  const x509 = await x509Library();
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(ca.keyPem), EC_KEY, false, ['sign']);
  const caCertificate = new x509.X509Certificate(ca.pem);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: 'CN=serve-here',
    issuer: caCertificate.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + LEAF_LIFETIME_MS, new Date(ca.certificate.validTo).getTime())),
    publicKey: keys.publicKey as unknown as CryptoKey,
    signingKey: caKey as unknown as CryptoKey,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      // Browsers match names only against the subject alternative names (RFC 6125 §6.4.4).
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCertificate.publicKey),
    ],
  });
  const pem = certificate.toString('pem');
  const keyPem = await exportKey(keys.privateKey as unknown as CryptoKey);
  await writeWhole(join(folder, LEAF_KEY_FILE), keyPem, PRIVATE);
  await writeWhole(join(folder, LEAF_FILE), pem, PUBLIC);
  return { pem, keyPem, certificate: new X509Certificate(pem) };
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as unknown as webcrypto.CryptoKey));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** 128 random bits, positive (RFC 5280 §4.1.2.2 wants a positive integer of at most 20 bytes). */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

/** Keys are readable by their owner only; certificates are public. */
const PRIVATE = 0o600;
const PUBLIC = 0o644;

/**
 * Writes `text` with `mode`, whole or not at all: another start at the same moment reads
 * either the old file or the new one, never half of one.
 */
async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  // The umask may narrow `mode` (never widen it); a leftover file keeps its old mode: set it.
  await chmod(temporary, mode);
  await rename(temporary, path);
}
