// bench/mixed-peak.ts
// `--only mixed`: the peak memory of a fresh server taken through a day's mix, in order: small
// files, ranges, listings (plain and compressed), and then 4 clients downloading the 100 MiB
// file while its RSS is sampled. The caches the first steps fill are still there when the big
// downloads come, which the `big` scenario alone (run first, on a quiet server) never sees.
import { rssMiB, type ServerSpec, sampleRss, startChild } from './servers.js';
import { runWrk, type WrkRequest } from './wrk.js';

/** One step of the sequence: a wrk run against the server's port. */
export interface MixedStep {
  readonly id: string;
  readonly request: (port: number) => Omit<WrkRequest, 'seconds'>;
}

export type MixedPeak =
  | {
      readonly idleMiB: number;
      /** RSS after each step before the last, by step id. */
      readonly afterMiB: ReadonlyMap<string, number>;
      /** Largest RSS sampled (every 50 ms) during the last step, the big downloads. */
      readonly peakMiB: number;
      /** The process's own high-water mark over the whole sequence (VmHWM). */
      readonly highWaterMiB: number;
      /** Throughput of the last step, in MB/s. */
      readonly lastMBps: number;
    }
  | { readonly error: string };

/** Runs `steps` in order, `seconds` each, on a server started for it and stopped after. */
export async function runMixedPeak(
  spec: ServerSpec,
  script: string,
  steps: readonly MixedStep[],
  seconds: number,
): Promise<MixedPeak> {
  const child = await startChild(spec);
  try {
    const idleMiB = rssMiB(child.pid);
    const afterMiB = new Map<string, number>();
    let peakMiB = Number.NaN;
    let lastMBps = Number.NaN;
    for (const [i, step] of steps.entries()) {
      const last = i === steps.length - 1;
      const sampler = last ? sampleRss(child.pid) : undefined;
      const result = await runWrk(script, { ...step.request(child.port), seconds });
      if (sampler !== undefined) peakMiB = sampler.stop();
      if (result.failure !== undefined) return { error: `${step.id}: ${result.failure}` };
      if (last) lastMBps = result.megabytesPerSecond;
      else afterMiB.set(step.id, rssMiB(child.pid));
    }
    return { idleMiB, afterMiB, peakMiB, highWaterMiB: rssMiB(child.pid, 'VmHWM'), lastMBps };
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await child.stop();
  }
}
