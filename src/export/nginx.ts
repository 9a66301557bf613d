// src/export/nginx.ts
// An nginx `server { }` block (plus the `map`s it reads) that serves the site as serve-here
// would. Every directive is chosen to match a behaviour serve-here's tests check; what nginx
// cannot match is listed in differences.ts and written as comments at the top.

import { bcryptHash } from './auth.js';
import { differenceComments } from './differences.js';
import {
  ALLOW,
  COMPRESSIBLE_TYPES,
  everyResponseHeaders,
  fileCacheControl,
  type HeaderPair,
  isOverridden,
  preflightHeaders,
  TEXT_TYPES,
} from './headers.js';
import { sourceRegExp, upstreamOf } from './proxy.js';
import { ExportError, quoteNginx, quotePattern } from './quote.js';
import { headersByName, keepsQuery, nginxDestination, ruleRegex } from './rules.js';
import { type ExportSite, isEveryInterface, LOOPBACK } from './site.js';

/**
 * Extensions Debian's nginx 1.22 `mime.types` lacks, with the type serve-here sends. Added to
 * the table, not replacing it (a `types` block of our own would drop every other extension).
 */
const MISSING_TYPES: readonly (readonly [string, string])[] = [
  ['text/javascript', 'mjs cjs'],
  ['application/json', 'map'],
  ['text/markdown', 'md'],
  ['text/csv', 'csv'],
  ['application/manifest+json', 'webmanifest'],
];

/** Where the export tells the user to put the --auth line. */
export const HTPASSWD_PATH = '/etc/nginx/serve-here.htpasswd';

/** A name starting with a dot, anywhere but `/.well-known` at the top (resolve.ts isHiddenSegment). */
const HIDDEN_PATH = '^/\\.(?!well-known(?:/|$))|^/[^/]+/(?:.*/)?\\.';

/** The last segment has an extension (fallback.ts hasExtension): such names never get a page. */
const HAS_EXTENSION = '[^/]\\.[^/.]+$';

export function renderNginx(site: ExportSite): string {
  const id = `serve_here_${site.port}`;
  const out: string[] = [
    `# serve-here ${site.version} --export nginx`,
    `# The folder ${oneLine(site.root)} served by nginx as serve-here serves it.`,
    "# Put this file in nginx's http context (Debian: /etc/nginx/conf.d/serve-here.conf),",
    '# then check it with `nginx -t` and reload nginx.',
    '#',
    ...differenceComments('nginx', site, '# '),
    ...passwordComments(site),
    '',
    ...maps(site, id),
    'server {',
    ...listen(site).map((line) => `    ${line}`),
    '',
    `    root ${quoteNginx(site.root, 'the folder')};`,
    '    index index.html index.htm;',
    '    # Redirects such as /docs -> /docs/ keep the host the client used.',
    '    absolute_redirect off;',
  ];
  if (!site.followSymlinks) {
    out.push('    # serve-here refuses links that lead out of the folder; nginx can only refuse them all.');
    out.push('    disable_symlinks on from=$document_root;');
  }
  out.push(
    '    include /etc/nginx/mime.types;',
    `    types { ${MISSING_TYPES.map(([type, exts]) => `${type} ${exts};`).join(' ')} }`,
    '    # charset=utf-8 on every text type, as serve-here labels them.',
    '    charset utf-8;',
    `    charset_types ${TEXT_TYPES.filter((t) => t !== 'text/html').join(' ')};`,
  );
  if (site.compress) {
    out.push(
      '    # gzip for compressible responses of 1 KiB or more, and ready-made .gz siblings.',
      '    gzip on;',
      '    gzip_vary on;',
      '    gzip_min_length 1024;',
      `    gzip_types ${COMPRESSIBLE_TYPES.filter((t) => t !== 'text/html').join(' ')};`,
      '    gzip_static on;',
    );
  }
  out.push(site.listing ? '    autoindex on;' : '    autoindex off;');
  if (site.auth !== undefined) {
    out.push(
      '    # --auth: every URL asks for the password (the file is named at the top).',
      '    auth_basic "serve-here";',
      `    auth_basic_user_file ${HTPASSWD_PATH};`,
    );
  }
  out.push(
    '',
    '    # Headers on every response, error pages included (always).',
    ...headerLines(site, id).map((line) => `    ${line}`),
    ...(site.proxy === undefined ? ['', ...methodLines(site).map((line) => `    ${line}`)] : []),
    '',
    "    # A 404 uses the folder's own 404.html when it has one.",
    '    error_page 404 /404.html;',
  );
  if (!site.listing) {
    out.push('    # A folder that may not be listed is a 404, as in serve-here.');
    out.push('    error_page 403 =404 /404.html;');
  }
  (site.rules?.redirects ?? []).forEach((rule) => {
    const query = keepsQuery(rule.destination) ? '$is_args$args' : '';
    out.push('', `    # Config redirect ${oneLine(rule.source)} (before files).`);
    out.push(`    location ~ ${quotePattern(ruleRegex(rule.source))} {`);
    out.push(
      `        return ${rule.type ?? 301} ${nginxDestination(rule.destination).slice(0, -1)}${query}";`,
      '    }',
    );
  });
  for (const rule of site.proxy?.rules ?? []) {
    out.push('', `    # Proxy rule ${oneLine(rule.source)} (before files).`);
    out.push(`    location ~ ${quotePattern(sourceRegExp(rule.source))} {`);
    out.push(...proxyLines(site, id, rule.destination).map((line) => `        ${line}`), '    }');
  }
  if (!site.dotfiles) {
    out.push('', '    # Names that start with a dot are hidden, except /.well-known/ at the top.');
    out.push(`    location ~ ${quotePattern(HIDDEN_PATH)} { return 404; }`);
  }
  const fallback = site.proxy?.fallback;
  const tries = ['$uri', '$uri/'];
  if (site.cleanUrls) tries.push('$uri.html');
  const rewrites = site.rules?.rewrites ?? [];
  const afterFiles = fallback !== undefined ? '@app' : site.spa === undefined ? '=404' : '@spa';
  tries.push(rewrites.length > 0 ? '@rewrites' : afterFiles);
  out.push('', '    location / {');
  // With a proxy, the method rule moves here, after the proxy rules' own locations.
  if (site.proxy !== undefined) out.push(...methodLines(site).map((line) => `        ${line}`));
  if (site.cleanUrls) out.push('        # Clean URLs: /about is about.html.');
  out.push(`        try_files ${tries.join(' ')};`, '    }');
  if (rewrites.length > 0) {
    out.push(
      '',
      '    # Config rewrites: a path no file answers, served as another (the first rule that matches).',
    );
    out.push('    location @rewrites {');
    for (const rule of rewrites) {
      out.push(
        `        rewrite ${quotePattern(ruleRegex(rule.source))} ${nginxDestination(rule.destination)} last;`,
      );
    }
    if (afterFiles === '=404') out.push('        return 404;');
    else out.push(`        error_page 418 = ${afterFiles};`, '        return 418;');
    out.push('    }');
  }
  if (fallback !== undefined) {
    out.push('', '    # --proxy: what no file answers goes to the app.', '    location @app {');
    out.push(...proxyLines(site, id, fallback).map((line) => `        ${line}`), '    }');
  }
  if (site.spa !== undefined) {
    out.push(
      '',
      '    # The single-page app: browser navigations to names without an extension get the page.',
      '    location @spa {',
      `        if ($uri ~ ${quotePattern(HAS_EXTENSION)}) { return 404; }`,
      '        if ($http_accept !~* "text/html") { return 404; }',
      ...headerLines({ ...site, cache: undefined }, id).map((line) => `        ${line}`),
      `        rewrite ^ ${quoteNginx(`/${site.spa}`, 'the --spa page')} break;`,
      '    }',
    );
  }
  out.push('}', '');
  return out.join('\n');
}

/** --auth: the htpasswd line, and where it goes. */
function passwordComments(site: ExportSite): string[] {
  if (site.auth === undefined) return [];
  const line = `${site.auth.user}:${bcryptHash(site.auth)}`;
  return [
    '#',
    `# --auth: save the next line, without "# ", as ${HTPASSWD_PATH}`,
    '# (readable by nginx, by no one else):',
    `# ${checkHtpasswd(line)}`,
  ];
}

/** An htpasswd line holds no colon in the user name and no control character (checked by the CLI). */
function checkHtpasswd(line: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(line))
    throw new ExportError('nginx cannot express a control character in --auth');
  return line;
}

/** `listen` lines: loopback on both families by default, or every interface, or one address. */
function listen(site: ExportSite): string[] {
  // Debian's nginx 1.22 spells HTTP/2 as a parameter of listen.
  const tls = site.tls === undefined ? '' : ' ssl http2';
  const lines = isEveryInterface(site.host)
    ? [`listen ${site.port}${tls};`, `listen [::]:${site.port}${tls};`]
    : [
        ...(site.host === undefined ? LOOPBACK : [site.host]).map(
          (host) => `listen ${host.includes(':') ? `[${host}]` : host}:${site.port}${tls};`,
        ),
        `server_name ${site.host === undefined ? 'localhost' : '_'};`,
      ];
  if (site.tls !== undefined) {
    lines.push(
      `ssl_certificate ${quoteNginx(site.tls.cert, '--tls-cert')};`,
      `ssl_certificate_key ${quoteNginx(site.tls.key, '--tls-key')};`,
    );
    if (site.tls.passwordFile !== undefined) {
      lines.push(`ssl_password_file ${quoteNginx(site.tls.passwordFile, '--tls-password-file')};`);
    }
    // 497: a plain-HTTP request on the HTTPS port; serve-here redirects it to https:// too.
    lines.push('error_page 497 =301 https://$host:$server_port$request_uri;');
  }
  return lines;
}

/**
 * The `map`s the server block reads: Cache-Control by status (files and pages may be cached
 * for --cache seconds, error pages never), Allow on 204 and 405, and the preflight's headers.
 */
function maps(site: ExportSite, id: string): string[] {
  const out: string[] = [];
  if (!isOverridden(site, 'Cache-Control')) {
    out.push(
      `map $status $${id}_cache {`,
      `    ~^[23] ${quoteNginx(fileCacheControl(site), 'Cache-Control')};`,
      '    default "no-cache";',
      '}',
    );
  }
  out.push(
    `map $status $${id}_allow {`,
    `    204 "${ALLOW}";`,
    `    405 "${ALLOW}";`,
    '    default "";',
    '}',
  );
  if (site.cors) {
    for (const [name, value] of preflightHeaders()) {
      out.push(
        `map "$request_method:$http_origin:$http_access_control_request_method" $${id}_${variableName(name)} {`,
        `    "~^OPTIONS:.+:.+$" ${quoteNginx(value, name)};`,
        '    default "";',
        '}',
      );
    }
  }
  headersByName(site.rules?.headerRules ?? []).forEach((header, i) => {
    const fallback = ruleHeaderDefault(site, id, header.name);
    out.push(`map $uri $${id}_rule_header_${i} {`);
    // nginx takes the first matching regex; serve-here lets later rules win.
    for (const entry of [...header.entries].reverse()) {
      out.push(
        `    ${quotePattern(`~${ruleRegex(entry.source)}`)} ${quoteNginx(entry.value, `the ${header.name} header`)};`,
      );
    }
    out.push(`    default ${fallback};`, '}');
  });
  if (site.proxy !== undefined) {
    out.push(`map $http_upgrade $${id}_connection {`, '    default upgrade;', '    "" "";', '}');
    destinations(site).forEach((destination, i) => {
      out.push(`upstream ${id}_app${i} {`, `    server ${upstreamOf(destination).hostPort};`, '}');
    });
  }
  return [...out, ''];
}

/** What a rule header is where no rule matches: serve-here's own value of it, or nothing. */
function ruleHeaderDefault(site: ExportSite, id: string, name: string): string {
  const own = everyResponseHeaders(site).find(([given]) => given.toLowerCase() === name.toLowerCase());
  if (own !== undefined) return quoteNginx(own[1], `the ${name} header`);
  if (name.toLowerCase() === 'cache-control' && !isOverridden(site, 'Cache-Control')) {
    return site.cache === undefined ? '"no-cache"' : `$${id}_cache`;
  }
  return '""';
}

/** What answers other methods than GET and HEAD: serve-here itself, or with --proxy the app. */
function methodLines(site: ExportSite): string[] {
  if (site.proxy?.fallback !== undefined) {
    return [
      '# Files answer GET and HEAD only; every other method goes to the app.',
      'error_page 418 = @app;',
      'if ($request_method !~ "^(?:GET|HEAD)$") { return 418; }',
    ];
  }
  return [
    '# serve-here answers OPTIONS itself (204) and refuses other methods than GET and HEAD (405).',
    'if ($request_method = OPTIONS) { return 204; }',
    'if ($request_method !~ "^(?:GET|HEAD|OPTIONS)$") { return 405; }',
  ];
}

/** Every proxy destination, fallback first, each once, in a fixed order. */
function destinations(site: ExportSite): string[] {
  const all = [site.proxy?.fallback, ...(site.proxy?.rules ?? []).map((rule) => rule.destination)];
  return [...new Set(all.filter((d): d is string => d !== undefined))];
}

/** The body of a location that hands the request to `destination` (streamed both ways). */
function proxyLines(site: ExportSite, id: string, destination: string): string[] {
  const upstream = upstreamOf(destination);
  const name = `${id}_app${destinations(site).indexOf(destination)}`;
  const scheme = upstream.scheme === 'https:' ? 'https' : 'http';
  const lines = [
    // The request's own path and query after the destination's path (as serve-here's proxy).
    upstream.basePath === ''
      ? `proxy_pass ${scheme}://${name};`
      : `proxy_pass ${scheme}://${name}${quoteNginx(upstream.basePath, 'a --proxy path').slice(1, -1)}$request_uri;`,
    'proxy_http_version 1.1;',
    `proxy_set_header Host ${quoteNginx(upstream.hostPort, 'a --proxy host')};`,
    'proxy_set_header X-Forwarded-Host $http_host;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    'proxy_set_header Upgrade $http_upgrade;',
    `proxy_set_header Connection $${id}_connection;`,
    'proxy_buffering off;',
    'proxy_request_buffering off;',
    'proxy_read_timeout 30s;',
    // An empty add_header stops the server's headers from being added to the app's answers.
    'add_header X-Served-By "" always;',
  ];
  if (scheme === 'https') lines.push('proxy_ssl_server_name on;');
  return lines;
}

/** `add_header … always` for every header serve-here puts on each response. */
function headerLines(site: ExportSite, id: string): string[] {
  // A name the config file's header rules set is sent through its map (which falls back to
  // the value it would have had).
  const ruled = new Set(headersByName(site.rules?.headerRules ?? []).map((h) => h.name.toLowerCase()));
  const pairs: HeaderPair[] = everyResponseHeaders(site).filter(([name]) => !ruled.has(name.toLowerCase()));
  const lines = pairs.map(([name, value]) => addHeader(name, quoteNginx(value, `the ${name} header`)));
  if (!isOverridden(site, 'Cache-Control') && !ruled.has('cache-control')) {
    lines.push(addHeader('Cache-Control', site.cache === undefined ? '"no-cache"' : `$${id}_cache`));
  }
  headersByName(site.rules?.headerRules ?? []).forEach((header, i) => {
    lines.push(addHeader(header.name, `$${id}_rule_header_${i}`));
  });
  lines.push(addHeader('Allow', `$${id}_allow`));
  if (site.cors) {
    for (const [name] of preflightHeaders()) lines.push(addHeader(name, `$${id}_${variableName(name)}`));
  }
  return lines;
}

function addHeader(name: string, quotedValue: string): string {
  return `add_header ${name} ${quotedValue} always;`;
}

function variableName(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

/** The root for a comment line: control characters would end the comment. */
function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
