/**
 * Builds the patient portal and the chat widget once before the browser tests (vitest globalSetup)
 * into a temp folder of their own, so the tests serve the current source and never race with
 * another build of server/portal/dist. A few seconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The portal build (index.html, assets/, widget.js, widget-cards.js, embed-demo.html) the browser tests serve. */
    portalDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'carebridge-portal-build-'));
  // Vite follows NODE_ENV, which vitest sets to 'test': build what users get, not React's dev build.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    for (const config of ['../vite.config.ts', '../vite.widget.config.ts', '../vite.widget-cards.config.ts']) {
      await build({
        configFile: fileURLToPath(new URL(config, import.meta.url)),
        mode: 'production',
        logLevel: 'warn',
        build: { outDir, emptyOutDir: config === '../vite.config.ts' },
      });
    }
  } finally {
    process.env.NODE_ENV = previous;
  }
  project.provide('portalDir', outDir);
  return () => fs.rmSync(outDir, { recursive: true, force: true });
}
