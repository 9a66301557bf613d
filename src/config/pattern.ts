// src/config/pattern.ts
// The path patterns of config rules, with serve's meaning: `:name` captures one segment (or
// part of one), `*` is any text inside one segment, `**` any number of whole segments,
// `{a,b}` and `@(a|b)` alternatives, `?` one character. Pure: strings in, matches out.

/** A compiled `source` pattern. */
export interface PathPattern {
  readonly source: string;
  /** The `:name` parameters the pattern captures, in order. */
  readonly params: readonly string[];
  /** The anchored regular expression it compiles to (named groups for the parameters). */
  readonly regex: string;
  /** The parameters captured from `path` (a decoded path such as `/a/b`), or undefined. */
  match(path: string): Readonly<Record<string, string>> | undefined;
}

/** A pattern that cannot be compiled; `message` completes "source: expected …". */
export class PatternError extends Error {}

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * Compiles a `source`. Like serve, a pattern without a leading '/' is rooted anyway
 * (`app/**` is `/app/**`), and a trailing '/' is ignored: both `/docs` and `/docs/` match it.
 */
export function compilePattern(source: string): PathPattern {
  const segments = source.split('/').filter((s) => s !== '');
  const params: string[] = [];
  let regex = '^';
  for (const segment of segments) {
    if (segment === '**') {
      // Zero or more whole segments: `/app/**` matches `/app` and `/app/x/y`.
      regex += '(?:/[^/]+)*';
      continue;
    }
    regex += `/${segmentRegex(segment, params)}`;
  }
  const compiled = new RegExp(`${regex}/?$`);
  return {
    source,
    params,
    regex: compiled.source,
    match(path) {
      const found = compiled.exec(path);
      if (found === null) return undefined;
      return found.groups === undefined ? {} : { ...found.groups };
    },
  };
}

function segmentRegex(segment: string, params: string[]): string {
  let out = '';
  let i = 0;
  while (i < segment.length) {
    const rest = segment.slice(i);
    const param = PARAM.exec(rest);
    if (param !== null) {
      const name = param[1] as string;
      if (params.includes(name)) throw new PatternError(`a pattern with :${name} only once`);
      params.push(name);
      // Lazy, so `:year-:month` splits at the first '-' that lets the rest match.
      out += `(?<${name}>[^/]+?)`;
      i += param[0].length;
      continue;
    }
    const char = segment[i] as string;
    if (char === '*') {
      if (segment[i + 1] === '*') throw new PatternError('a pattern with ** only as a whole segment');
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '{' || (char === '@' && segment[i + 1] === '(')) {
      const open = char === '{' ? i : i + 1;
      const close = segment.indexOf(char === '{' ? '}' : ')', open);
      if (close === -1) throw new PatternError(`a pattern whose ${char === '{' ? '{' : '@('} is closed`);
      const choices = segment.slice(open + 1, close).split(char === '{' ? ',' : '|');
      out += `(?:${choices.map(escapeRegex).join('|')})`;
      i = close + 1;
      continue;
    } else {
      out += escapeRegex(char);
    }
    i++;
  }
  return out;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** The `:name` references of a destination, in order (names as in the source). */
export function destinationParams(destination: string): string[] {
  return [...destination.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string);
}

/**
 * Puts captured parameters into a destination, each through `encode`. A `:name` the source
 * does not capture stays as written (the validator refuses such destinations anyway).
 */
export function fillDestination(
  destination: string,
  params: Readonly<Record<string, string>>,
  encode: (value: string) => string,
): string {
  return destination.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : encode(value);
  });
}
