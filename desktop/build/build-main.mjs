/**
 * Bundles the Electron main process and the preload with esbuild (installed with tsx):
 *   dist/main/index.cjs     main process, CommonJS, everything bundled but `electron`
 *   dist/preload/index.cjs  preload, one CommonJS file, as a sandboxed preload requires
 * Usage: node build/build-main.mjs [--watch]   (npm run build:main -w @carebridge/desktop)
 */
import { build, context } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const desktopDir = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external: ['electron'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: desktopDir,
};

/** @type {Record<'main' | 'preload', import('esbuild').BuildOptions>} */
export const targets = {
  main: {
    ...common,
    entryPoints: ['src/main/index.ts'],
    outfile: 'dist/main/index.cjs',
    // The main entry resolves dist/ from its own location.
    define: { 'import.meta.dirname': '__dirname', 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  },
  // A sandboxed preload may only require a few modules (electron, events, timers, url): bundle all.
  preload: { ...common, entryPoints: ['src/preload/index.ts'], outfile: 'dist/preload/index.cjs', platform: 'browser', minify: true },
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--watch')) {
    for (const options of Object.values(targets)) await (await context(options)).watch();
    process.stdout.write('watching src/main and src/preload\n');
  } else {
    const started = Date.now();
    await Promise.all(Object.values(targets).map((options) => build(options)));
    process.stdout.write(`built dist/main/index.cjs and dist/preload/index.cjs in ${Date.now() - started} ms\n`);
  }
}
