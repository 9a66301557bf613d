// src/config/check.ts
// A small checker for parsed JSON: shapes described as values (boolean, whole number, string,
// list, closed object, either-or), each failure reported with the exact key path and what was
// expected. Hand-written rather than a schema library so every message reads as one line in
// our words; test/config-check.test.ts holds it to the shipped JSON Schema.

/** Where in the document a value sits, as `redirects[2].type`. */
export type KeyPath = string;

/** The first problem found: the key path and a phrase completing "expected …" (or a full note). */
export interface CheckFailure {
  readonly path: KeyPath;
  readonly message: string;
}

/** A shape: checks a value at `path`, returning the first failure or undefined. */
export interface Shape {
  /** How the shape is described in "expected …" messages: `true or false`, `a list of …`. */
  readonly expected: string;
  check(value: unknown, path: KeyPath): CheckFailure | undefined;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    return `the text ${shown}`;
  }
  return JSON.stringify(value) ?? typeof value;
}

function expectedFailure(shape: Shape, value: unknown, path: KeyPath): CheckFailure {
  return { path, message: `expected ${shape.expected}, got ${describe(value)}` };
}

export const bool: Shape = {
  expected: 'true or false',
  check(value, path) {
    return typeof value === 'boolean' ? undefined : expectedFailure(this, value, path);
  },
};

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number, expected: string): Shape {
  return {
    expected,
    check(value, path) {
      const ok = typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
      return ok ? undefined : expectedFailure(this, value, path);
    },
  };
}

/** A string; `test` may refine it, returning an "expected …" phrase when it fails. */
export function text(expected: string, test?: (value: string) => string | undefined): Shape {
  return {
    expected,
    check(value, path) {
      if (typeof value !== 'string') return expectedFailure(this, value, path);
      const problem = test?.(value);
      return problem === undefined
        ? undefined
        : { path, message: `expected ${problem}, got ${describe(value)}` };
    },
  };
}

/** One of a few literal values. */
export function oneOf(values: readonly (number | string | boolean)[], expected: string): Shape {
  return {
    expected,
    check(value, path) {
      return values.includes(value as never) ? undefined : expectedFailure(this, value, path);
    },
  };
}

/**
 * The first shape whose kind (type of value) fits decides; a value of no listed kind fails
 * with the combined description. Kinds are told apart by `accepts`, so `"spa": 3` reports
 * "true, false or a file path" rather than the last alternative's message.
 */
export function either(
  expected: string,
  ...options: readonly (readonly [(v: unknown) => boolean, Shape])[]
): Shape {
  return {
    expected,
    check(value, path) {
      for (const [accepts, shape] of options) if (accepts(value)) return shape.check(value, path);
      return expectedFailure(this, value, path);
    },
  };
}

export function list(item: Shape, expected: string): Shape {
  return {
    expected,
    check(value, path) {
      if (!Array.isArray(value)) return expectedFailure(this, value, path);
      for (let i = 0; i < value.length; i++) {
        const failure = item.check(value[i], `${path}[${i}]`);
        if (failure !== undefined) return failure;
      }
      return undefined;
    },
  };
}

/** A closed object: unknown keys are refused; `required` keys must be present. */
export function object(
  fields: Readonly<Record<string, Shape>>,
  options: {
    readonly required?: readonly string[];
    readonly expected: string;
    /** A check of the whole object once every field passed (cross-field rules). */
    readonly refine?: (value: Record<string, unknown>, path: KeyPath) => CheckFailure | undefined;
  },
): Shape & { readonly fields: Readonly<Record<string, Shape>> } {
  const known = Object.keys(fields);
  return {
    expected: options.expected,
    fields,
    check(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return expectedFailure(this, value, path);
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const keyPath = join(path, key);
        const shape = Object.hasOwn(fields, key) ? fields[key] : undefined;
        if (shape === undefined) return { path: keyPath, message: unknownKey(key, known) };
        const failure = shape.check(record[key], keyPath);
        if (failure !== undefined) return failure;
      }
      for (const key of options.required ?? []) {
        if (!Object.hasOwn(record, key))
          return { path: join(path, key), message: `expected ${fields[key]?.expected}, but it is missing` };
      }
      return options.refine?.(record, path);
    },
  };
}

function join(path: KeyPath, key: string): KeyPath {
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === '' ? part : `${path}.${part}`;
}

function unknownKey(key: string, known: readonly string[]): string {
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
  if (close !== undefined) return `unknown key; did you mean "${close}"?`;
  if (known.length <= 6) return `unknown key; expected one of ${known.join(', ')}`;
  return 'unknown key (serve-here.schema.json lists every key)';
}

/** Levenshtein distance, for "did you mean" on misspelt keys. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
