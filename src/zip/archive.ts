// src/zip/archive.ts
// Writes the walked tree into a zip stream (compress-commons), one file open at a time, each
// closed before the next is opened. Waits for every entry to pass into the stream, so the
// stream's backpressure reaches the disk reads. Stopping closes the open file at once.
import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ZipArchiveEntry, type ZipArchiveOutputStream } from 'compress-commons';
import {
  formatSkippedReport,
  MAX_SKIPPED_LISTED,
  type Skipped,
  type SkipReason,
  shouldDeflate,
  skippedEntryName,
} from './rules.js';
import type { WalkItem } from './walk.js';

/** Files up to this size are read whole (one read, no stream to set up): most files of a big tree. */
const READ_WHOLE_MAX = 64 * 1024;

/** Stream reads of bigger files: fewer trips to the thread pool than the default 64 KiB. */
const READ_CHUNK = 256 * 1024;

const STORED = 0;
const DEFLATED = 8;

export interface ArchiveJob {
  readonly zip: ZipArchiveOutputStream;
  /** The walk, already started: its first item (the top folder) was taken by the caller. */
  readonly items: AsyncIterator<WalkItem>;
  /** The top folder of every entry ('photos/…'). */
  readonly top: string;
  readonly followSymlinks: boolean;
  /** Aborted when the client goes away: the walk stops and the open file closes. */
  readonly signal: AbortSignal;
}

/**
 * How many files are opened and read ahead of the one going into the archive. The thread pool
 * has four threads: four small files in flight take a 10,000-file folder in well under half the
 * time of one at a time. Each small file is closed once read; at most this many big ones wait
 * open for their turn.
 */
const LOOKAHEAD = 4;

/** A walked item made ready for the archive: an entry and its bytes, or why it was left out. */
type Prepared =
  | { readonly kind: 'entry'; readonly entry: ZipArchiveEntry; readonly source: Buffer | Readable | null }
  | { readonly kind: 'skipped'; readonly path: string; readonly reason: SkipReason };

/**
 * Adds every walked item under `top/`, then SKIPPED.txt if anything was left out, then ends
 * the archive. Rejects on a read error in the middle of a file (the archive can't be mended
 * then) and when aborted.
 */
export async function writeArchive(job: ArchiveJob, topMtime: Date): Promise<void> {
  const { zip, items, top } = job;
  const skipped: Skipped[] = [];
  let moreSkipped = 0;
  const topNames = new Set<string>();
  const ahead: Promise<Prepared>[] = [];
  let walked = false;
  await addEntry(job, folderEntry(`${top}/`, topMtime), null);
  try {
    for (;;) {
      while (!walked && ahead.length < LOOKAHEAD) {
        const item = await items.next();
        if (item.done === true) walked = true;
        else {
          if (!item.value.path.includes('/')) topNames.add(item.value.path);
          const prepared = prepare(job, item.value);
          prepared.catch(() => undefined); // awaited in turn below
          ahead.push(prepared);
        }
      }
      const next = ahead.shift();
      if (next === undefined) break;
      const prepared = await next;
      job.signal.throwIfAborted();
      if (prepared.kind === 'entry') await addEntry(job, prepared.entry, prepared.source);
      else if (skipped.length < MAX_SKIPPED_LISTED) skipped.push(prepared);
      else moreSkipped++;
    }
  } catch (error) {
    // Files read ahead are closed: small ones already are, big ones wait open in a stream.
    for (const waiting of ahead) void waiting.then(discard, () => undefined);
    throw error;
  }
  if (skipped.length > 0) {
    const report = Buffer.from(formatSkippedReport(skipped, moreSkipped), 'utf8');
    const name = `${top}/${skippedEntryName(topNames)}`;
    await addEntry(job, fileEntry(name, { mtime: new Date(), mode: 0o644 }), report);
  }
  zip.finish();
}

function discard(prepared: Prepared): void {
  if (prepared.kind === 'entry' && prepared.source !== null && !Buffer.isBuffer(prepared.source)) {
    prepared.source.destroy();
  }
}

async function prepare(job: ArchiveJob, item: WalkItem): Promise<Prepared> {
  switch (item.kind) {
    case 'folder':
      return { kind: 'entry', entry: folderEntry(`${job.top}/${item.path}/`, item.mtime), source: null };
    case 'skipped':
      return item;
    case 'file':
      return prepareFile(job, item.path, item.filePath);
  }
}

/** Opens a file: read whole and closed when small, an unread stream when big. */
async function prepareFile(job: ArchiveJob, path: string, filePath: string): Promise<Prepared> {
  // O_NONBLOCK: a file swapped for a FIFO since the walk saw it can't hang the open. Unless
  // links may be followed, a file swapped for a link is refused (ELOOP) rather than read.
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (job.followSymlinks ? 0 : constants.O_NOFOLLOW);
  let handle: FileHandle;
  try {
    handle = await open(filePath, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Out of descriptors is the server's trouble, not the file's: fail rather than skip.
    if (code === 'EMFILE' || code === 'ENFILE') throw error;
    return { kind: 'skipped', path, reason: code === 'ENOENT' ? 'vanished' : 'unreadable' };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close();
      return { kind: 'skipped', path, reason: 'not a regular file' };
    }
    const entry = fileEntry(`${job.top}/${path}`, stats);
    if (shouldDeflate(path, stats.size)) entry.setMethod(DEFLATED);
    if (stats.size <= READ_WHOLE_MAX)
      return { kind: 'entry', entry, source: await readWhole(handle, job.signal) };
    // Up to the size seen now: a file that grows while it is read (a log) ends somewhere.
    const stream = handle.createReadStream({ start: 0, end: stats.size - 1, highWaterMark: READ_CHUNK });
    if (job.signal.aborted) stream.destroy();
    return { kind: 'entry', entry, source: stream };
  } catch (error) {
    await handle.close().catch(() => undefined);
    job.signal.throwIfAborted();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EMFILE' || code === 'ENFILE') throw error;
    return { kind: 'skipped', path, reason: 'unreadable' };
  }
}

/** Reads a small file whole and closes it, closing it at once if the download is aborted. */
async function readWhole(handle: FileHandle, signal: AbortSignal): Promise<Buffer> {
  const closeNow = (): void => void handle.close().catch(() => undefined);
  signal.addEventListener('abort', closeNow, { once: true });
  try {
    return await handle.readFile();
  } finally {
    signal.removeEventListener('abort', closeNow);
    await handle.close().catch(() => undefined);
  }
}

/**
 * Hands one entry to the zip stream and waits until all of it has gone in. An abort destroys
 * a file stream at once (which closes its descriptor) and rejects.
 */
function addEntry(job: ArchiveJob, entry: ZipArchiveEntry, source: Buffer | Readable | null): Promise<void> {
  const { zip, signal } = job;
  return new Promise((resolve, reject) => {
    const stream = source !== null && !Buffer.isBuffer(source) ? source : undefined;
    const onAbort = (): void => {
      stream?.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    zip.entry(entry, source, (error) => {
      signal.removeEventListener('abort', onAbort);
      if (error !== null) {
        stream?.destroy();
        reject(error);
      } else resolve();
    });
  });
}

function folderEntry(name: string, mtime: Date): ZipArchiveEntry {
  const entry = newEntry(name, mtime);
  entry.setUnixMode(0o755);
  return entry;
}

function fileEntry(name: string, stats: { readonly mtime: Date; readonly mode: number }): ZipArchiveEntry {
  const entry = newEntry(name, stats.mtime);
  // Permission bits only (the executable bit matters for scripts); never setuid and the like.
  entry.setUnixMode(stats.mode & 0o777);
  entry.setMethod(STORED);
  return entry;
}

function newEntry(name: string, mtime: Date): ZipArchiveEntry {
  const entry = new ZipArchiveEntry(name);
  // Names are written as UTF-8 and flagged so (APPNOTE 4.4.4 bit 11), ASCII ones too.
  entry.getGeneralPurposeBit().useUTF8ForNames(true);
  // The DOS time is local time to every unzip; the extended timestamp adds the exact UTC time.
  entry.setTime(mtime, true);
  entry.setExtra(extendedTimestamp(mtime));
  return entry;
}

/**
 * Info-ZIP's extended timestamp extra field (0x5455, APPNOTE 4.6 "UT"): flags = 1 (mtime
 * only), then the modification time in seconds since 1970 UTC, which is the same 9 bytes in
 * the local and the central header. Unzip and Python restore times from the DOS field,
 * 2-second steps and local time; tools that know this field get the exact second.
 */
function extendedTimestamp(mtime: Date): Buffer {
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x5455, 0);
  field.writeUInt16LE(5, 2);
  field.writeUInt8(1, 4);
  const seconds = Math.floor(mtime.getTime() / 1000);
  field.writeInt32LE(Math.min(Math.max(seconds, -0x80000000), 0x7fffffff), 5);
  return field;
}
