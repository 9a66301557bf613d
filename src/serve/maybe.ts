// src/serve/maybe.ts
// Results that are sometimes ready at once and sometimes must be waited for. The common
// request (a stat answered directly, a path already checked, a small file in memory) can be
// answered without a single promise; measured on the 2-core bench machine, each `await` on the
// way costs about a microsecond, and a cached 1 KiB response spent a quarter of its CPU time
// on them. Steps on that path return MaybePromise<T>, and the next step is chained with
// `andThen()`, which stays synchronous for a plain value. (Not named `then`: a module that
// exports `then` turns into a thenable when it is imported dynamically.)
export type MaybePromise<T> = T | Promise<T>;

/** Calls `next` with the value: at once when it is ready, after it settles otherwise. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Like Promise.all, but synchronous when every value is already there. */
export function all<T>(values: readonly MaybePromise<T>[]): MaybePromise<T[]> {
  return values.some((value) => value instanceof Promise) ? Promise.all(values) : (values as T[]);
}

/** Runs `step`; a synchronous throw becomes a rejected promise, so callers handle one kind of failure. */
export function attempt<T>(step: () => MaybePromise<T>): MaybePromise<T> {
  try {
    return step();
  } catch (error) {
    return Promise.reject(error);
  }
}
