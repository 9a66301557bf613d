// src/listing.ts
// Folder listings (placeholder until the listing issue): reads a folder and sends its names.
import { readdir } from 'node:fs/promises';
import { sendText } from './error-page.js';
import type { Exchange } from './exchange.js';
import { httpErrorFromFs } from './http/errors.js';
import { encodePathSegment, escapeHtml, renderPage } from './http/html.js';
import { isHiddenSegment } from './resolve.js';

export interface DirectoryToList {
  readonly dirPath: string;
  readonly urlPath: string;
  readonly segments: readonly string[];
}

export async function sendListing(exchange: Exchange, dir: DirectoryToList): Promise<void> {
  const { res, config } = exchange;
  let names: string[];
  try {
    const entries = await readdir(dir.dirPath, { withFileTypes: true });
    names = entries
      .filter((e) => config.dotfiles || !isHiddenSegment(e.name, dir.segments.length))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
  } catch (error) {
    throw httpErrorFromFs(error);
  }
  const rows = names
    .map(
      (n) =>
        `<li><a href="${encodePathSegment(n.replace(/\/$/, ''))}${n.endsWith('/') ? '/' : ''}">${escapeHtml(n)}</a></li>`,
    )
    .join('\n');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  sendText(
    exchange,
    renderPage({ title: `Index of ${decodeURI(dir.urlPath)}`, body: `<main><ul>${rows}</ul></main>` }),
  );
}
