// src/http/errors.ts
// HttpError is how request-time refusals travel from resolver and sender to the handler;
// httpErrorFromFs is the single errno → status table (no message or path ever reaches a client).
import { STATUS_CODES } from 'node:http';

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The underlying cause, for the log only; never rendered into a response. */
  override readonly cause: unknown;

  constructor(status: number, headers: Readonly<Record<string, string>> = {}, cause?: unknown) {
    super(STATUS_CODES[status] ?? `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
    this.cause = cause;
  }
}

/** Maps a file-system error to the status a client should see. */
export function httpErrorFromFs(error: unknown): HttpError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ENAMETOOLONG':
    case 'ELOOP': // a symlink cycle is as unreachable as a missing file
      return new HttpError(404, {}, error);
    case 'EACCES':
    case 'EPERM':
      return new HttpError(403, {}, error);
    case 'EMFILE':
    case 'ENFILE':
      // Out of descriptors is temporary: tell the client to come back (RFC 9110 §10.2.3).
      return new HttpError(503, { 'Retry-After': '1' }, error);
    default:
      return new HttpError(500, {}, error);
  }
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}
