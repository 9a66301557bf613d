// src/proxy/upgrade.ts
// WebSocket handshakes (and any other HTTP/1.1 Upgrade) to a proxied path: passed to the app,
// and once it answers 101, bytes are piped both ways until either side closes. This is what
// keeps a dev server's hot-reload socket working behind serve-here.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { openAppRequest } from './client.js';
import type { ProxyError } from './forward.js';
import { responseHeadersForClient } from './headers.js';
import type { ProxyTarget } from './target.js';

/** What the upgrade path reports to the operator. */
export interface UpgradeSettings {
  readonly timeoutMs: number;
  readonly onError: ((error: unknown, requestPath: string) => void) | undefined;
  readonly describeFailure: (
    target: ProxyTarget,
    error: NodeJS.ErrnoException,
    timedOut: boolean,
  ) => ProxyError;
}

/** Passes the handshake `req` (its socket and the bytes already read after its head) to `target`. */
export function forwardUpgrade(
  req: IncomingMessage,
  client: { readonly socket: Duplex; readonly head: Buffer },
  target: ProxyTarget,
  settings: UpgradeSettings,
): void {
  const { socket, head } = client;
  // Bytes the client sent after its head (a first frame) go to the app once the pipe is up.
  if (head.length > 0) socket.unshift(head);
  // An open WebSocket may be quiet for long; the server's idle limit is for HTTP exchanges.
  if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
  const upstream = openAppRequest(req, target, { upgrade: true, agent: false });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    upstream.destroy();
  }, settings.timeoutMs);
  const clientGone = (): void => {
    clearTimeout(timer);
    upstream.destroy();
  };
  socket.once('close', clientGone);
  socket.on('error', () => socket.destroy());
  upstream.on('error', (error: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    if (socket.destroyed) return;
    settings.onError?.(settings.describeFailure(target, error, timedOut), req.url ?? '');
    // The same status a plain request gets; no body, so no address can leak.
    socket.end(
      `HTTP/1.1 ${timedOut ? '504 Gateway Timeout' : '502 Bad Gateway'}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
  });
  upstream.once('upgrade', (answer: IncomingMessage, appSocket: Duplex, appHead: Buffer) => {
    clearTimeout(timer);
    socket.off('close', clientGone);
    if (socket.destroyed) {
      appSocket.destroy();
      return;
    }
    socket.write(statusLine(answer) + fieldLines(responseHeadersForClient(answer.rawHeaders, true)));
    if (appHead.length > 0) socket.write(appHead);
    appSocket.on('error', () => socket.destroy());
    socket.on('error', () => appSocket.destroy());
    appSocket.once('close', () => socket.destroy());
    socket.once('close', () => appSocket.destroy());
    appSocket.pipe(socket);
    socket.pipe(appSocket);
  });
  // The app declined the upgrade (a plain answer, e.g. 400 or 404): pass that answer back.
  upstream.once('response', (answer: IncomingMessage) => {
    clearTimeout(timer);
    const fields = responseHeadersForClient(answer.rawHeaders, false);
    socket.write(`${statusLine(answer)}${fieldLines([...fields, 'Connection', 'close'])}`);
    answer.pipe(socket);
  });
  upstream.end();
}

function statusLine(answer: IncomingMessage): string {
  return `HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}\r\n`;
}

/** Field lines and the blank line that ends a head. Node's parser has refused CR and LF in them. */
function fieldLines(fields: readonly string[]): string {
  let text = '';
  for (let i = 0; i + 1 < fields.length; i += 2) text += `${fields[i]}: ${fields[i + 1]}\r\n`;
  return `${text}\r\n`;
}
