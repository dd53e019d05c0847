import pino from 'pino';
import { installedApps } from '../../apps/installed.js';
import { migrateApps } from '../apps/migrate-apps.js';
import { createRegistry } from '../apps/registry.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { testMigrations } from './templates.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export { engineName } from './test-database.js';

export interface MigratedDatabase {
  readonly database: Database;
  readonly testDb: TestDatabase;
  close(): Promise<void>;
}

/**
 * A fresh database with every installed app's migrations applied, and no HTTP server: for tests
 * of services and database rules, quicker than {@link buildTestApp}. Close it in `afterAll`.
 *
 * @example
 *   const t = await migratedDatabase();
 *   await createPerson(t.database.db, { … });
 *   await t.close();
 */
export async function migratedDatabase(): Promise<MigratedDatabase> {
  const log = pino({ level: 'silent' });
  const testDb = await createTestDatabase({ migrated: true });
  const registry = createRegistry(installedApps);
  const database = await openDatabase(testDb.config, { log, schema: registry.schema, role: 'client' });
  await migrateApps(database, registry, testMigrations(), { log }); // nothing to apply: a check
  return {
    database,
    testDb,
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}
