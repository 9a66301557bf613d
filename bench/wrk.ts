// bench/wrk.ts
// Runs one wrk measurement and checks it: a Lua script counts responses whose status is not the
// expected one, and the bytes wrk read must fit the expected body size times the requests, so
// an error page or an ignored Range can never count as speed.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Per-thread counters, summed in done(). The `response` hook makes wrk copy every body into
 * Lua, which is cheap for small bodies but would cap the 100 MiB run; BENCH_HOOK turns it off
 * there and the byte check (plus wrk's own count of 4xx/5xx) carries the weight.
 */
const CHECK_LUA = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  expected = tonumber(args[1])
  bad = 0
  firstbad = 0
end
if os.getenv("BENCH_HOOK") == "1" then
  function response(status, headers, body)
    if status ~= expected then
      bad = bad + 1
      if firstbad == 0 then firstbad = status end
    end
  end
end
function done(summary, latency, requests)
  local bad, firstbad = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("bad") or 0)
    local f = t:get("firstbad") or 0
    if firstbad == 0 then firstbad = f end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%.0f,"bytes":%.0f,"durationUs":%.0f,"status4xx5xx":%.0f,' ..
    '"socketErrors":%.0f,"timeouts":%.0f,"p50Us":%.0f,"p99Us":%.0f,"bad":%.0f,"firstBad":%.0f}\\n',
    summary.requests, summary.bytes, summary.duration, e.status,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), bad, firstbad))
end
`;

export interface WrkRequest {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly expectStatus: number;
  /** Smallest and largest acceptable body, in bytes. */
  readonly body: { readonly min: number; readonly max: number };
  /** Check every status in Lua (see CHECK_LUA); off for large bodies. */
  readonly statusHook: boolean;
}

export interface WrkResult {
  readonly requests: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Decimal megabytes (10^6 bytes) per second, headers included. */
  readonly megabytesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Average bytes per response, headers included. */
  readonly bytesPerResponse: number;
  /** Why the run can't be trusted, or undefined when every check passed. */
  readonly failure: string | undefined;
  /** Non-fatal oddities (socket errors at the end of a run). */
  readonly warning: string | undefined;
}

/** The counters every BENCH_JSON line carries, whichever Lua script wrote it. */
export interface WrkCounters {
  requests: number;
  durationUs: number;
  status4xx5xx: number;
  socketErrors: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
  bad: number;
}

interface RawSummary extends WrkCounters {
  bytes: number;
  firstBad: number;
}

/** Room for a response's status line and headers on top of its body. */
const HEADER_ALLOWANCE = 768;

export async function writeCheckScript(dir: string): Promise<string> {
  const path = join(dir, 'check.lua');
  await writeFile(path, CHECK_LUA);
  return path;
}

/** Runs wrk with one thread (the other core is the server's) and validates the result. */
export async function runWrk(script: string, request: WrkRequest): Promise<WrkResult> {
  const headerArgs = Object.entries(request.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const args = [
    '-t1',
    `-c${request.connections}`,
    `-d${request.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    script,
    ...headerArgs,
    request.url,
    '--',
    String(request.expectStatus),
  ];
  const summary = await wrkSummary(args, { BENCH_HOOK: request.statusHook ? '1' : '0' });
  return judge(summary as RawSummary, request);
}

/** Runs wrk and returns the JSON that the Lua script's done() printed after "BENCH_JSON ". */
export async function wrkSummary(
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<unknown> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('wrk', args, { env: { ...process.env, ...env }, maxBuffer: 1 << 20 }, (error, out, err) =>
      error ? reject(new Error(`wrk failed: ${err || error.message}`)) : resolve(out),
    );
  });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (line === undefined) throw new Error(`wrk printed no summary:\n${stdout}`);
  return JSON.parse(line.slice('BENCH_JSON '.length));
}

function judge(raw: RawSummary, request: WrkRequest): WrkResult {
  const seconds = raw.durationUs / 1e6;
  const perResponse = raw.requests === 0 ? 0 : raw.bytes / raw.requests;
  let failure: string | undefined;
  const expectedErrors = request.expectStatus >= 400 ? raw.requests : 0;
  if (raw.requests === 0) failure = 'no complete response';
  else if (raw.bad > 0)
    failure = `${raw.bad} responses had status ${raw.firstBad}, not ${request.expectStatus}`;
  else if (raw.status4xx5xx !== expectedErrors)
    failure = `${raw.status4xx5xx} of ${raw.requests} responses were 4xx/5xx (expected ${expectedErrors})`;
  // wrk counts the bytes of responses still in flight when time runs out, hence the slack of
  // one response per connection on the upper bound.
  else if (raw.bytes < raw.requests * request.body.min)
    failure = `${Math.round(perResponse)} bytes per response, expected a body of at least ${request.body.min}`;
  else if (raw.bytes > (raw.requests + request.connections) * (request.body.max + HEADER_ALLOWANCE))
    failure = `${Math.round(perResponse)} bytes per response, expected a body of at most ${request.body.max}`;
  const warning =
    raw.socketErrors + raw.timeouts > 0
      ? `${raw.socketErrors} socket errors, ${raw.timeouts} timeouts`
      : undefined;
  return {
    requests: raw.requests,
    bytes: raw.bytes,
    seconds,
    requestsPerSecond: raw.requests / seconds,
    megabytesPerSecond: raw.bytes / seconds / 1e6,
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    bytesPerResponse: perResponse,
    failure,
    warning,
  };
}
