import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'desktop/src/**/*.test.ts', 'scripts/**/*.test.ts', 'desktop/e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds the desktop renderer once for the browser tests in desktop/e2e.
    globalSetup: ['desktop/e2e/global-setup.ts'],
  },
});
