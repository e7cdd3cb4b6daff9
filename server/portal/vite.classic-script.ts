/**
 * The shared shape of the widget's builds: ONE classic script (an IIFE) in dist/, minified, with no
 * CSS file and nothing copied from public/. Run after the portal build, which empties dist/.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

export function classicScriptConfig(options: { entry: string; name: string; fileName: string }): UserConfig {
  return defineConfig({
    root: fileURLToPath(new URL('.', import.meta.url)),
    publicDir: false,
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2020',
      sourcemap: false,
      minify: true,
      lib: {
        entry: fileURLToPath(new URL(options.entry, import.meta.url)),
        name: options.name,
        formats: ['iife'],
        fileName: () => options.fileName,
      },
    },
  });
}
