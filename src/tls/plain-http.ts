// src/tls/plain-http.ts
// What a plain-HTTP request that reaches the HTTPS port gets back: a redirect to the same
// URL over https://, or a 400 that says why. A pure decision on the request head's text.

/** The most of a plain request's head that is read before answering 400 (Node's default). */
export const MAX_PLAIN_HEAD_BYTES = 16 * 1024;

/**
 * A TLS connection starts with a handshake record: content type 22 (RFC 8446 §5.1). Any
 * HTTP/1.x request starts with a method, an ASCII letter.
 */
export function isTlsClientHello(firstByte: number): boolean {
  return firstByte === 0x16;
}

/**
 * The whole reply to `head` (the bytes up to and including the blank line, as latin1):
 * `301` to `https://<Host><target>` when the request line and Host are well formed, else a
 * `400`. Either way the connection closes after it. Only a plain Host name or address and a
 * printable origin-form target are echoed, so the reply can't be split or point elsewhere.
 */
export function answerPlainHttp(head: string): string {
  const [requestLine = '', ...fields] = head.split('\r\n');
  const request = /^[A-Z]+ (\/[\x21-\x7e]*) HTTP\/1\.[01]$/.exec(requestLine);
  const hosts = fields.filter((line) => /^host:/i.test(line)).map((line) => line.slice(5).trim());
  const host = hosts.length === 1 ? hosts[0] : undefined;
  if (request === null || host === undefined || !isHostValue(host)) {
    return reply('400 Bad Request', [], 'This port speaks HTTPS only: use https:// in the address.\n');
  }
  const location = `https://${host}${request[1]}`;
  return reply(
    '301 Moved Permanently',
    [`Location: ${location}`],
    `This port speaks HTTPS only: ${location}\n`,
  );
}

/** RFC 9110 §7.2: uri-host [":" port]; a name, an IPv4 address or a bracketed IPv6 literal. */
function isHostValue(host: string): boolean {
  return /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(host);
}

function reply(status: string, headers: readonly string[], body: string): string {
  return [
    `HTTP/1.1 ${status}`,
    ...headers,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
