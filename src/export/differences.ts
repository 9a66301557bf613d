// src/export/differences.ts
// What each target does differently from serve-here, as one list: the renderers write the lines
// that apply as comments at the top of an export, the README's table is generated from it, and
// the export tests name each behaviour check a target cannot pass by the same id.
import type { ExportSite } from './site.js';
import type { ExportTarget } from './targets.js';

export interface Difference {
  readonly target: ExportTarget;
  /** Stable id; a behaviour check a target fails is excused by naming it. */
  readonly id: string;
  /** When the difference shows (for the sites it applies to). */
  readonly applies: (site: ExportSite) => boolean;
  /** The flags it depends on, for the README's table. */
  readonly when: string;
  /** One line, as written in the export and the README. */
  readonly text: string;
}

const always = (): boolean => true;

export const DIFFERENCES: readonly Difference[] = [
  // nginx
  {
    target: 'nginx',
    id: 'symlinks-inside',
    applies: (site) => !site.followSymlinks,
    when: 'without --follow-symlinks',
    text: 'every symlink is refused (404), also those that stay inside the folder; serve-here refuses only links that lead out of it',
  },
  {
    target: 'nginx',
    id: 'listing-page',
    applies: (site) => site.listing,
    when: 'with listings (the default)',
    text: "folders are listed by nginx's autoindex page: names, sizes and dates, without sorting, filter, dark mode or the JSON and text formats",
  },
  {
    target: 'nginx',
    id: 'forbidden-as-404',
    applies: (site) => !site.listing,
    when: 'with --no-listing',
    text: 'a file nginx may not read answers 404 (serve-here: 403), because a folder that may not be listed must answer 404 and nginx calls both "forbidden"',
  },
  {
    target: 'nginx',
    id: 'no-brotli',
    applies: (site) => site.compress,
    when: 'with compression (the default)',
    text: 'compresses with gzip only (no brotli module in a stock nginx), and serves precompressed .gz files but not .br ones',
  },
  {
    target: 'nginx',
    id: 'error-pages',
    applies: always,
    when: 'always',
    text: "status pages other than 404 are nginx's own (serve-here's carry a Content-Security-Policy)",
  },
  {
    target: 'nginx',
    id: 'dot-segments',
    applies: always,
    when: 'always',
    text: 'a path with "." or ".." segments inside the folder is served as its clean form, not redirected to it',
  },
  {
    target: 'nginx',
    id: 'mime-names',
    applies: always,
    when: 'always',
    text: 'labels .js as application/javascript, .xml as text/xml and .ico as image/x-icon (its mime.types); serve-here sends the current registered names',
  },
  {
    target: 'nginx',
    id: 'cache-pages',
    applies: (site) => site.cache !== undefined,
    when: 'with --cache',
    text: '--cache applies to listings and redirects too (serve-here: no-cache for them)',
  },
  {
    target: 'nginx',
    id: 'auth-charset',
    when: 'with --auth',
    applies: (site) => site.auth !== undefined,
    text: 'the 401 challenge has no charset="UTF-8", so a browser may send a non-ASCII password in another encoding; and no 429 after repeated failures (add limit_req or fail2ban)',
  },
  {
    target: 'nginx',
    id: 'auth-digest',
    when: 'with --auth user:sha256:<hex>',
    applies: (site) => site.auth !== undefined && site.auth.password === undefined,
    text: 'a password given as its SHA-256 digest cannot become a hash nginx checks: the htpasswd line below matches no password until you replace it with one from `htpasswd -B`',
  },
  {
    target: 'nginx',
    id: 'tls-ca',
    when: 'with --https',
    applies: (site) => site.tls?.localCa === true,
    text: "the certificate is serve-here's local one, trusted only where you installed its authority; use one from a public authority in production",
  },
  {
    target: 'nginx',
    id: 'proxy-timeout',
    when: 'with --proxy',
    applies: (site) => site.proxy !== undefined,
    text: '504 when the app sends nothing for 30 s, also in the middle of a streamed answer (serve-here: only while waiting for its first byte)',
  },
  {
    target: 'nginx',
    id: 'rule-params',
    when: 'with config redirects or rewrites',
    applies: (site) => (site.rules?.redirects.length ?? 0) + (site.rules?.rewrites.length ?? 0) > 0,
    text: 'a rule parameter goes into the destination as the server decoded it (serve-here percent-encodes it again)',
  },
  // Caddy
  {
    target: 'caddy',
    id: 'symlinks-out',
    applies: (site) => !site.followSymlinks,
    when: 'without --follow-symlinks',
    text: 'symlinks that lead out of the folder are followed: Caddy has no setting to refuse them; remove such links before serving',
  },
  {
    target: 'caddy',
    id: 'redirect-308',
    applies: always,
    when: 'always',
    text: 'a folder asked for without its trailing slash redirects with 308, not 301 (the same for browsers)',
  },
  {
    target: 'caddy',
    id: 'listing-page',
    applies: (site) => site.listing,
    when: 'with listings (the default)',
    text: "folders are listed by Caddy's browse page (sorting and a filter; JSON for Accept: application/json; no text format)",
  },
  {
    target: 'caddy',
    id: 'no-brotli',
    applies: (site) => site.compress,
    when: 'with compression (the default)',
    text: 'compresses with zstd or gzip on the fly, never brotli; precompressed .br and .gz files are served',
  },
  {
    target: 'caddy',
    id: 'climb-404',
    applies: always,
    when: 'always',
    text: 'a ".." that climbs above the folder answers 404 (serve-here: 400); nothing outside is served either way',
  },
  {
    target: 'caddy',
    id: 'dot-segments',
    when: 'always',
    applies: always,
    text: 'a path with "." or ".." segments inside the folder is served as its clean form, not redirected to it',
  },
  {
    target: 'caddy',
    id: 'error-pages',
    applies: always,
    when: 'always',
    text: 'status pages other than 404 are plain text without a Content-Security-Policy',
  },
  {
    target: 'caddy',
    id: 'cache-pages',
    applies: (site) => site.cache !== undefined,
    when: 'with --cache',
    text: '--cache applies to listings and redirects too (serve-here: no-cache for them)',
  },
  {
    target: 'caddy',
    id: 'auth-charset',
    when: 'with --auth',
    applies: (site) => site.auth !== undefined,
    text: 'the 401 challenge has no charset="UTF-8", so a browser may send a non-ASCII password in another encoding; and no 429 after repeated failures',
  },
  {
    target: 'caddy',
    id: 'auth-digest',
    when: 'with --auth user:sha256:<hex>',
    applies: (site) => site.auth !== undefined && site.auth.password === undefined,
    text: 'a password given as its SHA-256 digest cannot become a hash Caddy checks: the hash below matches no password until you replace it with the output of `caddy hash-password`',
  },
  {
    target: 'caddy',
    id: 'tls-plain-http',
    when: 'with HTTPS',
    applies: (site) => site.tls !== undefined,
    text: 'a plain-HTTP request on the HTTPS port gets 400 (serve-here redirects it to https://)',
  },
  {
    target: 'caddy',
    id: 'tls-password',
    when: 'with --tls-password-file',
    applies: (site) => site.tls?.passwordFile !== undefined,
    text: 'Caddy cannot read an encrypted key: decrypt it first (openssl pkey -in key.pem -out plain.pem) and name that file in the tls line',
  },
  {
    target: 'caddy',
    id: 'tls-ca',
    when: 'with --https',
    applies: (site) => site.tls?.localCa === true,
    text: "the certificate is serve-here's local one, trusted only where you installed its authority; Caddy's own `tls internal` or a public certificate suits production better",
  },
  {
    target: 'caddy',
    id: 'proxy-timeout',
    when: 'with --proxy',
    applies: (site) => site.proxy !== undefined,
    text: 'no 504 for a slow app: Caddy waits as long as the app takes',
  },
  {
    target: 'caddy',
    id: 'rule-params',
    when: 'with config redirects or rewrites',
    applies: (site) => (site.rules?.redirects.length ?? 0) + (site.rules?.rewrites.length ?? 0) > 0,
    text: 'a rule parameter goes into the destination as the server decoded it (serve-here percent-encodes it again)',
  },
  // Netlify
  {
    target: 'netlify',
    id: 'no-listing',
    applies: (site) => site.listing,
    when: 'with listings (the default)',
    text: 'no folder listings: a folder without index.html is a 404',
  },
  {
    target: 'netlify',
    id: 'dotfiles',
    applies: (site) => !site.dotfiles,
    when: 'without --dotfiles',
    text: 'names that start with a dot are published if the deploy includes them; leave them out of the deploy (except .well-known)',
  },
  {
    target: 'netlify',
    id: 'clean-urls',
    applies: always,
    when: 'always',
    text: 'clean URLs follow the site\'s "Pretty URLs" setting, not --no-clean-urls',
  },
  {
    target: 'netlify',
    id: 'symlinks',
    applies: always,
    when: 'always',
    text: 'symlinks are resolved by the deploy tool, whatever --follow-symlinks says',
  },
  {
    target: 'netlify',
    id: 'spa-everything',
    applies: (site) => site.spa !== undefined,
    when: 'with --spa',
    text: 'the SPA page answers every missing path, also asset names and non-HTML requests (serve-here: HTML navigations only)',
  },
  {
    target: 'netlify',
    id: 'precompressed',
    applies: always,
    when: 'always',
    text: 'the CDN compresses on its own; .br and .gz files are served as files, not as encodings of their siblings',
  },
  {
    target: 'netlify',
    id: 'auth',
    when: 'with --auth',
    applies: (site) => site.auth !== undefined,
    text: 'a password needs a paid plan (Basic-Auth in _headers) and is kept in clear in the deploy; a SHA-256 digest cannot be used at all',
  },
  {
    target: 'netlify',
    id: 'tls',
    when: 'with HTTPS',
    applies: (site) => site.tls !== undefined,
    text: "HTTPS is the CDN's own; the certificate files are not used",
  },
  {
    target: 'netlify',
    id: 'proxy',
    when: 'with --proxy',
    applies: (site) => site.proxy !== undefined,
    text: 'proxying is a 200 rewrite to a public URL: an app on localhost cannot be reached from the CDN, and WebSockets do not pass',
  },
  {
    target: 'netlify',
    id: 'rule-patterns',
    when: 'with config rules',
    applies: (site) => site.rules !== undefined,
    text: 'only rule sources made of plain and :name segments, with an optional trailing /**, can be written; others appear as comments',
  },
];

/** The differences that apply to `site` on `target`, in list order. */
export function differencesFor(target: ExportTarget, site: ExportSite): Difference[] {
  return DIFFERENCES.filter((d) => d.target === target && d.applies(site));
}

/** The comment block at the top of an export: one line per difference, after `prefix`. */
export function differenceComments(target: ExportTarget, site: ExportSite, prefix: string): string[] {
  const found = differencesFor(target, site);
  if (found.length === 0) return [`${prefix}Differences from serve-here: none for these flags.`];
  return [`${prefix}Differences from serve-here:`, ...found.map((d) => `${prefix}- ${target}: ${d.text}`)];
}

/** The README's table of every difference, generated from the list (a test keeps them equal). */
export function formatDifferencesTable(): string {
  const rows = DIFFERENCES.map((d) => `| ${d.target} | ${d.when} | ${d.text.replace(/\|/g, '\\|')} |`);
  return ['| target | when | what it does differently |', '| --- | --- | --- |', ...rows, ''].join('\n');
}
