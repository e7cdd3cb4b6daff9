// Lint rules, including the import boundaries of DESIGN.md:
// - server contracts are pure: they import nothing from the apps or from node:*
// - the desktop renderer never imports main, preload, electron or node:*
// - only desktop/src/main/platform (and the preload entry) import electron
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import carebridge from './eslint/module-boundaries.js';

// ============================================================================================
// Desktop renderer: runtime and feature boundaries (desktop/src/renderer/README.md, "Import rules").
// Self-contained: this block and the `...rendererImportRules` line below are the renderer's part.
// - DOM only: no node:*, electron, main or preload.
// - Outside features/<x>/, only features/<x>/index.ts may be imported (its public door).
// - common/ and api/ import no feature; features, common/ and api/ never import the composition
//   root (store, App, listeners, workspaces, context-panels, Shell), which imports them.
// ESLint uses the last config object that sets a rule for a file, so every object below repeats
// the DOM-only patterns. Relative specifiers are matched as written, hence one object per folder
// depth inside a feature.
const RENDERER = 'desktop/src/renderer';
const domOnly = [
  { group: ['node:*'], message: 'the renderer runs in a browser: no Node built-ins.' },
  { group: ['electron'], message: 'the renderer never imports electron; use window.carebridge.' },
  { group: ['**/main/**', '**/preload/**'], message: 'the renderer never imports main or preload.' },
];
const featureDoor = {
  group: ['**/features/*/**', '!**/features/*/index.js'],
  message: "outside a feature, import only its index.ts (its public door): '…/features/<name>/index.js'.",
};
const noCompositionRoot = {
  group: ['**/app/store.js', '**/app/App.js', '**/app/listeners.js', '**/app/workspaces.js', '**/app/context-panels.js', '**/app/shell/Shell.js'],
  message: 'the composition root imports features, common/ and api/, not the other way round (an import cycle): use app/hooks.ts and app/root-state.ts.',
};
/** For a file `depth` folders below features/<x>/ (1 = directly in it): other features are `../…/<y>/`. */
const otherFeatureFrom = (depth) => {
  const up = '../'.repeat(depth);
  return {
    group: [`${up}*/**`, `!${up}*/index.js`, `!${up}../**`, ...featureDoor.group],
    message: "another feature's internals: import its index.ts (its public door) instead.",
  };
};
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [...domOnly, ...patterns] }] });
const FEATURE_DEPTHS = [1, 2, 3, 4];
const rendererImportRules = [
  {
    files: [`${RENDERER}/**/*.{ts,tsx}`],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(featureDoor),
  },
  {
    files: [`${RENDERER}/common/**/*.{ts,tsx}`, `${RENDERER}/api/**/*.{ts,tsx}`],
    rules: restrict({ group: ['**/features/**'], message: 'common/ and api/ import no feature: move what both need into common/ (or app/ for app-wide state).' }, noCompositionRoot),
  },
  ...FEATURE_DEPTHS.map((depth) => ({
    files: [`${RENDERER}/features/*/${'*/'.repeat(depth - 1)}*.{ts,tsx}`],
    rules: restrict(otherFeatureFrom(depth), noCompositionRoot),
  })),
];
// ============================================================================================

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['server/src/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'contracts are pure: no Node built-ins.' },
          { group: ['../*', '!./*'], message: 'contracts import nothing from the rest of the server.' },
          { group: ['electron', '@carebridge/desktop*'], message: 'contracts import nothing from the apps.' },
        ],
      }],
    },
  },
  // --- desktop renderer: runtime and feature boundaries (defined in the renderer block above) ---
  ...rendererImportRules,
  // --- end desktop renderer ---
  {
    files: ['desktop/src/**/*.{ts,tsx}'],
    // The preload entry is the other runtime that must reach Electron (contextBridge, ipcRenderer).
    ignores: ['desktop/src/main/platform/**', 'desktop/src/preload/index.ts', 'desktop/src/renderer/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['electron'], message: 'only desktop/src/main/platform imports electron.' }],
      }],
    },
  },
  {
    // The patient portal and the chat widget run in browsers (often on other sites' pages).
    files: ['server/portal/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*'], message: 'the portal and widget run in a browser: no Node built-ins.' },
          { group: ['**/src/*/**', '!**/src/contracts/**', '!./**', '!../widget/**', '!../portal/**'], message: 'the portal imports only contracts from the server.' },
        ],
      }],
    },
  },
  // The patient portal's layout (server/portal/README.md): app/, api/, common/, features/<name>/.
  // Outside a feature folder only its index.ts may be imported; api/ and common/ import no feature.
  // This uses typescript-eslint's no-restricted-imports, so the block above still applies here
  // instead of being replaced. Relative paths: assumes flat feature folders (features/<name>/*).
  {
    files: ['server/portal/src/portal/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/features/*/**', '!**/features/*/index.js'], message: 'import a portal feature only through its index.ts.' },
          // From inside features/<name>/: another feature is ../<other>/…
          { regex: '^\\.\\./(?!(?:app|api|common|features)/)[^./][^/]*/(?!index\\.js$)', message: 'import another portal feature only through its index.ts.' },
        ],
      }],
    },
  },
  {
    files: ['server/portal/src/portal/api/**/*.{ts,tsx}', 'server/portal/src/portal/common/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/features', '**/features/**'], message: 'portal api/ and common/ import no feature: features build on them.' }],
      }],
    },
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/contracts/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['electron', '@carebridge/desktop*'], message: 'the server never imports the desktop app.' }],
      }],
    },
  },
  {
    // Server module boundaries (docs/architecture.md): other domains only through their index.ts,
    // platform/ and contracts/ import no domain.
    files: ['server/src/**/*.ts', 'scripts/**/*.ts', 'desktop/e2e/**/*.ts', 'server/portal/e2e/**/*.ts'],
    plugins: { carebridge },
    rules: { 'carebridge/module-boundaries': ['error', { root: 'server/src' }] },
  },
);
