// src/serve/young-generation.ts
// Caps V8's young generation, where new objects live until they survive a collection, at
// 2 × 8 MiB. Left alone, V8 doubles it whenever a busy stretch keeps objects alive across
// scavenges, up to 2 × 16 MiB, and keeps it for the life of the process.
//
// Measured with `npm run bench` (serve-here alone, median of 3 rounds of 4 s, 2-core machine):
// semi-spaces of 8 MiB serve as fast as V8's 16 (1 KiB file 41,900 vs 41,100–42,500 req/s;
// ranges, listings, brotli alike), 4 MiB cost 17 % of the small-file rate, and 1 MiB (no growth
// at all) 19 % of it and more CPU on every row. So: let it grow to 8 MiB, then stop.
//
// `--max-semi-space-size` would say that directly, but V8 reads it only as the process starts.
// The growth factor is read at each resize, so after every collection the factor is set to 1
// (no growth) when the young generation is at the cap, and back to 2 if V8 has shrunk it
// (which it may do when memory is to be reduced).
//
// Creating an isolate (a worker thread) sets the factor back to V8's minimum of 2, on the worker's
// thread, at a moment this one can't see. A busy server that went on allocating in the meantime
// doubled its young generation to 32 MiB for good (seen in the bench's mixed sequence: +16 MiB
// RSS from its listing step on). So startWorker() holds this thread still until the worker's
// first line has run, then sets the factor again: about 50 ms, once per worker started.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Both semi-spaces together, as V8 reports the new space's size. */
const CAP_BYTES = 2 * 8 * 1024 * 1024;

let observer: PerformanceObserver | undefined;
/** The growth factor last set, or undefined when V8 may have changed it since. */
let factor: 1 | 2 | undefined;

/** For a process that is a server (the CLI): from now on the young generation stops at the cap. */
export function capYoungGeneration(): void {
  if (observer !== undefined) return;
  observer = new PerformanceObserver(adjust);
  observer.observe({ entryTypes: ['gc'] });
  adjust();
}

/**
 * The longest this thread waits for a worker's first line. A worker starts in about 50 ms on a
 * 2-core machine; one that takes longer (or fails before its first line) is not waited for,
 * and the factor is set again when it comes online.
 */
const START_WAIT_MS = 500;

/**
 * `new Worker(script, options)` that keeps the cap: its script must call workerStarted(workerData)
 * first. `workerData` is this module's; a worker's script takes its input from messages.
 */
export function startWorker(script: URL, options: Omit<WorkerOptions, 'workerData'>): Worker {
  const started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(script, { ...options, workerData: started });
  if (observer !== undefined) {
    const waited = Atomics.wait(started, 0, 0, START_WAIT_MS);
    afterWorkerStart();
    // Its isolate may not exist yet: set the factor again once it does.
    if (waited === 'timed-out') worker.once('online', afterWorkerStart);
  }
  return worker;
}

/** A worker's first line: tells startWorker() its isolate exists (`data` is its workerData). */
export function workerStarted(data: unknown): void {
  if (!(data instanceof Int32Array)) return;
  Atomics.store(data, 0, 1);
  Atomics.notify(data, 0);
}

/** After a worker's isolate was made: the factor V8 may have reset is set again now. */
function afterWorkerStart(): void {
  factor = undefined;
  adjust();
}

function adjust(): void {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  const wanted = young !== undefined && young.space_size >= CAP_BYTES ? 1 : 2;
  if (wanted === factor) return;
  setFlagsFromString(`--semi-space-growth-factor=${wanted}`);
  factor = wanted;
}
