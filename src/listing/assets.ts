// src/listing/assets.ts
// Everything the listing page carries inline: its CSS, its icons (SVG data: URIs used as CSS masks), its script,
// and the Content-Security-Policy that allows exactly these, by hash, and nothing else.
import { createHash } from 'node:crypto';
import { BASE_CSS } from '../http/html.js';
import { enhanceListing } from './enhance.js';
import type { IconKind } from './entry.js';

const LISTING_CSS = `
:root{--card-line:#ececea;--soft:#f6f6f4;--focus:#0a62c9;--shadow:0 1px 2px rgb(0 0 0/.04),0 4px 16px rgb(0 0 0/.035);
--k-folder:#3b82d6;--k-image:#9b59d0;--k-video:#d9534a;--k-audio:#d2578f;--k-archive:#b7791f;--k-code:#2a9468;
--k-text:#6b7280;--k-pdf:#d0463b;--k-file:#8b8b93;--k-broken:#a8a8b0;--k-up:#8b8b93}
@media (prefers-color-scheme:dark){:root{--card-line:#232327;--soft:#1c1c20;--focus:#6cb2ff;--shadow:none;
--k-folder:#6aa8f0;--k-image:#c08fee;--k-video:#f0837b;--k-audio:#ee8fb9;--k-archive:#e0a84a;--k-code:#5cc596;
--k-text:#a1a1aa;--k-pdf:#f07a70;--k-file:#9a9aa2;--k-broken:#6b6b73;--k-up:#9a9aa2}}
main{max-width:1040px;padding-top:40px}
h1{font-size:1.5rem;font-weight:650;letter-spacing:-.01em;margin:0 0 20px;line-height:1.3;
overflow-wrap:anywhere;word-break:normal}
h1 .of{display:block;font-size:.8rem;font-weight:500;letter-spacing:.02em;color:var(--muted);margin-bottom:2px}
h1 a{color:var(--fg);border-radius:4px}
h1 a:hover{color:var(--accent);text-decoration:none}
h1 .sep{color:var(--muted);font-weight:400;margin:0 .12em}
h1 a:hover .sep{color:var(--muted)}
h1 a.root:not([aria-current]){color:var(--muted);font-weight:400;padding-right:.12em}
.bar{display:flex;align-items:center;gap:12px;margin:0 0 14px;flex-wrap:wrap}
.filter{position:relative;flex:1 1 260px;max-width:380px}
.filter[hidden]{display:none}
.filter .i{position:absolute;left:11px;top:50%;width:16px;height:16px;margin-top:-8px;color:var(--muted);pointer-events:none}
.filter input{width:100%;height:38px;padding:0 40px 0 35px;font:inherit;font-size:.92rem;color:var(--fg);
background:var(--card);border:1px solid var(--line);border-radius:10px;outline:none;-webkit-appearance:none;appearance:none}
.filter input::placeholder{color:var(--muted)}
.filter input::-webkit-search-cancel-button{-webkit-appearance:none;appearance:none}
.filter input:focus{border-color:var(--focus);box-shadow:0 0 0 3px color-mix(in srgb,var(--focus) 22%,transparent)}
.filter kbd{position:absolute;right:9px;top:50%;transform:translateY(-50%);font:500 .72rem/1 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
color:var(--muted);border:1px solid var(--line);border-radius:5px;padding:3px 6px;pointer-events:none}
.filter input:focus~kbd,.filter input:not(:placeholder-shown)~kbd{display:none}
.status{color:var(--muted);font-size:.85rem;font-variant-numeric:tabular-nums}
.zip{margin-left:auto;display:inline-flex;align-items:center;gap:8px;height:38px;padding:0 14px;font-size:.9rem;font-weight:500;
color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:10px}
.zip:hover{text-decoration:none;border-color:var(--focus)}.zip .i{width:18px;height:18px;color:var(--k-archive)}
.card{background:var(--card);border:1px solid var(--line);border-radius:14px;box-shadow:var(--shadow);overflow:hidden}
table{width:100%;border-collapse:collapse}
th{padding:0;text-align:left;font-size:.72rem;font-weight:600;letter-spacing:.06em;text-transform:uppercase;
color:var(--muted);border-bottom:1px solid var(--line);background:var(--soft)}
th a{display:inline-flex;align-items:center;gap:4px;padding:11px 18px;color:inherit;border-radius:6px}
th a:hover{color:var(--fg);text-decoration:none}
th a::after{content:"";width:10px;text-align:center;font-size:.8rem;letter-spacing:0}
th[aria-sort=ascending] a,th[aria-sort=descending] a{color:var(--fg)}
th[aria-sort=ascending] a::after{content:"↑"}
th[aria-sort=descending] a::after{content:"↓"}
th.s,th.d{text-align:right}
th.s a,th.d a{flex-direction:row-reverse}
td{padding:0 18px;border-top:1px solid var(--card-line);vertical-align:middle}
tbody tr:first-child td{border-top:0}
tbody tr{transition:background-color .12s}
tbody tr:hover{background:var(--soft)}
tbody tr:focus-within{background:color-mix(in srgb,var(--focus) 9%,var(--card))}
td.n{width:100%;padding:0 8px}
td.n a{display:flex;align-items:center;gap:12px;min-height:42px;padding:8px 10px;color:var(--fg);border-radius:8px}
td.n a:hover{text-decoration:none}
td.n a:hover span{text-decoration:underline;text-decoration-color:color-mix(in srgb,currentColor 35%,transparent);text-underline-offset:3px}
td.n span{white-space:pre-wrap;overflow-wrap:anywhere;min-width:0}
td.s,td.d{text-align:right;white-space:nowrap;color:var(--muted);font-variant-numeric:tabular-nums;font-size:.9rem}
td.s{min-width:84px}
td.d{min-width:150px}
tr.up td.n a{color:var(--muted)}
tr.x td.n a{color:var(--muted)}
tr.msg td{padding:28px 18px;text-align:center;color:var(--muted)}
.i{flex:none;width:20px;height:20px;background:currentColor;-webkit-mask:var(--icon) center/contain no-repeat;
mask:var(--icon) center/contain no-repeat}
.i.folder{color:var(--k-folder)}.i.image{color:var(--k-image)}.i.video{color:var(--k-video)}
.i.audio{color:var(--k-audio)}.i.archive{color:var(--k-archive)}.i.code{color:var(--k-code)}.i.text{color:var(--k-text)}
.i.pdf{color:var(--k-pdf)}.i.file{color:var(--k-file)}.i.broken{color:var(--k-broken)}.i.up{color:var(--k-up)}
a:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
td.n a:focus-visible{outline-offset:-2px}
@supports selector(:has(a)){td.n a:focus-visible{outline:none}
tbody tr:has(a:focus-visible) td.n{box-shadow:inset 3px 0 0 var(--focus)}}
.pager{display:flex;flex-wrap:wrap;align-items:center;gap:6px 16px;margin:14px 2px;font-size:.9rem;color:var(--muted)}
.pager a{font-weight:500}
footer{display:flex;justify-content:space-between;gap:12px;flex-wrap:wrap;margin:16px 2px 0;font-variant-numeric:tabular-nums}
@media (max-width:640px){main{padding:20px 12px 32px}h1{font-size:1.25rem;margin-bottom:16px}
.filter{max-width:none}th.d,td.d{display:none}th a{padding:10px 12px}td{padding:0 12px}td.n{padding:0 4px}
td.n a{gap:10px;padding:9px 8px}td.s{min-width:0}.card{border-radius:12px}}
@media (prefers-reduced-motion:reduce){tbody tr{transition:none}}
`;

/** Icon paths, drawn on a 24×24 grid with round strokes. */
const ICON_PATHS: Readonly<Record<IconKind | 'up' | 'search', string>> = {
  folder:
    '<path d="M3 7.5A2.5 2.5 0 0 1 5.5 5h3.6l2.2 2.2h7.2A2.5 2.5 0 0 1 21 9.7v7.8a2.5 2.5 0 0 1-2.5 2.5h-13A2.5 2.5 0 0 1 3 17.5z"/>',
  file: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5"/>',
  text: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5M9 13h6M9 17h4"/>',
  code: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5M10 12.5 8 15l2 2.5M14 12.5l2 2.5-2 2.5"/>',
  pdf: '<path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z"/><path d="M14 3v5h5M8.5 17.5c2.5-1 5-4.5 4.5-7-.3-1.5-2-1-1.6.6.6 2.6 2.6 4.7 4.6 4.9"/>',
  image:
    '<rect x="3" y="4" width="18" height="16" rx="2.5"/><circle cx="9" cy="9.5" r="1.6"/><path d="m21 15.5-4.6-4.6a1 1 0 0 0-1.4 0L6.5 20"/>',
  video: '<rect x="3" y="5" width="18" height="14" rx="2.5"/><path d="m10 9.2 4.8 2.8-4.8 2.8z"/>',
  audio:
    '<path d="M9 18V6.2l11-2.2v12"/><circle cx="6.5" cy="18" r="2.5"/><circle cx="17.5" cy="16" r="2.5"/>',
  archive:
    '<rect x="3" y="4" width="18" height="5" rx="1.5"/><path d="M5 9v9a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V9M10 13h4"/>',
  broken:
    '<path d="M9.5 14.5 8 16a3.5 3.5 0 0 1-5-5l1.5-1.5M14.5 9.5 16 8a3.5 3.5 0 0 1 5 5l-1.5 1.5M8 3v2.5M3 8h2.5M16 21v-2.5M21 16h-2.5"/>',
  up: '<path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>',
  search: '<circle cx="11" cy="11" r="6.5"/><path d="m20 20-4.2-4.2"/>',
};

/**
 * Each icon is an SVG data: URI that masks the element's background, so a row's icon is
 * just `<i class="i code"></i>`: about 25 bytes and one element, where inline <svg><use>
 * cost 65 bytes and two (it adds up over 10,000 rows). Colour comes from `color`.
 */
const ICON_CSS = Object.entries(ICON_PATHS)
  .map(([kind, paths]) => {
    // The folder is filled lightly as well as outlined, so folders stand out in a long list.
    const fill = kind === 'folder' ? "fill='%23000' fill-opacity='.24'" : "fill='none'";
    const svg =
      `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' ${fill} stroke='%23000' ` +
      `stroke-width='1.6' stroke-linecap='round' stroke-linejoin='round'>${paths.replace(/"/g, "'")}</svg>`;
    return `.i.${kind}{--icon:url("data:image/svg+xml,${svg.replace(/</g, '%3C').replace(/>/g, '%3E')}")}`;
  })
  .join('\n');

/** The page's whole stylesheet after BASE_CSS: layout, palette and icons. */
export const LISTING_STYLE = `${LISTING_CSS}${ICON_CSS}\n`;

/** An icon element; its picture comes from the stylesheet. */
export function icon(kind: IconKind | 'up' | 'search'): string {
  return ICON_HTML[kind];
}

const ICON_HTML = Object.fromEntries(
  Object.keys(ICON_PATHS).map((kind) => [kind, `<i class="i ${kind}"></i>`]),
) as Readonly<Record<IconKind | 'up' | 'search', string>>;

/**
 * A folder as the tab icon, as a data: URI: browsers ask for /favicon.ico otherwise, and
 * that request would 404 on every listing.
 */
export const FAVICON = `<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#3b82d6" d="M2 6.5A2.5 2.5 0 0 1 4.5 4h4.4l2.2 2.2h8.4A2.5 2.5 0 0 1 22 8.7v9.8a2.5 2.5 0 0 1-2.5 2.5h-15A2.5 2.5 0 0 1 2 18.5z"/></svg>',
)}">`;

/** The page's script, inlined: enhance.ts explains why it is written as a function. */
export const LISTING_SCRIPT = `(${enhanceListing.toString()})();`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Nothing is allowed but the page's own inline <style> and <script>, named by hash,
 * computed once here from the exact text renderPage() writes (BASE_CSS then LISTING_STYLE).
 * No 'unsafe-inline', no network at all: icons and the favicon are data: URIs,
 * fonts are the system's.
 */
export const LISTING_CSP = [
  "default-src 'none'",
  `style-src ${sha256(BASE_CSS + LISTING_STYLE)}`,
  `script-src ${sha256(LISTING_SCRIPT)}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
