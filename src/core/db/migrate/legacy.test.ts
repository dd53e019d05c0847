import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { readMigrationFiles } from './files.js';
import { migrateTo } from './rollback.js';
import { compareStatus, migrate, readApplied } from './runner.js';
import { LEGACY_FOLDER, schemaFingerprint } from './testing.js';

// A database migrated by the project-wide migrations/ folder of the releases before apps owned
// their migrations (a copy of it is the fixture), then given this code.
const log = pino({ level: 'silent' });
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
const legacy = readMigrationFiles(LEGACY_FOLDER);
const files = projectMigrations(installedApps);
const names = files.map((f) => f.name);
const dbs: TestDatabase[] = [];
const open: Database[] = [];

async function newDatabase(): Promise<Database> {
  const testDb = await createTestDatabase();
  dbs.push(testDb);
  const database = await openDatabase(testDb.config, { log, role: 'client' });
  open.push(database);
  return database;
}
const recorded = async (database: Database) =>
  (await database.withSession(readApplied)).map((a) => [a.name, a.checksum]);

let fresh: string[];
beforeAll(async () => {
  const database = await newDatabase();
  await migrate(database, files, { log });
  fresh = await schemaFingerprint(database);
});
afterAll(async () => {
  for (const database of open) await database.close();
  for (const testDb of dbs) await testDb.drop();
});

describe(`a database migrated by the project-wide folder (${engine})`, () => {
  it('is recorded under the apps’ names without running anything, with the same schema and data', async () => {
    const database = await newDatabase();
    expect(await migrate(database, legacy, { log })).toHaveLength(8);
    await database.exec("INSERT INTO polls_question (question_text, pub_date) VALUES ('Kept?', now())");
    const before = await schemaFingerprint(database);
    expect(before).toEqual(fresh); // the apps' migrations build what the folder built

    // Read-only commands (showmigrations, check, /readyz) already see it as migrated.
    const status = compareStatus(files, await database.withSession(readApplied));
    expect([status.pending, status.missing, status.changed]).toEqual([[], [], []]);

    const ran: string[] = [];
    expect(await migrate(database, files, { log, onApply: (f) => ran.push(f.name) })).toEqual([]);
    expect(ran).toEqual([]);
    expect(await recorded(database)).toEqual(
      [...files].sort((a, b) => (a.name < b.name ? -1 : 1)).map((f) => [f.name, f.checksum]),
    );
    expect(await schemaFingerprint(database)).toEqual(before);
    expect(await database.query('SELECT question_text FROM polls_question')).toEqual([
      { question_text: 'Kept?' },
    ]);
    expect(await migrate(database, files, { log })).toEqual([]); // and stays so
  });

  it('part-way (an older release) gets what it lacks applied, the rest recorded', async () => {
    const database = await newDatabase();
    await migrate(
      database,
      legacy.filter((f) => f.name <= '0005_contacts'),
      { log },
    );
    const applied = await migrate(database, files, { log });
    expect(applied).toEqual([
      'core/0001_touch_updated_at',
      'core/0002_deleted_media',
      'contacts/0002_primary_objects',
      'contacts/0003_attachment_files',
      'contacts/0004_primary_messages',
    ]);
    expect((await recorded(database)).map(([name]) => name)).toEqual([...names].sort());
    expect(await schemaFingerprint(database)).toEqual(fresh);
  });

  it('can be migrated back to a target at once, the adoption done first under the lock', async () => {
    const database = await newDatabase();
    await migrate(database, legacy, { log });
    const result = await migrateTo(database, files, 'contacts/0002', { log });
    expect(result.reverted).toEqual(['contacts/0004_primary_messages', 'contacts/0003_attachment_files']);
    expect(await database.query("SELECT name FROM slipway_migrations WHERE name NOT LIKE '%/%'")).toEqual([]);
    await migrate(database, files, { log });
    expect(await schemaFingerprint(database)).toEqual(fresh);
  });
});
