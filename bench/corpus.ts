// bench/corpus.ts
// Builds the benchmark's files in a fresh temporary folder: text files of 1 KiB and 64 KiB
// (compressible, for the Accept-Encoding runs), a 100 MiB binary file and a 10,000-file folder.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SMALL_SIZE = 1024;
export const MEDIUM_SIZE = 64 * 1024;
export const BIG_SIZE = 100 * 1024 * 1024;
export const LISTED_FILES = 10_000;

export interface Corpus {
  readonly root: string;
  remove(): Promise<void>;
}

const WORDS = 'static file server range etag listing folder request response byte cache header'.split(' ');

/** Text that looks like prose, so that brotli and gzip have something to do. */
function prose(size: number): Buffer {
  let text = '';
  for (let i = 0; text.length < size; i++) {
    text += `${WORDS[(i * 7 + (i >> 3)) % WORDS.length]}${i % 13 === 12 ? '\n' : ' '}`;
  }
  return Buffer.from(text.slice(0, size), 'latin1');
}

/** Writes `size` bytes of random data, 1 MiB at a time (random, so nothing compresses it). */
async function writeRandom(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const block = randomBytes(1024 * 1024);
  for (let written = 0; written < size; written += block.length) {
    if (!out.write(block.subarray(0, Math.min(block.length, size - written)))) {
      await once(out, 'drain');
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Creates the corpus; the caller removes it. */
export async function createCorpus(): Promise<Corpus> {
  const root = await mkdtemp(join(tmpdir(), 'serve-here-bench-'));
  await writeFile(join(root, 'small.txt'), prose(SMALL_SIZE));
  await writeFile(join(root, 'medium.txt'), prose(MEDIUM_SIZE));
  await writeRandom(join(root, 'big.bin'), BIG_SIZE);
  const many = join(root, 'many');
  await mkdir(many);
  const names = Array.from({ length: LISTED_FILES }, (_, i) => `f${String(i).padStart(5, '0')}.txt`);
  // 100 at a time: fast, without running into the descriptor limit.
  for (let i = 0; i < names.length; i += 100) {
    await Promise.all(names.slice(i, i + 100).map((name) => writeFile(join(many, name), name)));
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
