// rollup.config.mjs: bundles the compiled CLI (dist/src/cli/index.js) into dist/cli for `npm run build`.
// The CLI starts from two files, the entry and one chunk of everything a plain start runs; each
// capability loaded on demand (listing, live reload, TLS, auth, config, proxy, upload, zip,
// export, sharing) is a chunk of its own that imports from that one. (esbuild, used before,
// cut the start-up code into a dozen small chunks by which lazy modules shared them, and each
// file costs a start about half a millisecond.) Packages and node: modules stay imports.
import { rmSync } from 'node:fs';

const OUT = 'dist/cli';
rmSync(OUT, { recursive: true, force: true });

/** Everything that is not our own compiled file: node: built-ins and npm packages. */
const external = (id) => !id.startsWith('.') && !id.startsWith('/');

/** A warning is a mistake in the build (a missing export, a circular import): stop on it. */
const onwarn = (warning) => {
  throw new Error(`rollup: ${warning.code}: ${warning.message}`);
};

export default [
  {
    input: { cli: 'dist/src/cli/index.js' },
    external,
    onwarn,
    output: { dir: OUT, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
  },
  {
    // The listing's read worker runs in a thread of its own: one file, sharing nothing.
    input: { 'read-worker': 'dist/src/listing/read-worker.js' },
    external,
    onwarn,
    output: { dir: OUT, format: 'es', entryFileNames: '[name].js', inlineDynamicImports: true },
  },
];
