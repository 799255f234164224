import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Ensures a Redis 8 binary (built once, then cached) before any file starts a server. Only the
 * projects that start servers carry it: `npm run test:unit` must not build Redis (about two minutes
 * on a fresh machine).
 */
const ensureRedis = 'test/support/global-setup.ts';

/**
 * The layers of STYLE #9 as vitest projects; `npm test` runs them all, `vitest run --project <name>`
 * one of them. Files that start servers use `forks`: the local stack writes `process.env` (what the
 * handlers read, as in Lambda), so each file needs its own process.
 */
export default defineConfig({
  resolve: {
    // The AI SDK integration imports the SDK by its package name, as it will once published, and its
    // example imports the integration so; in the repository both are their sources (tsconfig.json
    // maps the same names for tsc and tsx).
    alias: {
      '@agent-memory/sdk': fileURLToPath(new URL('./sdk/src/index.ts', import.meta.url)),
      '@agent-memory/ai-sdk': fileURLToPath(new URL('./ai-sdk/src/index.ts', import.meta.url)),
    },
  },
  test: {
    // A passing test prints nothing (the service's JSON log lines included); a failing test's logs
    // are printed with its failure. Works for console.* and process.stdout/stderr writes alike.
    silent: 'passed-only',
    // The service's loggers write to process.stdout/stderr, which vitest does not intercept.
    setupFiles: ['test/support/quiet-output.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    tags: [
      {
        name: 'slow',
        description:
          'Waits for real time to pass (TTL expiry in Redis, key grace periods): seconds of sleep, skipped by `npm run test:fast`.',
      },
    ],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The property-based contract suite alone takes about a minute of CPU: its own project.
          exclude: ['test/unit/**/*-fuzz.test.ts'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'fuzz',
          include: ['test/unit/**/*-fuzz.test.ts'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          // synth-fixture.ts is a helper, not a test file.
          include: ['test/infra/**/*.test.ts'],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'sdk',
          include: ['test/sdk/**/*.test.ts'],
          globalSetup: [ensureRedis],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'ai-sdk',
          // @agent-memory/ai-sdk (ai-sdk/) against the local stack, with the AI SDK's mock model.
          include: ['test/ai-sdk/**/*.test.ts'],
          globalSetup: [ensureRedis],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'emulators',
          // The emulators of dev/local-stack (and the offline models behind the Bedrock fake),
          // tested on their own.
          include: ['test/emulators/**/*.test.ts'],
          globalSetup: [ensureRedis],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: [ensureRedis],
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: [ensureRedis],
          pool: 'forks',
        },
      },
    ],
  },
});
