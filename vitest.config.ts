import { configDefaults, defineConfig } from 'vitest/config';

// One suite for both engines: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set. Each
// test file gets its own database, copied from a migrated template that the global setup builds
// once per run (see src/core/testing/templates.ts).
const onPostgres = Boolean(process.env['TEST_DATABASE_URL']);

/** Files whose every test is about PostgreSQL: a PGlite run leaves them out instead of skipping. */
const postgresOnly = [
  'src/core/api/races.test.ts',
  'src/core/db/replicas.test.ts',
  'test/ops/concurrent-migrate.test.ts',
  'test/ops/connection-errors.test.ts',
  'test/ops/database-restart.test.ts',
  'test/ops/haproxy.test.ts',
  'test/ops/workers.test.ts',
];

export default defineConfig({
  test: {
    include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
    exclude: [...configDefaults.exclude, ...(onPostgres ? [] : postgresOnly)],
    // Processes, not threads: tests start servers and subprocesses, send signals and change the
    // working directory (runCommand), which worker threads cannot.
    pool: 'forks',
    maxWorkers: 2,
    // A worker keeps its imported modules from one file to the next: importing the app again
    // for every file took about half the run. Files still share no data (each has its own
    // database), and nothing in src keeps per-test state in a module.
    isolate: false,
    // No test should take over 20 s on a quiet machine; a loaded one (two cores shared with
    // other work) can make it three times slower. Longer than this is a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['src/core/testing/global-setup.ts'],
    setupFiles: ['src/core/testing/setup.ts'],
    reporters: [
      'default',
      [
        './src/core/testing/skip-summary-reporter.ts',
        {
          engine: onPostgres ? 'PostgreSQL' : 'PGlite',
          otherEngine: {
            name: 'PostgreSQL',
            files: onPostgres ? [] : postgresOnly,
            command: 'npm run test:pg',
          },
        },
      ],
    ],
  },
});
