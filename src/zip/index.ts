// src/zip/index.ts
// Folder as zip (--zip): `GET /folder/?download=zip` streams the folder, recursively, as
// `folder.zip`, by the listing's rules (dotfiles, links out of the root). Unreadable files are
// left out and named in SKIPPED.txt. Loaded on the first folder request while --zip is on.
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipArchiveOutputStream } from 'compress-commons';
import { httpErrorFromFs } from '../http/errors.js';
import type { Exchange } from '../serve/exchange.js';
import type { HeaderList } from '../serve/headers.js';
import { isReservedName } from '../serve/resolve.js';
import { writeArchive } from './archive.js';
import { createCoalescer } from './coalesce.js';
import { archiveBaseName, formatContentDisposition, isZipDownload } from './rules.js';
import { type WalkItem, walkFolder } from './walk.js';

export { formatContentDisposition, isZipDownload };

/** The folder to zip, as the resolver found it. */
export interface FolderToZip {
  /** Real path of the folder. */
  readonly dirPath: string;
  /** Decoded path segments under the root; [] is the root. */
  readonly segments: readonly string[];
}

/** What the zip needs of the resolver: where the root really is. */
export interface ZipRoot {
  realRoot(): Promise<string>;
}

/**
 * Deflate level 1: about three times faster than the default 6 for some 10 % more bytes on
 * text. A folder download is limited by how fast the server deflates, not by a LAN.
 */
const DEFLATE_LEVEL = 1;

/**
 * Streams the folder as a zip: status and headers once the folder itself could be read (a
 * folder gone since the resolver saw it is a 404), then the archive with chunked transfer,
 * since its length is known only at its end. HEAD gets the same headers and no walk.
 */
export async function sendZip(exchange: Exchange, folder: FolderToZip, root: ZipRoot): Promise<void> {
  const { req, res, config } = exchange;
  const realRoot = await root.realRoot();
  const items = walkFolder(folder.dirPath, {
    segments: folder.segments,
    dotfiles: config.dotfiles,
    followSymlinks: config.followSymlinks,
    realRoot,
    // What the resolver refuses by the config file's rules: the config file, unlisted paths.
    excluded: (segments) =>
      isReservedName(segments[0] ?? '', 0) || config.rules.unlisted?.(segments) === true,
  });
  let first: IteratorResult<WalkItem>;
  try {
    first = await items.next();
  } catch (error) {
    throw httpErrorFromFs(error);
  }
  const top = archiveBaseName(folder.segments, basename(config.root));
  const head: HeaderList = [
    'Content-Type',
    'application/zip',
    'Content-Disposition',
    formatContentDisposition(`${top}.zip`),
    // Built anew for every request from whatever the folder holds now.
    'Cache-Control',
    'no-store',
  ];
  res.writeHead(200, head);
  if (req.method === 'HEAD' || first.done === true || first.value.kind !== 'folder') {
    await items.return(undefined);
    res.end();
    return;
  }
  const zip = new ZipArchiveOutputStream({ zlib: { level: DEFLATE_LEVEL }, forceLocalTime: true });
  const aborter = new AbortController();
  // A client that goes away stops the walk and closes the open file at once.
  const stop = (): void => {
    if (!res.writableFinished) aborter.abort(new Error('client gone'));
  };
  res.once('close', stop);
  const job = { zip, items, top, followSymlinks: config.followSymlinks, signal: aborter.signal };
  const [sent, written] = await Promise.allSettled([
    pipeline(zip, createCoalescer(), res),
    // Whatever stops the writing (abort, read error) also ends the response early: the client
    // sees a cut transfer (no last chunk), never an archive that looks whole.
    writeArchive(job, first.value.mtime).catch((error: unknown) => {
      zip.destroy();
      throw error;
    }),
  ]);
  res.off('close', stop);
  await items.return(undefined);
  if (written.status === 'rejected' && !aborter.signal.aborted) throw written.reason;
  if (sent.status === 'rejected' && !aborter.signal.aborted) throw sent.reason;
}
