// src/http/html.ts
// Escaping and URL-encoding for anything that goes into HTML, and the page shell that the
// listing and the status pages share, so that they look like one product.

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Percent-encodes one path segment. Everything but unreserved characters and a few safe
 * sub-delims is encoded, so `#`, `?`, `%`, `/` and `\` in a name can never change the URL.
 * `\` matters most: a browser reads it as `/` in an http URL, so the POSIX name `\evil.example`
 * written raw would turn the Location `/\evil.example/` into `//evil.example/`, another host.
 * It always goes out as %5C.
 */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Builds an absolute URL path from decoded segments: ['a b', 'c'] → '/a%20b/c'. */
export function encodeUrlPath(segments: readonly string[], trailingSlash: boolean): string {
  const joined = segments.map(encodePathSegment).join('/');
  if (joined === '') return '/';
  return `/${joined}${trailingSlash ? '/' : ''}`;
}

/** Shared look: system fonts, light and dark palettes; the listing adds its own rules. */
export const BASE_CSS = `
:root{color-scheme:light dark;--bg:#fbfbfa;--fg:#1d1d1f;--muted:#6b6b70;--line:#e6e6e3;
--accent:#0a62c9;--row:#f2f2ef;--card:#ffffff}
@media (prefers-color-scheme:dark){:root{--bg:#141416;--fg:#ececef;--muted:#9a9aa2;
--line:#2a2a2e;--accent:#6cb2ff;--row:#1e1e22;--card:#19191c}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:960px;margin:0 auto;padding:32px 20px 48px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
h1{font-size:1.35rem;font-weight:600;margin:0 0 4px;word-break:break-all}
.muted{color:var(--muted)}
footer{margin-top:20px;color:var(--muted);font-size:.85rem}
`;

export interface PageParts {
  /** Plain text; escaped here. */
  readonly title: string;
  /** Trusted HTML: the caller escapes whatever it interpolates. */
  readonly body: string;
  /** Extra CSS appended after BASE_CSS. */
  readonly css?: string;
  /** Inline script, placed at the end of the body. */
  readonly script?: string;
  /** Trusted extra <head> elements (the listing's favicon). */
  readonly head?: string;
}

/** Renders a complete, self-contained HTML document. */
export function renderPage(parts: PageParts): string {
  const script = parts.script === undefined ? '' : `<script>${parts.script}</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(parts.title)}</title>${parts.head ?? ''}
<style>${BASE_CSS}${parts.css ?? ''}</style>
</head>
<body>
${parts.body}
${script}
</body>
</html>
`;
}
