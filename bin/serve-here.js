#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ can keep the compiled code of the modules below between runs (a cache in the
// temporary folder), which shortens every later start; Node 20 has no such API and skips it.
module.enableCompileCache?.();

// dist/cli is dist/src/cli.js bundled by esbuild (npm run build): a handful of files load
// faster than the two dozen modules it is made of. The library (dist/src) stays unbundled.
const { main } = await import('../dist/cli/cli.js');
await main(process.argv.slice(2));
