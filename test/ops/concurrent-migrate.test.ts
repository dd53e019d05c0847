import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { installedApps } from '../../src/apps/installed.js';
import { projectMigrations } from '../../src/core/apps/project-migrations.js';
import { MIGRATION_LOCK_KEY as MIGRATION_LOCK, MIGRATIONS_TABLE } from '../../src/core/db/migrate/runner.js';
import { type CliResult, runSlipway, usingLine } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';
import { pollUntil } from './helpers.js';

const PROCESSES = 4;

const files = projectMigrations(installedApps);
/** Every table the migrations create, read from their SQL. */
const tables = files.flatMap((f) =>
  [...f.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)].map((m) => m[1]!),
);

// PostgreSQL only (its advisory lock): vitest.config.ts leaves this file out of PGlite runs.
describe('slipway migrate run by several processes at once', () => {
  const databases: TestDatabase[] = [];
  const clients: pg.Client[] = [];

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await Promise.all(databases.splice(0).map((d) => d.drop()));
  });

  async function connect(url: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    clients.push(client);
    await client.connect();
    return client;
  }

  type TimedRun = CliResult & { startedAt: number; endedAt: number };

  function startMigrations(testDb: TestDatabase): Promise<TimedRun[]> {
    return Promise.all(
      Array.from({ length: PROCESSES }, async () => {
        const startedAt = Date.now();
        const r = await runSlipway(
          ['migrate'],
          { DATABASE_URL: testDb.url },
          { cwd: testDb.tmp, timeoutMs: 60_000 },
        );
        return { ...r, startedAt, endedAt: startedAt + r.durationMs };
      }),
    );
  }

  async function expectMigratedOnce(testDb: TestDatabase, runs: TimedRun[]) {
    for (const r of runs)
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: usingLine(testDb) });
    // Exactly one process applied everything; the others found nothing left to do.
    const appliers = runs.filter((r) => r.stdout.includes(`Applied ${files.length} migration(s).`));
    const idle = runs.filter((r) => r.stdout.trim() === 'No migrations to apply.');
    expect(appliers).toHaveLength(1);
    expect(idle).toHaveLength(PROCESSES - 1);

    const client = await connect(testDb.url);
    const recorded = await client.query<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM ${MIGRATIONS_TABLE} GROUP BY name ORDER BY name`,
    );
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    expect(recorded.rows.sort(byName)).toEqual(files.map((f) => ({ name: f.name, n: 1 })).sort(byName));
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      const found = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table]);
      expect(found.rows[0]?.t, `table ${table}`).toBe(table);
    }
  }

  it('four processes started together all exit 0 and apply each migration exactly once', async () => {
    const testDb = await createTestDatabase();
    databases.push(testDb);

    const runs = await startMigrations(testDb);

    // The processes really ran at the same time: every one started before any one ended.
    expect(Math.max(...runs.map((r) => r.startedAt))).toBeLessThan(Math.min(...runs.map((r) => r.endedAt)));
    await expectMigratedOnce(testDb, runs);
  });

  it('four processes queued on the migration lock all proceed once it is released, applying once', async () => {
    const testDb = await createTestDatabase();
    databases.push(testDb);
    // Hold the lock so that all four are provably inside migrate() at the same moment.
    const holder = await connect(testDb.url);
    await holder.query('SELECT pg_advisory_lock($1, $2)', MIGRATION_LOCK);

    const running = startMigrations(testDb);
    try {
      await pollUntil(
        `${PROCESSES} migrate processes wait on the advisory lock`,
        async () => {
          const { rows } = await holder.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          );
          return rows[0]!.n === PROCESSES ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1, $2)', MIGRATION_LOCK);
    }

    await expectMigratedOnce(testDb, await running);
  });
});
