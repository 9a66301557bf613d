// src/upload/page.ts
// What --upload adds to the listing page: a file picker and a "New folder" field (plain forms
// that work without script), their style, the script that adds progress and drag and drop,
// and the Content-Security-Policy that allows exactly these and requests to this server.
import { createHash } from 'node:crypto';
import { escapeHtml } from '../http/html.js';
import { formatBytes } from '../serve/log.js';
import { enhanceUploads } from './page-script.js';

const STYLE = `
.upl{display:flex;flex-wrap:wrap;align-items:center;gap:10px 18px;margin:0 0 14px}
.upl form{display:flex;align-items:center;gap:8px;margin:0}
.upl input[type=file]{font:inherit;font-size:.9rem;color:var(--muted);max-width:100%}
.upl input[type=file]::file-selector-button,.upl button{font:inherit;font-size:.9rem;font-weight:500;height:36px;
padding:0 14px;margin-right:10px;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:10px;cursor:pointer}
.upl button{margin:0}
.upl input[type=file]::file-selector-button:hover,.upl button:hover{border-color:var(--muted)}
.upl input[type=text]{font:inherit;font-size:.9rem;height:36px;width:170px;padding:0 12px;color:var(--fg);
background:var(--card);border:1px solid var(--line);border-radius:10px;outline:none}
.upl input:focus-visible,.upl button:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
.upl-hint{color:var(--muted);font-size:.85rem}
.upl-list{list-style:none;margin:0 0 14px;padding:8px 14px;background:var(--card);border:1px solid var(--line);border-radius:14px}
.upl-list[hidden]{display:none}
.upl-list li{display:grid;grid-template-columns:minmax(0,1fr) 160px minmax(0,1.2fr);gap:12px;align-items:center;padding:6px 0;font-size:.9rem}
.upl-name{overflow-wrap:anywhere}
.upl-list progress{width:100%;height:8px;accent-color:var(--accent)}
.upl-note{color:var(--muted);overflow-wrap:anywhere}
.upl-list li.ok .upl-note{color:var(--k-code)}
.upl-list li.no .upl-note{color:var(--k-pdf)}
.upl-drop{position:fixed;inset:12px;z-index:10;display:flex;align-items:center;justify-content:center;font-size:1.2rem;
font-weight:600;color:var(--accent);background:color-mix(in srgb,var(--bg) 85%,transparent);border:3px dashed var(--accent);
border-radius:18px;pointer-events:none}
.upl-drop[hidden]{display:none}
@media (max-width:640px){.upl-list li{grid-template-columns:1fr 90px}.upl-note{grid-column:1/-1}}
`;

const SCRIPT = `(${enhanceUploads.toString()})();`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The controls, placed under the listing's filter bar; `maxBytes` is --max-upload. */
export function renderUploadControls(maxBytes: number): string {
  const limit = escapeHtml(formatBytes(maxBytes));
  return `<section class="upl" aria-label="Upload" data-max="${maxBytes}" data-max-text="${limit}">
<form method="post" action="./" enctype="multipart/form-data"><input id="upl-files" type="file" name="file" multiple aria-label="Upload files"><button class="upl-send" type="submit">Upload</button></form>
<form class="upl-mkdir" method="post" action="./"><input type="text" name="mkdir" placeholder="New folder" aria-label="New folder name" required autocomplete="off" spellcheck="false"><button type="submit">Create</button></form>
<span class="upl-hint">or drop files on the page · up to ${limit} each</span>
</section>
<ul class="upl-list" id="upl-list" aria-live="polite" hidden></ul>
<div class="upl-drop" hidden>Drop to upload here</div>
<style>${STYLE}</style>
<script>${SCRIPT}</script>
`;
}

/**
 * The listing's policy with the controls' style and script added by hash, and two more
 * permissions: the script's requests to this server, and the forms' posts to it.
 */
export function uploadListingCsp(listingCsp: string): string {
  return `${listingCsp
    .replace(/style-src ([^;]+)/, `style-src $1 ${sha256(STYLE)}`)
    .replace(/script-src ([^;]+)/, `script-src $1 ${sha256(SCRIPT)}`)
    .replace("form-action 'none'", "form-action 'self'")}; connect-src 'self'`;
}
