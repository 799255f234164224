import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Integration and end-to-end files start real servers; each file gets its own.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
