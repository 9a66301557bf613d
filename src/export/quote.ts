// src/export/quote.ts
// Writing a user's path or header value into another server's config without breaking it or
// injecting into it. Each format gets a quoting function that either returns a token that reads
// back as exactly the input, or refuses with a sentence saying why (an ExportError).

/** Input a target cannot express; the CLI prints the message and exits 1. */
export class ExportError extends Error {}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * nginx: a double-quoted string with `\` and `"` escaped. nginx expands `$name` inside strings
 * and has no escape for `$`, so a `$` cannot be written at all.
 */
export function quoteNginx(value: string, what: string): string {
  refuseControl(value, what, 'nginx');
  if (value.includes('$')) throw new ExportError(`nginx cannot express a "$" in ${what}`);
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/**
 * Caddyfile: a double-quoted token. The lexer turns `\"` into `"` and keeps every other
 * backslash, so a backslash before a quote (or at the end) cannot be written unambiguously:
 * refused. Placeholders (`{...}`) are expanded in paths and header values; `\{` and `\}` keep
 * a brace literal.
 */
export function quoteCaddy(value: string, what: string): string {
  refuseControl(value, what, 'Caddy');
  if (value.includes('\\')) throw new ExportError(`Caddy cannot express a backslash in ${what}`);
  return `"${value.replace(/["{}]/g, (ch) => `\\${ch}`)}"`;
}

/** Netlify's `_headers` / `_redirects`: one line per value, so only control characters are refused. */
export function checkNetlify(value: string, what: string): string {
  refuseControl(value, what, 'Netlify');
  return value;
}

/**
 * One of our own regular expressions, quoted: nginx does not expand variables in a location's
 * or an `if`'s pattern, and Caddy keeps backslashes, so only the quote needs care (there is none).
 */
export function quotePattern(pattern: string): string {
  if (pattern.includes('"')) throw new Error('a pattern with a quote');
  return `"${pattern}"`;
}

function refuseControl(value: string, what: string, target: string): void {
  if (CONTROL.test(value)) throw new ExportError(`${target} cannot express a control character in ${what}`);
}
