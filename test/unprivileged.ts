// test/unprivileged.ts
// Where a test runs serve-here as a user who may not read what it is refused. Root may read
// anything, so as root those tests run serve-here as the unprivileged user 65534. That user
// must be able to read the server it runs, and the checkout may sit where it cannot (a clone in
// a mode-700 folder, or under /root): so it runs a copy of the built server (package.json, bin,
// dist, the runtime node_modules) in a temporary folder anyone may read.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The user id (and group id) root hands the server to: `nobody` on Linux. */
export const NOBODY = 65534;

const PROJECT = fileURLToPath(new URL('../../', import.meta.url));

/** Who runs the server under test, and from where. */
export type Unprivileged =
  /** Not root: this process cannot read what it is refused either, so the server runs in place. */
  | { readonly kind: 'self'; readonly project: string }
  /** Root: the server runs as NOBODY from `project`, a readable copy. */
  | { readonly kind: 'nobody'; readonly uid: number; readonly project: string }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * Arranges an unprivileged run for one test; the copy is removed after it. `skip` says why none
 * could be arranged (the test then skips with that reason rather than fail for the wrong one).
 */
export async function unprivileged(t: Pick<TestContext, 'after'>): Promise<Unprivileged> {
  if (process.getuid?.() !== 0) return { kind: 'self', project: PROJECT };
  const copy = await mkdtemp(join(tmpdir(), 'serve-here-nobody-'));
  t.after(() => rm(copy, { recursive: true, force: true }));
  await chmod(copy, 0o755); // mkdtemp makes it 0700
  for (const part of ['package.json', 'bin', 'dist/cli', 'dist/src']) {
    await cp(join(PROJECT, part), join(copy, part), { recursive: true });
  }
  for (const dir of runtimePackages()) {
    await cp(join(PROJECT, dir), join(copy, dir), { recursive: true });
  }
  // Ask the user itself: the temporary folder or node's own path may be closed to it.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      'require("node:fs").accessSync(process.argv[1], require("node:fs").constants.R_OK)',
      join(copy, 'bin/serve-here.js'),
    ],
    { uid: NOBODY, gid: NOBODY, stdio: 'ignore' },
  );
  if (probe.error !== undefined || probe.status !== 0) {
    const why =
      probe.error === undefined ? `cannot read files in ${tmpdir()}` : `cannot run ${process.execPath}`;
    return { kind: 'skip', reason: `running as root, and user ${NOBODY} ${why}` };
  }
  return { kind: 'nobody', uid: NOBODY, project: copy };
}

/**
 * The node_modules folders the built server may load: the package's dependencies and theirs,
 * as npm laid them out (a package's own node_modules first, then the top level).
 */
function runtimePackages(): string[] {
  const found = new Set<string>();
  const visit = (fromDir: string, deps: Record<string, string> | undefined): void => {
    for (const name of Object.keys(deps ?? {})) {
      const nested = join(fromDir, 'node_modules', name);
      const dir = existsSync(join(PROJECT, nested)) ? nested : join('node_modules', name);
      if (found.has(dir)) continue;
      found.add(dir); // copied whole, with any node_modules of its own
      visit(dir, readManifest(dir).dependencies);
    }
  };
  visit('', readManifest('').dependencies);
  return [...found];
}

function readManifest(dir: string): { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(PROJECT, dir, 'package.json'), 'utf8'));
}
