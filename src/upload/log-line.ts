// src/upload/log-line.ts
// The request log's line for a stored upload: what was written and how big it is.
import { colors, escapeControl, formatBytes } from '../serve/log.js';
import type { UploadLogEntry } from './index.js';

/** `12:01:33 upload /photos/a.jpg 4.2 MB` (`replaced` or `folder` when so). */
export function formatUploadLine(entry: UploadLogEntry, at: Date): string {
  const pc = colors();
  const time = at.toTimeString().slice(0, 8);
  const what = entry.bytes === undefined ? 'new folder' : entry.replaced ? 'replaced' : 'upload';
  const size = entry.bytes === undefined ? '' : ` ${formatBytes(entry.bytes)}`;
  return `${pc.dim(time)} ${pc.green(what)} ${escapeControl(entry.path)}${size}`;
}
