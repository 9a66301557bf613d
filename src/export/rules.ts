// src/export/rules.ts
// The config file's redirects, rewrites and header rules for the targets: each source becomes
// the regular expression serve-here itself matches with (config/pattern.ts), its parameters
// renamed so that they cannot clash with a server's own variables, and each destination's
// `:name` becomes that server's reference to the capture.
import type { HeaderRule, RedirectRule, RewriteRule } from '../config/index.js';
import { compilePattern } from '../config/pattern.js';
import { ExportError, quoteCaddy, quoteNginx } from './quote.js';

export interface ExportRules {
  readonly redirects: readonly RedirectRule[];
  readonly rewrites: readonly RewriteRule[];
  readonly headerRules: readonly HeaderRule[];
}

const PARAM = /:([A-Za-z_][A-Za-z0-9_]*)/g;

/** The source's regex for nginx (PCRE) and Caddy (RE2), its captures named `sh_<name>`. */
export function ruleRegex(source: string): string {
  const regex = compilePattern(source).regex.replace(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?P<sh_$1>');
  if (regex.includes('"')) throw new ExportError(`a rule's source "${source}" holds a quote`);
  return regex; // (?P<name>) reads the same in PCRE and in Go's RE2
}

/** A destination for nginx: literal parts quoted, `:name` as `${sh_name}`. */
export function nginxDestination(destination: string): string {
  let out = '';
  let last = 0;
  for (const match of destination.matchAll(PARAM)) {
    out += quoteNginx(destination.slice(last, match.index), 'a rule destination').slice(1, -1);
    out += `\${sh_${match[1]}}`;
    last = (match.index ?? 0) + match[0].length;
  }
  out += quoteNginx(destination.slice(last), 'a rule destination').slice(1, -1);
  return `"${out}"`;
}

/** A destination for Caddy: literal parts quoted, `:name` as `{re.<matcher>.sh_name}`. */
export function caddyDestination(destination: string, matcher: string): string {
  let out = '';
  let last = 0;
  for (const match of destination.matchAll(PARAM)) {
    out += quoteCaddy(destination.slice(last, match.index), 'a rule destination').slice(1, -1);
    out += `{re.${matcher}.sh_${match[1]}}`;
    last = (match.index ?? 0) + match[0].length;
  }
  out += quoteCaddy(destination.slice(last), 'a rule destination').slice(1, -1);
  return `"${out}"`;
}

/** One header name the rules set (as first written), with its (source, value) pairs in order. */
export interface RuleHeader {
  readonly name: string;
  readonly entries: { readonly source: string; readonly value: string }[];
}

export function headersByName(rules: readonly HeaderRule[]): RuleHeader[] {
  const byName = new Map<string, RuleHeader>();
  for (const rule of rules) {
    for (const { key, value } of rule.headers) {
      const found = byName.get(key.toLowerCase()) ?? { name: key, entries: [] };
      found.entries.push({ source: rule.source, value });
      byName.set(key.toLowerCase(), found);
    }
  }
  return [...byName.values()];
}

/** A redirect's query: the request's is kept unless the destination has its own. */
export function keepsQuery(destination: string): boolean {
  return !destination.includes('?');
}
