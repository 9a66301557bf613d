// src/share/qr.ts
// The banner's QR code: the URL a phone should open, drawn with Unicode half blocks so that
// two rows of modules fit in one line of text. Encoding is uqr's (zero dependencies).
import { renderUnicodeCompact } from 'uqr';

/**
 * The URL for the QR code: the server's URL with its host replaced by the first LAN address,
 * IPv4 first (phones on a café's Wi-Fi reach IPv4 far more often than a global IPv6 address).
 */
export function lanUrl(serverUrl: string, addresses: readonly string[]): string | undefined {
  const address = addresses.find((a) => !a.includes(':')) ?? addresses[0];
  if (address === undefined) return undefined;
  const url = new URL(serverUrl);
  url.hostname = address.includes(':') ? `[${address}]` : address;
  return url.href;
}

/**
 * The QR code of `text`, each line indented by `indent`. Light modules are drawn as blocks,
 * so on the usual dark terminal the code reads dark-on-light as printed ones do; a two-module
 * quiet zone keeps it apart from the text around it. Error correction L keeps it small.
 */
export function renderQr(text: string, indent = '  '): string {
  const art = renderUnicodeCompact(text, { ecc: 'L', border: 2 });
  return art
    .split('\n')
    .map((line) => `${indent}${line}`)
    .join('\n');
}
