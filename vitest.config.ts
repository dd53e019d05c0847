import { defineConfig } from 'vitest/config';

// One suite for both engines: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set.
// Each test file creates its own database (see src/core/testing/test-database.ts).
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
