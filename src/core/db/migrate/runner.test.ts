import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../../errors.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { readMigrationFiles } from './files.js';
import { migrateTo } from './rollback.js';
import { migrate, migrationStatus } from './runner.js';

const log = pino({ level: 'silent' });
let testDb: TestDatabase;
let database: Database;
let dir: string;

const write = (name: string, sql: string) => writeFileSync(join(dir, `${name}.sql`), sql);
const tables = async () =>
  (
    await database.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'm\\_%' ORDER BY 1",
    )
  ).map((r) => r.t);

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log, role: 'client' });
  dir = mkdtempSync(join(tmpdir(), 'slipway-migrations-'));
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe(`the migration runner (${process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('applies pending migrations in name order and records each checksum', async () => {
    write('0001_a', 'CREATE TABLE m_a (id int);');
    write('0002_b', 'CREATE TABLE m_b (id int);\n--> statement-breakpoint\nINSERT INTO m_b VALUES (1);');
    const files = readMigrationFiles(dir);
    const order: string[] = [];
    expect(await migrate(database, files, { log, onApply: (f) => order.push(f.name) })).toEqual([
      '0001_a',
      '0002_b',
    ]);
    expect(order).toEqual(['0001_a', '0002_b']);
    expect(await tables()).toEqual(['m_a', 'm_b']);
    const recorded = await database.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM slipway_migrations ORDER BY name',
    );
    expect(recorded).toEqual(files.map((f) => ({ name: f.name, checksum: f.checksum })));
  });

  it('does nothing when everything is applied', async () => {
    expect(await migrate(database, readMigrationFiles(dir), { log })).toEqual([]);
  });

  it('matches by name: an older-numbered migration merged later is still applied', async () => {
    write('0003_c', 'CREATE TABLE m_c (id int);');
    await migrate(database, readMigrationFiles(dir), { log });
    // A branch merged after 0003 brings 0002_branch: Drizzle's timestamp check would skip it.
    write('0002_branch', 'CREATE TABLE m_branch (id int);');
    const status = await database.withSession((s) => migrationStatus(s, readMigrationFiles(dir)));
    expect(status.pending.map((f) => f.name)).toEqual(['0002_branch']);
    expect(await migrate(database, readMigrationFiles(dir), { log })).toEqual(['0002_branch']);
    expect(await tables()).toContain('m_branch');
  });

  it('refuses to run when an applied migration was edited, naming the file', async () => {
    write('0001_a', 'CREATE TABLE m_a (id int, extra text);');
    write('0004_d', 'CREATE TABLE m_d (id int);');
    const error = await migrate(database, readMigrationFiles(dir), { log }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toContain(join(dir, '0001_a.sql'));
    expect(await tables()).not.toContain('m_d'); // nothing ran
    const status = await database.withSession((s) => migrationStatus(s, readMigrationFiles(dir)));
    expect(status.changed.map((f) => f.name)).toEqual(['0001_a']);
    write('0001_a', 'CREATE TABLE m_a (id int);'); // restore
  });

  it('runs each migration in its own transaction: a failure rolls back only that migration', async () => {
    write('0005_bad', 'CREATE TABLE m_half (id int);\nINSERT INTO m_missing VALUES (1);');
    const error = await migrate(database, readMigrationFiles(dir), { log }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^migration 0005_bad failed and was rolled back: .*m_missing/);
    const names = await tables();
    expect(names).toContain('m_d'); // 0004 committed before 0005 failed
    expect(names).not.toContain('m_half'); // 0005's first statement was rolled back
    const status = await database.withSession((s) => migrationStatus(s, readMigrationFiles(dir)));
    expect(status.pending.map((f) => f.name)).toEqual(['0005_bad']);
  });

  it('runs a migration marked no-transaction one statement at a time, under the lock: CREATE INDEX CONCURRENTLY', async () => {
    write('0005_bad', 'CREATE TABLE m_half (id int);'); // repaired
    await migrate(database, readMigrationFiles(dir), { log });
    const index =
      'CREATE INDEX CONCURRENTLY m_d_id_idx ON m_d (id);\nCREATE INDEX CONCURRENTLY m_a_id_idx ON m_a (id);';
    write('0006_index', index); // unmarked: PostgreSQL refuses it in the migration's transaction
    const refused = await migrate(database, readMigrationFiles(dir), { log }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).toMatch(
      /^migration 0006_index failed and was rolled back: CREATE INDEX CONCURRENTLY cannot run inside a transaction block\. Mark it to run outside one: a line "-- slipway:no-transaction" in its header$/,
    );

    write(
      '0006_index',
      `-- slipway:no-transaction\n${index}\nSELECT pg_sleep(0.3);\n\n-- reverse\nDROP INDEX CONCURRENTLY m_a_id_idx;\nDROP INDEX CONCURRENTLY m_d_id_idx;\n`,
    );
    const [file] = readMigrationFiles(dir).filter((f) => f.name === '0006_index');
    expect(file?.transactional).toBe(false);
    const locked: number[] = [];
    const onApply = async () => {
      // Seen from another connection while it runs: the migration lock is held.
      if (database.shared)
        locked.push(
          (
            await database.query<{ n: number }>(
              // pg_locks shows every database's: count this one's (other files migrate theirs meanwhile).
              "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 1 AND granted" +
                ' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())',
            )
          )[0]!.n,
        );
    };
    const pending: Promise<void>[] = [];
    expect(
      await migrate(database, readMigrationFiles(dir), { log, onApply: () => void pending.push(onApply()) }),
    ).toEqual(['0006_index']);
    await Promise.all(pending);
    if (database.shared) expect(locked).toEqual([1]);
    const indexes = await database.query<{ i: string }>(
      "SELECT indexname AS i FROM pg_indexes WHERE indexname LIKE 'm\\_%\\_id\\_idx' ORDER BY 1",
    );
    expect(indexes.map((r) => r.i)).toEqual(['m_a_id_idx', 'm_d_id_idx']);

    // Going back runs its reverse outside a transaction too.
    const result = await migrateTo(database, readMigrationFiles(dir), '0005_bad', { log });
    expect(result.reverted).toEqual(['0006_index']);
    expect(
      await database.query("SELECT 1 FROM pg_indexes WHERE indexname IN ('m_a_id_idx', 'm_d_id_idx')"),
    ).toEqual([]);
    await migrate(database, readMigrationFiles(dir), { log });
  });

  it('splits a no-transaction migration only where statements end: not inside bodies, strings or comments', async () => {
    write(
      '0007_bodies',
      `-- slipway:no-transaction
-- A trigger function; its body ends lines with ";".
CREATE FUNCTION m_stamp() RETURNS trigger AS $$
BEGIN
  NEW.note := coalesce(NEW.note, '') || 'a;b';
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TABLE m_semi (
  id int, -- the key;
  note text /* may hold ";" */
);
CREATE TRIGGER m_semi_stamp BEFORE INSERT ON m_semi FOR EACH ROW EXECUTE FUNCTION m_stamp();
CREATE FUNCTION m_tagged() RETURNS text LANGUAGE sql AS $body$
  SELECT 'x;' || $$;$$;
$body$;
CREATE FUNCTION m_atomic(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN x ELSE 0 END;
END;
INSERT INTO m_semi (id, note) VALUES (1, 'one;
two'), (2, E'it\\'s;');
CREATE INDEX CONCURRENTLY m_semi_id_idx ON m_semi (id);

-- reverse
DROP INDEX CONCURRENTLY m_semi_id_idx; -- first; then the rest
DROP TABLE m_semi;
DROP FUNCTION m_stamp(); DROP FUNCTION m_tagged(); DROP FUNCTION m_atomic(int);
`,
    );
    expect(await migrate(database, readMigrationFiles(dir), { log })).toEqual(['0007_bodies']);
    expect(await database.query('SELECT id, note FROM m_semi ORDER BY id')).toEqual([
      { id: 1, note: 'one;\ntwoa;b' },
      { id: 2, note: "it's;a;b" },
    ]);
    expect(
      await database.query<{ t: string; a: number }>('SELECT m_tagged() AS t, m_atomic(5) AS a'),
    ).toEqual([{ t: 'x;;', a: 5 }]);
    expect(await database.query("SELECT 1 FROM pg_indexes WHERE indexname = 'm_semi_id_idx'")).toHaveLength(
      1,
    );

    const result = await migrateTo(database, readMigrationFiles(dir), '0006_index', { log });
    expect(result.reverted).toEqual(['0007_bodies']);
    expect(await tables()).not.toContain('m_semi');
    expect(
      await database.query("SELECT 1 FROM pg_proc WHERE proname IN ('m_stamp', 'm_tagged', 'm_atomic')"),
    ).toEqual([]);
  });

  it('reports applied migrations whose file is gone', async () => {
    const files = readMigrationFiles(dir).filter((f) => f.name !== '0003_c');
    const status = await database.withSession((s) => migrationStatus(s, files));
    expect(status.missing.map((m) => m.name)).toEqual(['0003_c']);
  });
});
