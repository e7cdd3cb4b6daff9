/**
 * Builds the Adaptive Cards renderer of the one-tag widget into ONE classic script,
 * portal/dist/widget-cards.js (served at /widget-cards.js), apart from /widget.js: the
 * `adaptivecards` package is large, so the widget loads it only when a bot message carries a card
 * (see src/widget/card-loader.ts). Run after the portal build, which empties dist/.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  publicDir: false,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2020',
    sourcemap: false,
    minify: true,
    lib: {
      entry: fileURLToPath(new URL('./src/widget/cards-entry.ts', import.meta.url)),
      name: 'CarebridgeWidgetCards',
      formats: ['iife'],
      fileName: () => 'widget-cards.js',
    },
  },
});
