import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/src/**/*.test.ts', 'desktop/src/**/*.test.ts', 'scripts/**/*.test.ts', 'desktop/e2e/**/*.test.ts', 'server/portal/**/*.test.ts'],
    testTimeout: 30_000,
    // Browser tests poll for what a user would see; on a busy 2-core machine a round trip through the
    // server, the socket and React can take longer than vitest's default second.
    expect: { poll: { timeout: 5_000 } },
    hookTimeout: 60_000,
    pool: 'forks',
    // Build the desktop renderer and the patient portal + chat widget once for the browser tests.
    globalSetup: ['desktop/e2e/global-setup.ts', 'server/portal/e2e/global-setup.ts'],
  },
});
