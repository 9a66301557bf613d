// src/serve/log.ts
// Everything the CLI prints, as strings: the banner, request lines and error lines.
// No process access here, so tests can assert on the exact text.
import { createRequire } from 'node:module';
import type { ProxyOption } from '../proxy/index.js';
import type { ResponseLogEntry } from './options.js';

/** The picocolors functions serve-here uses. */
type Colors = Pick<typeof import('picocolors'), 'bold' | 'cyan' | 'dim' | 'green' | 'red' | 'yellow'>;

const require = createRequire(import.meta.url);
let loadedColors: Colors | undefined;

const PLAIN: Colors = { bold: String, cyan: String, dim: String, green: String, red: String, yellow: String };

/**
 * picocolors, loaded on first use: it checks the terminal as it loads, and a server started
 * with --quiet and without a terminal prints nothing coloured before its first response.
 * Loading needs a file descriptor; with none left (EMFILE), error lines still go out, without
 * colour, and the next call tries again (require() remembers no failure).
 */
export function colors(): Colors {
  if (loadedColors === undefined) {
    try {
      loadedColors = require('picocolors') as Colors;
    } catch {
      return PLAIN;
    }
  }
  return loadedColors;
}

export interface BannerInfo {
  readonly version: string;
  /** The folder as the user should read it (relative when under the cwd). */
  readonly folder: string;
  readonly url: string;
  readonly port: number;
  readonly host: string | undefined;
  /** Set when the default port was busy and another was chosen. */
  readonly busyPort?: number | undefined;
  /** Set when --watch reloads the pages on changes. */
  readonly watching?: boolean | undefined;
  /** With --https: the local authority, and how to trust it. */
  readonly localCa?: LocalCaInfo | undefined;
  /** The proxy option: listed as `source → destination` lines. */
  readonly proxy?: ProxyOption | undefined;
}

/** What the banner says about the local certificate authority behind --https. */
export interface LocalCaInfo {
  /** SHA-256 fingerprint of its certificate, `AB:CD:…`. */
  readonly fingerprint: string;
  /** Where a phone downloads it (`…/__serve-here/ca.crt`). */
  readonly url: string;
  /** The command that trusts it on this machine. */
  readonly trustCommand: string;
}

/** The startup banner: several aligned lines on a terminal, one plain line otherwise. */
export function formatBanner(info: BannerInfo, isTerminal: boolean): string {
  const notice = info.busyPort === undefined ? '' : `port ${info.busyPort} is in use, using ${info.port}\n`;
  const folder = escapeControl(info.folder);
  const watching = info.watching === true ? ', watching for changes' : '';
  const proxied = proxyLines(info.proxy);
  if (!isTerminal) {
    const rules = proxied.map(([source, destination]) => `proxy ${source} → ${destination}\n`);
    return `${notice}serving ${folder} at ${info.url}${watching}\n${rules.join('')}${formatCaLines(info.localCa, '', PLAIN)}`;
  }

  const pc = colors();
  const link = (url: string): string =>
    pc.cyan(url.replace(`:${info.port}/`, `:${pc.bold(String(info.port))}/`));
  const lines = [
    '',
    `  ${pc.bold(pc.green('serve-here'))} ${pc.dim(`v${info.version}`)}  serving ${pc.bold(folder)}`,
    '',
    `  ${pc.green('➜')}  ${pc.bold('Local:')}    ${link(info.url)}`,
  ];
  if (isEveryInterface(info.host)) {
    for (const address of lanAddresses()) {
      const url = urlForAddress(address, info.port, info.url.startsWith('https:') ? 'https' : 'http');
      lines.push(`  ${pc.green('➜')}  ${pc.bold('Network:')}  ${link(url)}`);
    }
  } else if (info.host === undefined) {
    lines.push(`  ${pc.green('➜')}  ${pc.bold('Network:')}  ${pc.dim('use --host to expose')}`);
  }
  if (watching !== '')
    lines.push(`  ${pc.green('➜')}  ${pc.bold('Watching:')} ${pc.dim('pages reload when files change')}`);
  for (const [source, destination] of proxied) {
    lines.push(
      `  ${pc.green('➜')}  ${pc.bold('Proxy:')}    ${source} ${pc.dim('→')} ${pc.cyan(destination)}`,
    );
  }
  const warning = notice === '' ? '' : `  ${pc.yellow(notice.trim())}\n`;
  const ca = info.localCa === undefined ? '' : `${formatCaLines(info.localCa, '  ', colors())}\n`;
  return `${lines.join('\n')}\n\n${ca}${warning}`;
}

/** The local authority's fingerprint and how to trust it (phone download, this machine). */
function formatCaLines(ca: LocalCaInfo | undefined, indent: string, pc: Colors): string {
  if (ca === undefined) return '';
  return [
    `${indent}${pc.dim('local CA SHA-256')} ${ca.fingerprint}`,
    `${indent}${pc.dim('trust it: on a phone open')} ${ca.url}${pc.dim(', here run:')}`,
    `${indent}  ${ca.trustCommand}`,
    '',
  ].join('\n');
}

/** The proxy option as `[source, destination]` pairs for the banner; a lone URL takes what no file does. */
function proxyLines(proxy: ProxyOption | undefined): [string, string][] {
  if (proxy === undefined) return [];
  if (typeof proxy === 'string') return [['(no file)', escapeControl(proxy)]];
  return proxy.map((rule) => [escapeControl(rule.source), escapeControl(rule.destination)]);
}

/** One line per finished request: time, method, path, status, bytes, duration. */
export function formatRequestLine(entry: ResponseLogEntry, at: Date): string {
  const pc = colors();
  const time = at.toTimeString().slice(0, 8);
  const status = colourStatus(entry.status);
  const bytes = entry.bytes === undefined ? '-' : formatBytes(entry.bytes);
  const duration = `${entry.durationMs.toFixed(1)}ms`;
  return `${pc.dim(time)} ${entry.method} ${escapeControl(entry.url)} ${status} ${pc.dim(`${bytes} ${duration}`)}`;
}

/** A one-line error for the terminal, prefixed so it's clear where it came from. */
export function formatErrorLine(message: string): string {
  return `${colors().red('serve-here:')} ${message}`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: C0 and C1 controls are what it matches
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Escapes control characters (`\r`, `\n`, `\t`, else `\xHH`: `\x1b` for ESC, `\x9b` for the
 * 8-bit CSI) so that text from outside (a request path, a flag value, a folder name) can't
 * forge log lines, split a message, or move the cursor or change colours. Leaves every other
 * character alone, so escaping twice changes nothing.
 */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (ch) => NAMED_ESCAPES[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** 1234 → '1.2 KB' (SI units, as file managers show them). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

function colourStatus(status: number): string {
  const pc = colors();
  const text = String(status);
  if (status >= 500) return pc.red(text);
  if (status >= 400) return pc.yellow(text);
  if (status >= 300) return pc.cyan(text);
  return pc.green(text);
}

/** True for the wildcard addresses that --host alone (or 0.0.0.0) listens on. */
export function isEveryInterface(host: string | undefined): boolean {
  return host === '::' || host === '0.0.0.0';
}

/**
 * Non-internal IPv4 and IPv6 addresses of this machine (link-local IPv6 is left out). Only the
 * banner for --host asks, so node:os is loaded then.
 */
export function lanAddresses(): string[] {
  const { networkInterfaces } = require('node:os') as typeof import('node:os');
  const addresses: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv6' && info.address.toLowerCase().startsWith('fe80')) continue;
      addresses.push(info.address);
    }
  }
  return addresses;
}

export function urlForAddress(address: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  return address.includes(':') ? `${scheme}://[${address}]:${port}/` : `${scheme}://${address}:${port}/`;
}
