// src/live/events.ts
// The Server-Sent Events streams of the open pages (HTML Living Standard §9.2): one response
// per page (or per browser, see client.ts) that stays open, gets each change as an event and a
// comment now and then so that proxies keep it open, and ends when the server stops.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A comment line every this many ms: proxies and load balancers drop streams idle for 60 s. */
export const HEARTBEAT_MS = 30_000;

export class EventStreams {
  readonly #streams = new Set<ServerResponse>();
  readonly #heartbeatMs: number;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(heartbeatMs = HEARTBEAT_MS) {
    this.#heartbeatMs = heartbeatMs;
  }

  /** Open streams (for tests and the bench). */
  get size(): number {
    return this.#streams.size;
  }

  /** Answers `req` with a stream that stays open until the client leaves or close() is called. */
  open(req: IncomingMessage, res: ServerResponse): void {
    // Exempt from the idle-socket limit: the stream is meant to sit quietly for hours.
    req.socket.setTimeout(0);
    res.writeHead(200, [
      'Content-Type',
      'text/event-stream; charset=utf-8',
      'Cache-Control',
      'no-cache, no-transform',
      // nginx buffers responses unless told not to; a buffered event arrives too late.
      'X-Accel-Buffering',
      'no',
    ]);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // The first bytes send the head, so the page's EventSource opens at once.
    res.write(': serve-here live reload\n\n');
    this.#streams.add(res);
    // The server lets half-closed clients still get their answers (server.ts), so a page that
    // went away is only noticed at the next write; its FIN says it at once.
    const { socket } = req;
    const leave = (): void => void res.destroy();
    socket.once('end', leave);
    res.once('close', () => {
      socket.off('end', leave);
      this.#streams.delete(res);
      if (this.#streams.size === 0) this.#stopHeartbeat();
    });
    this.#heartbeat ??= setInterval(() => this.#send(': ping\n\n'), this.#heartbeatMs).unref();
  }

  /** Sends an event named `event` with `data` (one line of JSON) to every open stream. */
  broadcast(event: string, data: string): void {
    this.#send(`event: ${event}\ndata: ${data}\n\n`);
  }

  /** Ends every stream; the pages see the server go and wait for it to come back. */
  closeAll(): void {
    this.#stopHeartbeat();
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }

  #send(text: string): void {
    for (const res of this.#streams) res.write(text);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
