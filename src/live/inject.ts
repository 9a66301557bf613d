// src/live/inject.ts
// Where the live-reload script tag goes in a page, and putting it there: before the last
// </body>, else before the last </html>, else at the end. Pure; no I/O.

/** The script every page gets while --watch is on. */
export const LIVE_SCRIPT_PATH = '/__serve-here/live.js';

/** The events stream the script listens to. */
export const LIVE_EVENTS_PATH = '/__serve-here/events';

/**
 * External rather than inline, so that a page's own `Content-Security-Policy: script-src 'self'`
 * does not block it; a module, so it runs after the page is parsed and never blocks it.
 */
export const LIVE_SCRIPT_TAG = `<script src="${LIVE_SCRIPT_PATH}" type="module"></script>`;

const TAG_BYTES = Buffer.from(LIVE_SCRIPT_TAG, 'latin1');

/** End tags may carry whitespace before the `>` (HTML §13.1.2.2) and any letter case. */
const BODY_END = /<\/body[\t\n\f\r ]*>/gi;
const HTML_END = /<\/html[\t\n\f\r ]*>/gi;

/**
 * The byte offset at which the tag goes. `html` is read as latin1, one character per byte, so
 * an offset in the string is an offset in the bytes whatever the page's encoding (UTF-8 and
 * the single-byte ones keep `</body>` in ASCII).
 */
export function injectionPoint(html: string): number {
  const body = lastMatch(BODY_END, html);
  if (body !== -1) return body;
  const end = lastMatch(HTML_END, html);
  return end !== -1 ? end : html.length;
}

function lastMatch(pattern: RegExp, text: string): number {
  let last = -1;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) last = match.index;
  return last;
}

/**
 * The page with the script tag in it. A UTF-16 page (it starts with a byte order mark) is
 * returned as it is: ASCII bytes spliced into it would be garbage.
 */
export function injectScript(html: Buffer): Buffer {
  if (isUtf16(html)) return html;
  const at = injectionPoint(html.toString('latin1'));
  return Buffer.concat([html.subarray(0, at), TAG_BYTES, html.subarray(at)]);
}

function isUtf16(bytes: Buffer): boolean {
  return (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  );
}

/**
 * A page rendered in pieces (the listing) with the tag in its last piece, which holds the
 * page's end: the pieces before it pass through unchanged.
 */
export function* injectIntoLastChunk(chunks: Iterable<string>): Generator<string> {
  let previous: string | undefined;
  for (const chunk of chunks) {
    if (previous !== undefined) yield previous;
    previous = chunk;
  }
  const last = previous ?? '';
  const at = injectionPoint(last);
  yield `${last.slice(0, at)}${LIVE_SCRIPT_TAG}${last.slice(at)}`;
}
