// src/upload/store.ts
// Writes one uploaded body under a checked name, so that the name only ever holds a complete,
// flushed file: a hidden temporary file in the same folder, renamed or linked into place at
// the end, and removed on every failure (also when the process exits mid-upload).
// Knows nothing of HTTP; the caller picks the folder (through the Resolver) and the status.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type Stats, unlinkSync } from 'node:fs';
import { link, lstat, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { etagFor } from '../serve/send-file.js';
import type { WriteDecision } from './conditions.js';

export interface StoreRequest {
  /** Real path of the folder to write in, already checked to lie inside the root. */
  readonly folder: string;
  /** A name that passed checkName(). */
  readonly name: string;
  readonly body: Readable;
  readonly maxBytes: number;
  /** A body that moves no byte for this long is given up (the client is gone). */
  readonly idleMs: number;
  /** May the write go ahead, given the entity tag of what the name holds (undefined: free)? */
  readonly decide: (existing: string | undefined) => WriteDecision;
}

export type StoreOutcome =
  | { readonly kind: 'created' | 'replaced'; readonly bytes: number }
  /** The name holds a folder, a link, or a file that may not be replaced. */
  | { readonly kind: 'exists' }
  | { readonly kind: 'precondition-failed' }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'no-space' }
  | { readonly kind: 'forbidden' }
  /** The folder disappeared while the body arrived. */
  | { readonly kind: 'folder-gone' }
  /** The client went away, or stopped sending: no one to answer. */
  | { readonly kind: 'aborted' };

/** Temporary files of uploads in progress, removed if the process exits before they finish. */
const inFlight = new Set<string>();
let exitHookInstalled = false;

/** Bytes an upload may have queued for the disk before the socket is paused (backpressure). */
const WRITE_BUFFER = 4 * 1024 * 1024;

class TooLarge extends Error {}
class Stalled extends Error {}

/** Prefix of temporary upload files: hidden, so listings (without --dotfiles) don't show them. */
export const TEMP_PREFIX = '.serve-here-upload-';

/**
 * Decides before a byte is read whether the write could go ahead (so a conflict costs no
 * transfer), then stores the body. Unexpected errors (bugs, EIO) are thrown.
 */
export async function storeFile(request: StoreRequest): Promise<StoreOutcome> {
  const { folder, name, decide } = request;
  const target = join(folder, name);
  const temp = join(folder, `${TEMP_PREFIX}${randomBytes(12).toString('base64url')}`);
  try {
    const before = await decideNow(target, decide);
    if (before.kind !== 'store') return before;
    track(temp);
    const bytes = await receive(request, temp);
    if (typeof bytes !== 'number') return bytes;
    // Decided again now that the body is complete: the name may have been taken meanwhile.
    const after = await decideNow(target, decide);
    if (after.kind !== 'store') return after;
    if (after.replace) {
      await rename(temp, target);
    } else {
      // link() fails with EEXIST when the name is taken, atomically: of two uploads of one new
      // name, exactly one wins and the file holds its whole body (rename would replace).
      try {
        await link(temp, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { kind: 'exists' };
        throw error;
      }
    }
    await syncFolder(folder);
    return { kind: after.replace ? 'replaced' : 'created', bytes };
  } catch (error) {
    const outcome = outcomeOfError(error);
    if (outcome === undefined) throw error;
    return outcome;
  } finally {
    await unlink(temp).catch(() => undefined); // gone already after a rename
    inFlight.delete(temp);
  }
}

/**
 * Streams the body into a new temporary file, with backpressure, and flushes it; the byte
 * count or why not. The body is read but never destroyed here: a request over the limit must
 * keep its socket, or its 413 could not be sent.
 */
async function receive(request: StoreRequest, temp: string): Promise<number | StoreOutcome> {
  const { body, maxBytes, idleMs } = request;
  let bytes = 0;
  const idle = setTimeout(() => body.destroy(new Stalled()), idleMs);
  idle.unref();
  // 'wx': a fresh file or nothing; flush: fsync before close, so a rename publishes data that
  // is on disk, not only in the page cache.
  // A deep buffer lets the stream gather the socket's 64 KiB reads into one writev() each
  // time the disk is ready: with the 16 KiB default, every read waited for its own write.
  const file = createWriteStream(temp, { flags: 'wx', flush: true, highWaterMark: WRITE_BUFFER });
  const failed = once(file, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new TooLarge();
      idle.refresh();
      if (!file.write(chunk)) await Promise.race([once(file, 'drain'), failed]);
    }
    file.end();
    await Promise.race([once(file, 'close'), failed]);
  } catch (error) {
    // The descriptor is closed before the caller unlinks the file.
    if (!file.closed) {
      const closed = once(file, 'close').catch(() => undefined);
      file.destroy();
      await closed;
    }
    throw error;
  } finally {
    clearTimeout(idle);
  }
  return bytes;
}

/**
 * The decision for what `path` holds now. A folder, link or anything but a regular file is
 * never replaced by an upload: the name counts as taken (409) even with overwrite on.
 */
async function decideNow(
  path: string,
  decide: StoreRequest['decide'],
): Promise<WriteDecision | { readonly kind: 'exists' }> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return decide(undefined);
    throw error;
  }
  return stats.isFile() ? decide(etagFor(stats)) : { kind: 'exists' };
}

/** Makes the new name itself durable (POSIX: a rename is recorded in the folder). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL); the data itself is already flushed.
  } finally {
    await handle.close();
  }
}

/** The outcome an error stands for, or undefined when it is unexpected. */
export function outcomeOfError(error: unknown): StoreOutcome | undefined {
  if (error instanceof TooLarge) return { kind: 'too-large' };
  if (error instanceof Stalled) return { kind: 'aborted' };
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG': // over the file system's (or ulimit's) largest file
      return { kind: 'no-space' };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { kind: 'forbidden' };
    case 'ENOENT':
    case 'ENOTDIR':
      return { kind: 'folder-gone' };
    case 'EISDIR':
    case 'ENOTEMPTY':
      return { kind: 'exists' };
    case 'ECONNRESET':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'ABORT_ERR':
      return { kind: 'aborted' };
    default:
      // busboy ends a part cut short by the client with a plain Error.
      return error instanceof Error && /^Unexpected end of (?:file|form)$/.test(error.message)
        ? { kind: 'aborted' }
        : undefined;
  }
}

function track(temp: string): void {
  inFlight.add(temp);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A second Ctrl-C exits at once (cli/index.ts): synchronous removal is all that can still run.
  process.on('exit', () => {
    for (const path of inFlight) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}

/** How many uploads are being received right now (for tests and close()). */
export function uploadsInFlight(): number {
  return inFlight.size;
}
