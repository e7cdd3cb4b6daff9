/**
 * Builds the renderer into dist/renderer. Base './' keeps asset URLs relative, so the same build
 * runs at the server's /desk/ and under the desktop app's app://desk/ protocol.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The CSP forbids inline scripts and data: scripts: keep the modulepreload polyfill out.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  // Monaco's editor worker (common/CodeEditor.tsx) is a module worker with chunks of its own.
  worker: { format: 'es' },
});
