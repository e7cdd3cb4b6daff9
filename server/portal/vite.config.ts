/**
 * Builds the patient portal into portal/dist (served at /portal/; /survey/<token> serves its index).
 * The one-tag chat widget is a separate build (vite.widget.config.ts) into the same folder.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/portal/',
  plugins: [react()],
  // public/ (the embed demo page) is copied as is.
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The portal's CSP forbids inline scripts: keep the modulepreload polyfill out.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
