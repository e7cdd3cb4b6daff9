/**
 * Builds the embeddable chat widget into ONE classic script, portal/dist/widget.js (served at
 * /widget.js): framework-free, socket.io-client bundled in, no CSS file (styles live in the script
 * and go into the widget's shadow root). Run after the portal build, which empties dist/.
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
      entry: fileURLToPath(new URL('./src/widget/embed.ts', import.meta.url)),
      name: 'CarebridgeWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
