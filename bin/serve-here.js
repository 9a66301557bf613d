#!/usr/bin/env node
import module from 'node:module';

// Node 22.1+ can keep the compiled code of the modules below between runs (a cache in the
// temporary folder), which shortens every later start; Node 20 has no such API and skips it.
module.enableCompileCache?.();

const { main } = await import('../dist/src/cli.js');
await main(process.argv.slice(2));
