// src/tls/ca-route.ts
// /__serve-here/ca.crt: the local authority's certificate, so that a phone can download and
// install it. Exists only while --https uses the local authority; its key is never served.
import type { Exchange } from '../serve/exchange.js';
import type { RequestPath } from '../serve/request-path.js';
import { sendText } from '../serve/send-whole.js';

/** True for the path of the authority's certificate. */
export function isCaCertificatePath(path: RequestPath): boolean {
  const { segments } = path;
  return (
    !path.trailingSlash && segments.length === 2 && segments[0] === '__serve-here' && segments[1] === 'ca.crt'
  );
}

/** The certificate as PEM, with the type phones and browsers offer to install. */
export function sendCaCertificate(exchange: Exchange, pem: string): void {
  sendText(
    exchange,
    200,
    [
      'Content-Type',
      'application/x-x509-ca-cert',
      'Content-Disposition',
      'attachment; filename="serve-here-ca.crt"',
      'Cache-Control',
      'no-cache',
    ],
    pem,
  );
}
