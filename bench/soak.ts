// bench/soak.ts
// The long-run memory check of issue 7 ("no growth over a long run"): wrk sends a rotating mix
// of requests, a side loop opens and aborts connections, and the server's RSS is sampled four
// times a second; the verdict compares the largest RSS of the first and the last third.

import { writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { cpuMs, rssMiB } from './servers.js';
import { type WrkCounters, wrkSummary } from './wrk.js';

/** What the script asks for, in rotation; the listing (slow) takes one slot in LISTING_EVERY. */
const KINDS = ['small', 'medium', 'range', 'revalidate', 'notfound', 'compressed', 'listing'] as const;
type Kind = (typeof KINDS)[number];

/** What a response turned out to be, judged by the Lua script from its status, headers and size. */
const CLASSES = ['small', 'medium', 'range', 'notmodified', 'notfound', 'compressed', 'listing'] as const;
type ResponseClass = (typeof CLASSES)[number];

export const SOAK_CONNECTIONS = 50;
const LISTING_EVERY = 200;
const ABORT_EVERY_MS = 100;
const ABORT_TIMEOUT_MS = 5_000;
/**
 * Under this mix RSS swings by 20-30 MiB from one second to the next (1 MiB ranges in flight,
 * garbage collections); four samples a second make each third's max a steadier envelope than
 * one a second would.
 */
const SAMPLE_EVERY_MS = 250;
/** Growth (last-third max − first-third max) at or above this counts as growth. */
export const GROWTH_LIMIT_MIB = 5;
/** Each third's max at least this much above the previous one is a steady rise, even under 5 MiB. */
const RISE_STEP_MIB = 1;

export interface SoakFiles {
  readonly smallSize: number;
  readonly mediumSize: number;
  /** First and last byte of the Range request on /big.bin. */
  readonly range: readonly [number, number];
  /** Smallest acceptable listing of /many/. */
  readonly listingMin: number;
}

export interface SoakTarget {
  readonly port: number;
  readonly pid: number;
  /** ETag of /small.txt, for the request that must get a 304. */
  readonly etag: string;
}

export interface SoakMemory {
  readonly startMiB: number;
  readonly firstThirdMaxMiB: number;
  readonly middleThirdMaxMiB: number;
  readonly lastThirdMaxMiB: number;
  readonly growthMiB: number;
  readonly growthMiBPerMinute: number;
  /** Each third's max at least RISE_STEP_MIB above the one before. */
  readonly rising: boolean;
  readonly samples: number;
}

export type SoakResult =
  | {
      readonly requests: number;
      readonly requestsPerSecond: number;
      readonly p50Ms: number;
      readonly p99Ms: number;
      readonly cpuUsPerRequest: number;
      /** Connections the side loop opened and dropped mid-request or mid-response. */
      readonly aborted: number;
      /** Requests per kind, to show the mix. */
      readonly sent: Readonly<Record<string, number>>;
      readonly memory: SoakMemory;
      readonly warning: string | undefined;
    }
  | { readonly error: string };

/** Growth within noise: under GROWTH_LIMIT_MIB between the first and last third, and no steady rise. */
export function noGrowth(memory: SoakMemory): boolean {
  return memory.growthMiB < GROWTH_LIMIT_MIB && !memory.rising;
}

/**
 * wrk cannot tell which connection a response belongs to, so the script cannot pair a response
 * with its request. Instead it counts requests per kind and classifies every response by what
 * it is; bench-side, each class must have received no more responses than requests that expect
 * it, and no fewer than that minus the connections still in flight when wrk stopped. A 200 in
 * place of a 304, an ignored Range or a 500 therefore fails the run.
 */
const SOAK_LUA = `
local threads = {}
local KINDS = { ${KINDS.filter((k) => k !== 'listing')
  .map((k) => `"${k}"`)
  .join(', ')} }
function setup(thread) table.insert(threads, thread) end
function init(args)
  local etag, first, last = args[1], tonumber(args[2]), tonumber(args[3])
  smallSize, mediumSize, listingMin = tonumber(args[4]), tonumber(args[5]), tonumber(args[6])
  listingEvery = tonumber(args[7])
  rangeSize = last - first + 1
  contentRange = "bytes " .. first .. "-" .. last .. "/"
  requests = {
    small = wrk.format(nil, "/small.txt"),
    medium = wrk.format(nil, "/medium.txt"),
    range = wrk.format(nil, "/big.bin", { Range = "bytes=" .. first .. "-" .. last }),
    revalidate = wrk.format(nil, "/small.txt", { ["If-None-Match"] = etag }),
    notfound = wrk.format(nil, "/missing.txt"),
    compressed = wrk.format(nil, "/medium.txt", { ["Accept-Encoding"] = "br, gzip" }),
    listing = wrk.format(nil, "/many/"),
  }
  n = 0
  sent = {}
  got = {}
  bad = 0
  firstbad = ""
end
function request()
  n = n + 1
  local kind = KINDS[n % #KINDS + 1]
  if n % listingEvery == 0 then kind = "listing" end
  sent[kind] = (sent[kind] or 0) + 1
  return requests[kind]
end
local function classify(status, headers, size)
  if status == 304 then return size == 0 and "notmodified" or nil end
  if status == 404 then return size <= 16384 and "notfound" or nil end
  local h = {}
  for name, value in pairs(headers) do h[string.lower(name)] = value end
  if status == 206 then
    local cr = h["content-range"] or ""
    if size == rangeSize and string.sub(cr, 1, #contentRange) == contentRange then return "range" end
    return nil
  end
  if status ~= 200 then return nil end
  local encoding = h["content-encoding"]
  if encoding == "br" or encoding == "gzip" then
    return (size > 0 and size < mediumSize) and "compressed" or nil
  end
  if encoding ~= nil and encoding ~= "identity" then return nil end
  if size == smallSize then return "small" end
  if size == mediumSize then return "medium" end
  if size >= listingMin and string.find(h["content-type"] or "", "text/html", 1, true) then
    return "listing"
  end
  return nil
end
function response(status, headers, body)
  local class = classify(status, headers, #body)
  if class == nil then
    bad = bad + 1
    if firstbad == "" then firstbad = "status " .. status .. ", " .. #body .. " bytes" end
  else
    got[class] = (got[class] or 0) + 1
  end
end
local function add(into, from)
  for k, v in pairs(from or {}) do into[k] = (into[k] or 0) + v end
end
local function json(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s":%.0f', k, v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end
function done(summary, latency, requests)
  local sent, got, bad, firstbad = {}, {}, 0, ""
  for _, t in ipairs(threads) do
    add(sent, t:get("sent"))
    add(got, t:get("got"))
    bad = bad + (t:get("bad") or 0)
    if firstbad == "" then firstbad = t:get("firstbad") or "" end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%.0f,"durationUs":%.0f,"status4xx5xx":%.0f,"socketErrors":%.0f,' ..
    '"timeouts":%.0f,"p50Us":%.0f,"p99Us":%.0f,"bad":%.0f,"firstBad":"%s","sent":%s,"got":%s}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), bad, firstbad, json(sent), json(got)))
end
`;

interface MixSummary extends WrkCounters {
  firstBad: string;
  sent: Partial<Record<Kind, number>>;
  got: Partial<Record<ResponseClass, number>>;
}

export async function writeSoakScript(dir: string): Promise<string> {
  const path = join(dir, 'soak.lua');
  await writeFile(path, SOAK_LUA);
  return path;
}

/** The Content-Encoding the server picks for /medium.txt when the client takes br or gzip. */
function probeEncoding(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const headers = { 'Accept-Encoding': 'br, gzip' };
    const req = get({ host: '127.0.0.1', port, path: '/medium.txt', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['content-encoding']));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
  });
}

function expectedClass(kind: Kind, compresses: boolean): ResponseClass {
  if (kind === 'revalidate') return 'notmodified';
  // A server without compression (the naive one) answers with the plain 64 KiB file.
  if (kind === 'compressed' && !compresses) return 'medium';
  return kind;
}

/** Why the mix can't be trusted, or undefined when every response was the expected kind. */
function judgeMix(raw: MixSummary, compresses: boolean): string | undefined {
  if (raw.requests === 0) return 'no complete response';
  if (raw.bad > 0) return `${raw.bad} responses fit no request kind (first: ${raw.firstBad})`;
  const expected = new Map<ResponseClass, number>(CLASSES.map((c) => [c, 0]));
  for (const kind of KINDS) {
    const cls = expectedClass(kind, compresses);
    expected.set(cls, (expected.get(cls) ?? 0) + (raw.sent[kind] ?? 0));
  }
  let unanswered = 0;
  for (const [cls, requests] of expected) {
    const responses = raw.got[cls] ?? 0;
    if (responses > requests)
      return `${responses} "${cls}" responses, but only ${requests} requests expect one`;
    unanswered += requests - responses;
  }
  // One request per connection may still be waiting for its response when wrk stops, and wrk
  // calls request() once more before the run to check what the script returns (-t1: once).
  if (unanswered > SOAK_CONNECTIONS + 1) return `${unanswered} requests got no response`;
  if (raw.status4xx5xx !== (raw.got.notfound ?? 0)) {
    return `${raw.status4xx5xx} 4xx/5xx responses, but ${raw.got.notfound ?? 0} expected 404s`;
  }
  return undefined;
}

async function runMix(
  script: string,
  url: string,
  options: { seconds: number; etag: string; files: SoakFiles },
): Promise<MixSummary> {
  const { files } = options;
  const args = [
    '-t1',
    `-c${SOAK_CONNECTIONS}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    url,
    '--',
    options.etag,
    String(files.range[0]),
    String(files.range[1]),
    String(files.smallSize),
    String(files.mediumSize),
    String(files.listingMin),
    String(LISTING_EVERY),
  ];
  return (await wrkSummary(args, {})) as MixSummary;
}

/**
 * Opens a connection, sends `head` and drops the connection: after the first bytes of the
 * response when `expect` is given (they must start with that status line), else at once,
 * with the request still incomplete. Returns what went wrong, if anything.
 */
function abortOne(port: number, head: string, expect: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (problem: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(
      () => finish(`no answer within ${ABORT_TIMEOUT_MS} ms to ${head.split('\r')[0]}`),
      ABORT_TIMEOUT_MS,
    );
    socket.on('error', (error) => finish(`aborted connection failed early: ${error.message}`));
    socket.on('connect', () => {
      socket.write(head, () => {
        if (expect === undefined) setTimeout(() => finish(undefined), 10);
      });
    });
    socket.once('data', (chunk: Buffer) => {
      const line = chunk.toString('latin1').split('\r\n', 1)[0] ?? '';
      finish(expect !== undefined && line.startsWith(expect) ? undefined : `aborted request got "${line}"`);
    });
  });
}

const ABORTS: ReadonlyArray<readonly [string, string | undefined]> = [
  ['GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'HTTP/1.1 200'],
  ['GET /medium.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: br, gzip\r\n\r\n', 'HTTP/1.1 200'],
  ['GET /medium.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n', undefined],
];

/** Aborts a connection every ABORT_EVERY_MS until `signal` fires, rotating over ABORTS. */
async function abortLoop(port: number, signal: AbortSignal): Promise<{ count: number; failure?: string }> {
  let count = 0;
  while (!signal.aborted) {
    const [head, expect] = ABORTS[count % ABORTS.length] ?? ABORTS[0] ?? ['', undefined];
    const failure = await abortOne(port, head, expect);
    if (failure !== undefined) return { count, failure };
    count++;
    await delay(ABORT_EVERY_MS, undefined, { signal }).catch(() => undefined);
  }
  return { count };
}

/** Largest sample whose time (s since the start) falls in [from, to]. */
function maxBetween(samples: ReadonlyArray<{ t: number; mib: number }>, from: number, to: number): number {
  return Math.max(...samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.mib));
}

function summarise(samples: ReadonlyArray<{ t: number; mib: number }>, seconds: number): SoakMemory {
  const third = seconds / 3;
  const first = maxBetween(samples, 0, third);
  const middle = maxBetween(samples, third + 1e-9, 2 * third - 1e-9);
  const last = maxBetween(samples, 2 * third, Number.POSITIVE_INFINITY);
  const growthMiB = last - first;
  return {
    startMiB: samples[0]?.mib ?? Number.NaN,
    firstThirdMaxMiB: first,
    middleThirdMaxMiB: middle,
    lastThirdMaxMiB: last,
    growthMiB,
    // The thirds' middles are two thirds of the run apart.
    growthMiBPerMinute: growthMiB / ((2 * third) / 60),
    rising: middle - first >= RISE_STEP_MIB && last - middle >= RISE_STEP_MIB,
    samples: samples.length,
  };
}

/**
 * Warms the server up with the same mix for `warmup` seconds, then runs it for `seconds` while
 * sampling RSS (the first sample is the start) and aborting connections on the side.
 */
export async function runSoak(
  script: string,
  target: SoakTarget,
  options: { seconds: number; warmup: number; files: SoakFiles },
): Promise<SoakResult> {
  const url = `http://127.0.0.1:${target.port}/`;
  const mix = { etag: target.etag, files: options.files };
  const compresses = (await probeEncoding(target.port)) !== undefined;
  try {
    if (options.warmup > 0) {
      const failure = judgeMix(await runMix(script, url, { ...mix, seconds: options.warmup }), compresses);
      if (failure !== undefined) return { error: `warm-up: ${failure}` };
    }
    const started = performance.now();
    const samples = [{ t: 0, mib: rssMiB(target.pid) }];
    const sample = (): void => {
      samples.push({ t: (performance.now() - started) / 1000, mib: rssMiB(target.pid) });
    };
    const sampler = setInterval(sample, SAMPLE_EVERY_MS);
    const stopAborts = new AbortController();
    const aborts = abortLoop(target.port, stopAborts.signal);
    const cpuBefore = cpuMs(target.pid);
    let raw: MixSummary;
    try {
      raw = await runMix(script, url, { ...mix, seconds: options.seconds });
    } finally {
      clearInterval(sampler);
      stopAborts.abort();
    }
    sample();
    const cpuUsPerRequest = ((cpuMs(target.pid) - cpuBefore) * 1000) / raw.requests;
    const aborted = await aborts;
    const failure = judgeMix(raw, compresses) ?? aborted.failure;
    if (failure !== undefined) return { error: failure };
    const seconds = raw.durationUs / 1e6;
    return {
      requests: raw.requests,
      requestsPerSecond: raw.requests / seconds,
      p50Ms: raw.p50Us / 1000,
      p99Ms: raw.p99Us / 1000,
      cpuUsPerRequest,
      aborted: aborted.count,
      sent: raw.sent,
      memory: summarise(samples, options.seconds),
      warning:
        raw.socketErrors + raw.timeouts > 0
          ? `${raw.socketErrors} socket errors, ${raw.timeouts} timeouts`
          : undefined,
    };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
