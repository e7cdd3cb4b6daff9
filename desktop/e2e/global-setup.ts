/**
 * Builds the renderer once before the browser tests (vitest globalSetup) into a temp folder of
 * its own, so the tests always run the current source and never race with another build of
 * desktop/dist/renderer (npm run build, the benchmark, a parallel test run). About a second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The renderer build the browser tests serve at /desk. */
    deskDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-desk-build-'));
  // Vite follows NODE_ENV, which vitest sets to 'test': build what users get, not React's dev build.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    process.env.NODE_ENV = previous;
  }
  project.provide('deskDir', outDir);
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}
