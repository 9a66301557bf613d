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
// (which it may do when memory is to be reduced). Creating an isolate (a worker thread) sets the factor
// back to V8's minimum of 2 at a moment this thread can't see: the listing's read worker calls
// afterWorkerStart(), and the young generation may have doubled once in between.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

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

/** After a worker thread started: the factor is set again after the next collection. */
export function afterWorkerStart(): void {
  if (observer === undefined) return;
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
