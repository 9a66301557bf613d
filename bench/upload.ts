// bench/upload.ts
// `--only upload`: one big PUT to `serve-here --upload` from a file on disk, timed from the
// first byte sent to the 201, with the server's peak RSS; and `cp` of the same file plus an
// fsync (serve-here flushes every upload) as the physical yardstick on the same disk.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { rssMiB } from './servers.js';

const BIN = fileURLToPath(new URL('../../bin/serve-here.js', import.meta.url));
const MIB = 1024 * 1024;

export interface UploadBench {
  readonly bytes: number;
  readonly uploadMBps: number;
  readonly peakRssMiB: number;
  readonly idleRssMiB: number;
  readonly cpMBps: number;
}

/** Runs the upload bench on a file of `sizeMiB` MiB (1024 in a full run). */
export async function benchUpload(sizeMiB: number): Promise<UploadBench> {
  const scratch = await mkdtemp(join(tmpdir(), 'serve-here-upload-bench-'));
  try {
    const source = join(scratch, 'source.bin');
    await writeSource(source, sizeMiB);
    const bytes = (await stat(source)).size;

    const cpStart = performance.now();
    const cp = spawnSync('cp', [source, join(scratch, 'copy.bin')]);
    if (cp.status !== 0) throw new Error(`cp failed: ${cp.stderr}`);
    await fsync(join(scratch, 'copy.bin'));
    const cpMs = performance.now() - cpStart;
    await rm(join(scratch, 'copy.bin'));

    const root = join(scratch, 'root');
    await mkdir(root);
    const child = spawn(
      process.execPath,
      [BIN, root, '--port', '0', '--upload', '--quiet', '--max-upload', '8G'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      let banner = '';
      child.stdout.setEncoding('utf8');
      let port: number | undefined;
      while (port === undefined) {
        const [chunk] = (await once(child.stdout, 'data')) as [string];
        banner += chunk;
        const match = /:(\d+)\//.exec(banner);
        if (match !== null) port = Number(match[1]);
      }
      const idleRssMiB = rssMiB(child.pid as number);
      const started = performance.now();
      const status = await put(port, source, bytes);
      const uploadMs = performance.now() - started;
      if (status !== 201) throw new Error(`the PUT got ${status}, not 201`);
      const peakRssMiB = rssMiB(child.pid as number, 'VmHWM');
      const stored = (await stat(join(root, 'upload.bin'))).size;
      if (stored !== bytes) throw new Error(`stored ${stored} bytes of ${bytes}`);
      return {
        bytes,
        uploadMBps: bytes / 1e6 / (uploadMs / 1000),
        peakRssMiB,
        idleRssMiB,
        cpMBps: bytes / 1e6 / (cpMs / 1000),
      };
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Report lines for the bench's output. */
export function formatUploadBench(result: UploadBench): string {
  const size =
    result.bytes >= 1024 * MIB ? `${result.bytes / (1024 * MIB)} GiB` : `${result.bytes / MIB} MiB`;
  return [
    '',
    `Upload: one PUT of ${size} from a file (node:http client) to serve-here --upload`,
    `  serve-here  ${result.uploadMBps.toFixed(0).padStart(5)} MB/s   peak RSS ${result.peakRssMiB.toFixed(0)} MiB (idle ${result.idleRssMiB.toFixed(0)} MiB)`,
    `  cp + fsync  ${result.cpMBps.toFixed(0).padStart(5)} MB/s   (the same file on the same disk: the physical yardstick)`,
    '',
  ].join('\n');
}

/** A file of incompressible-looking bytes (a 1 MiB pseudo-random block, repeated). */
async function writeSource(path: string, sizeMiB: number): Promise<void> {
  const block = Buffer.alloc(MIB);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    block.writeUInt32LE(x >>> 0, i);
  }
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < sizeMiB; i++) await handle.write(block);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  await handle.sync();
  await handle.close();
}

async function put(port: number, source: string, bytes: number): Promise<number> {
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'PUT',
    path: '/upload.bin',
    headers: { 'Content-Length': String(bytes) },
  });
  const response = once(req, 'response');
  await pipeline(createReadStream(source, { highWaterMark: MIB }), req);
  const [res] = (await response) as [import('node:http').IncomingMessage];
  res.resume();
  await once(res, 'end');
  return res.statusCode ?? 0;
}
