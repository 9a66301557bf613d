#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ can keep the compiled code of the modules below between runs (a cache in the
// temporary folder), which shortens every later start; Node 20 has no such API and skips it.
module.enableCompileCache?.();

// dist/cli is dist/src/cli.js bundled by rollup (npm run build, rollup.config.mjs): a plain
// start reads two files instead of the two dozen modules they are made of, and each optional
// capability is a chunk loaded when used. The library (dist/src) stays unbundled.
const { main } = await import('../dist/cli/cli.js');
await main(process.argv.slice(2));
