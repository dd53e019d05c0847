import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { migrateApps } from '../../apps/migrate-apps.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { createRegistry } from '../../apps/registry.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { migrateTo } from './rollback.js';
import { migrate, readApplied } from './runner.js';
import { schemaFingerprint } from './testing.js';

// The project's own migrations: each reverse takes the schema back to exactly what it was
// before that migration, with the demo data in the tables.
const log = pino({ level: 'silent' });
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
const files = projectMigrations(installedApps);
const registry = createRegistry(installedApps);
let testDb: TestDatabase;
let database: Database;
/** The schema after the first i migrations, only ever migrated forward. */
const forward: string[][] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log, schema: registry.schema, role: 'client' });
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe(`the shipped migrations' reverses (${engine})`, () => {
  it('go back one by one to the schema each migration started from, and forward again', async () => {
    forward.push(await schemaFingerprint(database));
    for (let i = 1; i <= files.length; i++) {
      await migrate(database, files.slice(0, i), { log });
      forward.push(await schemaFingerprint(database));
    }
    await migrateApps(database, registry, files, { log }); // permissions
    for (const app of registry.apps) await app.seed?.({ database });

    // The last applied each time: the one before it in its app is the target (its app's zero for the first).
    for (let i = files.length - 1; i >= 0; i--) {
      const file = files[i]!;
      const before = files.slice(0, i).findLast((f) => f.app === file.app);
      const result = await migrateTo(database, files, before?.name ?? `${file.app}/zero`, { log });
      expect(result.reverted).toEqual([files[i]!.name]);
      expect(await schemaFingerprint(database), `back before ${files[i]!.name}`).toEqual(forward[i]);
    }
    expect(await database.withSession(readApplied)).toEqual([]);

    expect(await migrate(database, files, { log })).toEqual(files.map((f) => f.name));
    expect(await schemaFingerprint(database)).toEqual(forward[files.length]);
  });

  it('go back several at once, to a target, with the data in', async () => {
    await migrateApps(database, registry, files, { log });
    for (const app of registry.apps) await app.seed?.({ database });
    const result = await migrateTo(database, files, 'contacts/0001', { log });
    const contacts = files.filter((f) => f.app === 'contacts').slice(1);
    expect(files.slice(-contacts.length)).toEqual(contacts); // the last ones applied
    expect(result.reverted).toEqual(contacts.map((f) => f.name).reverse());
    expect(await schemaFingerprint(database)).toEqual(forward[files.length - contacts.length]);
    expect(await database.query('SELECT count(*)::int AS n FROM polls_question')).not.toEqual([{ n: 0 }]);
  });
});
