// src/export/netlify.ts
// Netlify's `_headers` and `_redirects` files (Cloudflare Pages reads the same formats), printed
// one after the other with a comment line saying where each goes.
import { differenceComments } from './differences.js';
import { everyResponseHeaders, fileCacheControl, isOverridden } from './headers.js';
import { checkNetlify } from './quote.js';
import type { ExportSite } from './site.js';

export function renderNetlify(site: ExportSite): string {
  const headers = [...everyResponseHeaders(site)];
  if (!isOverridden(site, 'Cache-Control')) headers.push(['Cache-Control', fileCacheControl(site)]);
  const out: string[] = [
    `# serve-here ${site.version} --export netlify`,
    '# Two files for Netlify or Cloudflare Pages; both go in the folder you deploy.',
    '#',
    ...differenceComments('netlify', site, '# '),
    '',
    '# ---- _headers ----',
    '/*',
    ...headers.map(([name, value]) => `  ${name}: ${checkNetlify(value, `the ${name} header`)}`),
  ];
  if (site.spa !== undefined)
    out.push(`/${checkNetlify(site.spa, 'the --spa page')}`, '  Cache-Control: no-cache');
  for (const rule of site.rules?.headerRules ?? []) {
    const path = netlifyPath(rule.source);
    if (path === undefined) {
      out.push(
        `# (header rule ${checkNetlify(rule.source, 'a rule source')} has a pattern Netlify cannot read)`,
      );
      continue;
    }
    out.push(
      path,
      ...rule.headers.map(({ key, value }) => `  ${key}: ${checkNetlify(value, `the ${key} header`)}`),
    );
  }
  out.push('', '# ---- _redirects ----');
  for (const rule of site.rules?.redirects ?? [])
    out.push(netlifyRule(rule.source, rule.destination, `${rule.type ?? 301}!`));
  if (!site.dotfiles) {
    out.push('# Hidden names: the usual ones are refused; list any other dotfile of the folder here.');
    for (const name of ['/.git/*', '/.env', '/.env.*', '/.ssh/*', '/.npmrc', '/.htpasswd']) {
      out.push(`${name}  /404.html  404!`);
    }
  }
  for (const rule of site.rules?.rewrites ?? []) out.push(netlifyRule(rule.source, rule.destination, '200'));
  for (const rule of site.proxy?.rules ?? []) {
    out.push(
      `${checkNetlify(netlifySource(rule.source), 'a proxy source')}  ${checkNetlify(netlifyDestination(rule.destination, rule.source), 'a proxy destination')}  200`,
    );
  }
  if (site.proxy?.fallback !== undefined) {
    out.push(
      `/*  ${checkNetlify(`${site.proxy.fallback.replace(/\/+$/, '')}/:splat`, 'a proxy destination')}  200`,
    );
  } else if (site.spa !== undefined) out.push(`/*  /${checkNetlify(site.spa, 'the --spa page')}  200`);
  else if (site.proxy === undefined)
    out.push('# No rewrites: missing paths answer 404 (with 404.html when the folder has one).');
  out.push('');
  return out.join('\n');
}

/** Netlify's splat is a trailing `*` only: `/api/**` becomes `/api/*`. */
function netlifySource(source: string): string {
  return source.replace(/\/\*\*$/, '/*');
}

/** The destination with the request's path after it, as serve-here's proxy sends it. */
function netlifyDestination(destination: string, source: string): string {
  const base = destination.replace(/\/+$/, '');
  const prefix = source.replace(/\/\*\*$/, '').replace(/\/+$/, '');
  return source.endsWith('/**') ? `${base}${prefix}/:splat` : `${base}${source}`;
}

/** A config pattern in Netlify's syntax (`:name` segments, a trailing `*`), or undefined. */
function netlifyPath(source: string): string | undefined {
  const rooted = source.startsWith('/') ? source : `/${source}`;
  if (!/^(?:\/(?::[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9_.~-]+))*(?:\/\*\*)?\/?$/.test(rooted)) return undefined;
  return rooted.replace(/\/\*\*$/, '/*');
}

/** One `_redirects` line, or a comment when the source is beyond Netlify's patterns. */
function netlifyRule(source: string, destination: string, status: string): string {
  const path = netlifyPath(source);
  if (path === undefined)
    return `# (rule ${checkNetlify(source, 'a rule source')} has a pattern Netlify cannot read)`;
  return `${path}  ${checkNetlify(destination, 'a rule destination')}  ${status}`;
}
