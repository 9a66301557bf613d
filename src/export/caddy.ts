// src/export/caddy.ts
// A Caddyfile site block that serves the site as serve-here would. The directives sit in one
// `route` so that they run in the order written (Caddy otherwise sorts them by kind).
import { bcryptHash } from './auth.js';
import { differenceComments } from './differences.js';
import {
  ALLOW,
  everyResponseHeaders,
  fileCacheControl,
  type HeaderPair,
  isOverridden,
  preflightHeaders,
} from './headers.js';
import { sourceRegExp, upstreamOf } from './proxy.js';
import { quoteCaddy, quotePattern } from './quote.js';
import { caddyDestination, keepsQuery, ruleRegex } from './rules.js';
import { type ExportSite, isEveryInterface } from './site.js';

/** RE2 has no look-ahead, so the dotfile rule is two matchers (see resolve.ts isHiddenSegment). */
const HIDDEN_TOP = '^/\\.';
const HIDDEN_DEEP = '^/[^/]+/(?:.*/)?\\.';
/** The last segment has an extension (fallback.ts hasExtension). */
const HAS_EXTENSION = '[^/]\\.[^/.]+$';

export function renderCaddy(site: ExportSite): string {
  const q = quoteCaddy;
  const fallback = site.proxy?.fallback;
  const tries = ['{path}', '{path}/'];
  if (site.cleanUrls) tries.push('{path}.html');
  const out: string[] = [
    `# serve-here ${site.version} --export caddy`,
    `# The folder ${oneLine(site.root)} served by Caddy as serve-here serves it.`,
    '# Save it as a Caddyfile, check it with `caddy validate --adapter caddyfile --config Caddyfile`',
    '# and run it with `caddy run --config Caddyfile`.',
    '#',
    ...differenceComments('caddy', site, '# '),
    '',
    '{',
    '\t# No certificates of its own, no redirect port and no admin API: only the site.',
    '\tauto_https off',
    '\tadmin off',
    '}',
    '',
    `${site.tls === undefined ? 'http' : 'https'}://:${site.port} {`,
  ];
  const bind = isEveryInterface(site.host)
    ? undefined
    : site.host === undefined
      ? '127.0.0.1 [::1]'
      : bracket(site.host);
  if (bind !== undefined) out.push(`\tbind ${bind}`);
  if (site.tls !== undefined)
    out.push(`\ttls ${q(site.tls.cert, '--tls-cert')} ${q(site.tls.key, '--tls-key')}`);
  out.push(`\troot * ${q(site.root, 'the folder')}`, '');

  if (!site.dotfiles) {
    out.push(
      '\t# Names that start with a dot are hidden, except /.well-known/ at the top.',
      '\t@hidden_top {',
      `\t\tpath_regexp ${quotePattern(HIDDEN_TOP)}`,
      '\t\tnot path /.well-known /.well-known/*',
      '\t}',
      `\t@hidden_deep path_regexp ${quotePattern(HIDDEN_DEEP)}`,
    );
  }
  out.push('\t@options method OPTIONS', '\t@not_allowed not method GET HEAD OPTIONS');
  if (site.cors) {
    out.push(
      '\t@preflight {',
      '\t\tmethod OPTIONS',
      '\t\theader Origin *',
      '\t\theader Access-Control-Request-Method *',
      '\t}',
    );
  }
  if (site.spa !== undefined) {
    out.push(
      '\t# The single-page app: browser navigations to missing names without an extension.',
      '\t@spa {',
      '\t\tnot file',
      `\t\tnot path_regexp ${quotePattern(HAS_EXTENSION)}`,
      '\t\theader Accept *text/html*',
      '\t}',
    );
  }
  const rules = site.rules;
  rules?.redirects.forEach((rule, i) => {
    const regex = quotePattern(ruleRegex(rule.source));
    // Caddy 2.6 has no "?query if any" placeholder: the query's presence picks the redirect.
    out.push(
      `\t@redirect_${i}_query {`,
      `\t\tpath_regexp redirect_${i} ${regex}`,
      '\t\texpression {query} != ""',
      '\t}',
    );
    out.push(`\t@redirect_${i} path_regexp redirect_${i} ${regex}`);
  });
  rules?.rewrites.forEach((rule, i) => {
    out.push(
      `\t@rewrite_${i} {`,
      '\t\tnot file',
      `\t\tpath_regexp rewrite_${i} ${quotePattern(ruleRegex(rule.source))}`,
      '\t}',
    );
  });
  rules?.headerRules.forEach((rule, i) => {
    out.push(`\t@header_${i} path_regexp ${quotePattern(ruleRegex(rule.source))}`);
  });
  site.proxy?.rules.forEach((rule, i) => {
    out.push(`\t@proxy_${i} path_regexp ${quotePattern(sourceRegExp(rule.source))}`);
  });
  if (fallback !== undefined) {
    out.push(
      '\t# --proxy: files answer GET and HEAD when they exist; everything else goes to the app.',
      '\t@served {',
      `\t\tfile ${tries.join(' ')}`,
      '\t\tmethod GET HEAD',
      '\t}',
      '\t@to_app {',
      '\t\tnot {',
      `\t\t\tfile ${tries.join(' ')}`,
      '\t\t\tmethod GET HEAD',
      '\t\t}',
      '\t}',
    );
  }

  out.push('', '\troute {');
  if (site.auth !== undefined) {
    out.push(
      '\t\t# --auth: every URL asks for the password.',
      '\t\tbasicauth bcrypt serve-here {',
      `\t\t\t${q(site.auth.user, 'the --auth user')} ${bcryptHash(site.auth)}`,
      '\t\t}',
    );
  }
  rules?.redirects.forEach((rule, i) => {
    const to = caddyDestination(rule.destination, `redirect_${i}`);
    if (keepsQuery(rule.destination)) {
      out.push(`\t\tredir @redirect_${i}_query ${to.slice(0, -1)}?{query}" ${rule.type ?? 301}`);
    }
    out.push(`\t\tredir @redirect_${i} ${to} ${rule.type ?? 301}`);
  });
  site.proxy?.rules.forEach((rule, i) => {
    out.push(`\t\t# Proxy rule ${oneLine(rule.source)} (before files).`);
    out.push(...proxyLines(`@proxy_${i}`, rule.destination).map((line) => `\t\t${line}`));
  });
  out.push(`\t\t# Headers on ${fallback === undefined ? 'every response' : 'what files answer'}.`);
  out.push(`\t\theader${fallback === undefined ? '' : ' @served'} {`);
  for (const [name, value] of served(site)) out.push(`\t\t\t${name} ${q(value, `the ${name} header`)}`);
  out.push('\t\t}');
  rules?.headerRules.forEach((rule, i) => {
    out.push(`\t\theader @header_${i} {`);
    for (const { key, value } of rule.headers) out.push(`\t\t\t${key} ${q(value, `the ${key} header`)}`);
    out.push('\t\t}');
  });
  if (!site.dotfiles) out.push('\t\terror @hidden_top 404', '\t\terror @hidden_deep 404');
  if (fallback === undefined) {
    out.push(`\t\theader @options Allow "${ALLOW}"`, `\t\theader @not_allowed Allow "${ALLOW}"`);
    if (site.cors) {
      for (const [name, value] of preflightHeaders())
        out.push(`\t\theader @preflight ${name} ${q(value, name)}`);
    }
    out.push('\t\trespond @options 204', '\t\terror @not_allowed 405');
  }
  out.push(`\t\ttry_files ${tries.join(' ')}`);
  rules?.rewrites.forEach((rule, i) => {
    out.push(`\t\trewrite @rewrite_${i} ${caddyDestination(rule.destination, `rewrite_${i}`)}`);
  });
  if (fallback !== undefined) {
    out.push(...proxyLines('@to_app', fallback).map((line) => `\t\t${line}`));
  } else if (site.spa !== undefined) {
    out.push(
      '\t\theader @spa Cache-Control no-cache',
      `\t\trewrite @spa ${q(`/${site.spa}`, 'the --spa page')}`,
    );
  }
  if (site.compress) out.push('\t\tencode zstd gzip {', '\t\t\tminimum_length 1024', '\t\t}');
  out.push(`\t\tfile_server${site.listing ? ' browse' : ''} {`);
  if (site.compress) out.push('\t\t\tprecompressed br gzip');
  out.push('\t\t}', '\t}', '');

  out.push(
    "\t# A 404 uses the folder's own 404.html when it has one; other errors are plain text.",
    '\thandle_errors {',
  );
  out.push('\t\theader {');
  for (const [name, value] of everyResponseHeaders(site))
    out.push(`\t\t\t${name} ${q(value, `the ${name} header`)}`);
  if (!isOverridden(site, 'Cache-Control')) out.push('\t\t\tCache-Control no-cache');
  out.push('\t\t}');
  out.push(
    '\t\t@not_found expression {err.status_code} == 404',
    '\t\thandle @not_found {',
    '\t\t\trewrite * /404.html',
    '\t\t\tfile_server',
    '\t\t}',
    '\t\trespond "{err.status_code} {err.status_text}"',
    '\t}',
    '}',
    '',
  );
  return out.join('\n');
}

/** The headers of responses the site answers itself (files, listings, redirects). */
function served(site: ExportSite): HeaderPair[] {
  const pairs = everyResponseHeaders(site);
  if (!isOverridden(site, 'Cache-Control')) pairs.push(['Cache-Control', fileCacheControl(site)]);
  return pairs;
}

/** A reverse_proxy to `destination` for `matcher`: the app's Host, the destination's path first. */
function proxyLines(matcher: string, destination: string): string[] {
  const upstream = upstreamOf(destination);
  const to = `${upstream.scheme === 'https:' ? 'https://' : ''}${upstream.hostPort}`;
  const body = [
    `\treverse_proxy ${to} {`,
    '\t\theader_up Host {upstream_hostport}',
    '\t\tflush_interval -1',
    '\t}',
  ];
  if (upstream.basePath === '')
    return [
      `reverse_proxy ${matcher} ${to} {`,
      '\theader_up Host {upstream_hostport}',
      '\tflush_interval -1',
      '}',
    ];
  return [
    `handle ${matcher} {`,
    `\trewrite * ${quoteCaddy(`${upstream.basePath}{uri}`, 'a --proxy path').replace('\\{uri\\}', '{uri}')}`,
    ...body,
    '}',
  ];
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it replaces
  return text.replace(/[\u0000-\u001f\u007f]/g, '?');
}
