/**
 * Entry point of the Electron main process (bundled to dist/main/index.cjs). Runtime: main.
 * `import.meta.dirname` becomes `__dirname` in the CommonJS bundle (see desktop/build/build-main.mjs).
 */
import path from 'node:path';
import { startDesktopApp } from './platform/desktop-app.js';

process.on('uncaughtException', (err) => console.error(`Carebridge main process error: ${err.name}: ${err.message}`));
startDesktopApp({ distDir: path.resolve(import.meta.dirname, '..') }).catch((err: unknown) => {
  console.error(`Carebridge could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
