// test/proxy-app.ts
// The app behind the proxy in the proxy tests: a real node:http server that records every
// request it receives, with a few routes and a WebSocket echo, plus a tiny WebSocket client.
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

/** A request as the app saw it, body included (once it had all of it). */
export interface Received {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface TestApp {
  readonly port: number;
  readonly url: string;
  readonly server: Server;
  /** Every complete request, in arrival order. */
  readonly received: Received[];
  /** Emits 'request' (IncomingMessage) as each head arrives and 'closed' (url) when the app's
   * request for /hang is closed by the other side. */
  readonly events: EventEmitter;
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0FE11D85';

/**
 * Routes: /hang never answers; /stream?mib=N sends N MiB in 64 KiB chunks; /redirect answers
 * 302 to an internal URL; /hop sends hop-by-hop fields; /ws-refuse declines upgrades; anything
 * else echoes the request as JSON (for POST, the body's length and SHA-256 as well).
 */
export async function startTestApp(t: Pick<TestContext, 'after'>): Promise<TestApp> {
  const received: Received[] = [];
  const events = new EventEmitter();
  const server = createServer((req, res) => {
    events.emit('request', req);
    if (req.url === '/hang') {
      res.once('close', () => events.emit('closed', req.url));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body });
      answer(req, body, res);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      rawHeaders: req.rawHeaders,
      body: Buffer.alloc(0),
    });
    if (req.url === '/ws-refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\nno, ws\n');
      return;
    }
    const accept = createHash('sha1')
      .update(`${req.headers['sec-websocket-key'] ?? ''}${WS_GUID}`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    // Echo each text frame back unmasked (the tests send one small frame).
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      const frame = readFrame(pending);
      if (frame === undefined) return;
      pending = pending.subarray(frame.size);
      socket.write(Buffer.concat([Buffer.from([0x81, frame.payload.length]), frame.payload]));
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  return { port, url: `http://127.0.0.1:${port}`, server, received, events };
}

function answer(req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://app');
  if (url.pathname === '/stream') {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let left = Number(url.searchParams.get('mib') ?? '1') * 16;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const write = (): void => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
      res.end();
    };
    write();
    return;
  }
  if (url.pathname === '/redirect') {
    res.writeHead(302, { Location: 'http://127.0.0.1:1/elsewhere?x=1', 'Content-Length': '0' });
    res.end();
    return;
  }
  if (url.pathname === '/hop') {
    res.writeHead(
      200,
      [
        ['Connection', 'keep-alive, X-App-Private'],
        ['X-App-Private', 'secret'],
        ['Keep-Alive', 'timeout=5'],
        ['Proxy-Authenticate', 'Basic'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['Cache-Control', 'max-age=60'],
        ['Content-Type', 'text/plain'],
      ].flat(),
    );
    res.end('hop');
    return;
  }
  const json = JSON.stringify({
    method: req.method,
    url: req.url,
    headers: req.headers,
    bodyLength: body.length,
    bodySha256: createHash('sha256').update(body).digest('hex'),
    body: body.length <= 1024 ? body.toString('utf8') : '',
  });
  res.writeHead(200, { 'Content-Type': 'application/json', 'X-Served-By': 'app' });
  res.end(req.method === 'HEAD' ? undefined : json);
}

/** One unmasked or masked frame with a payload under 126 bytes, or undefined if incomplete. */
function readFrame(data: Buffer): { payload: Buffer; size: number } | undefined {
  if (data.length < 2) return undefined;
  const masked = ((data[1] as number) & 0x80) !== 0;
  const length = (data[1] as number) & 0x7f;
  const start = 2 + (masked ? 4 : 0);
  if (data.length < start + length) return undefined;
  const payload = Buffer.from(data.subarray(start, start + length));
  if (masked)
    for (let i = 0; i < payload.length; i++)
      payload[i] = (payload[i] as number) ^ (data[2 + (i % 4)] as number);
  return { payload, size: start + length };
}

/** A WebSocket client just big enough for the tests: the handshake, one masked text frame. */
export async function openWebSocket(
  port: number,
  path: string,
): Promise<{ status: number; head: string; socket: Socket; next(): Promise<Buffer> }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const key = Buffer.from('serve-here-test!').toString('base64');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n\r\n`,
  );
  let buffered = Buffer.alloc(0);
  const more = async (): Promise<void> => {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    buffered = Buffer.concat([buffered, chunk]);
  };
  while (buffered.indexOf('\r\n\r\n') === -1) await more();
  const end = buffered.indexOf('\r\n\r\n') + 4;
  const head = buffered.subarray(0, end).toString('latin1');
  buffered = buffered.subarray(end);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    head,
    socket,
    async next() {
      for (;;) {
        const frame = readFrame(buffered);
        if (frame !== undefined) {
          buffered = buffered.subarray(frame.size);
          return frame.payload;
        }
        await more();
      }
    },
  };
}

/** A masked text frame, as a client must send it (RFC 6455 §5.3). */
export function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

/** The expected Sec-WebSocket-Accept for the client above. */
export const EXPECTED_ACCEPT = createHash('sha1')
  .update(`${Buffer.from('serve-here-test!').toString('base64')}${WS_GUID}`)
  .digest('base64');
