import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { installedApps } from '../../apps/installed.js';
import type { AppManifest } from '../apps/define-app.js';
import { migrateApps } from '../apps/migrate-apps.js';
import { projectMigrations } from '../apps/project-migrations.js';
import { createRegistry } from '../apps/registry.js';
import { type Config, loadConfig } from '../config/index.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { buildServer } from '../http/build-server.js';
import type { Lifecycle } from '../http/health.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly config: Config;
  readonly lifecycle: Lifecycle;
  readonly testDb: TestDatabase;
  close(): Promise<void>;
}

export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The app on a fresh, migrated database (a copy of the template, see templates.ts), ready for
 * `app.inject()`; `migrate: false` gives it an empty one. Close it in `afterAll`.
 *
 * @example
 *   const t = await buildTestApp();
 *   const res = await t.app.inject({ url: '/readyz' });
 *   await t.close();
 */
export async function buildTestApp(
  options: {
    env?: Record<string, string>;
    apps?: readonly AppManifest[];
    migrate?: boolean;
    /** Where the log lines go (with `env: { LOG_LEVEL: 'info' }`), for tests of what is logged. */
    logStream?: pino.DestinationStream;
  } = {},
): Promise<TestApp> {
  const migrate = options.migrate ?? true;
  const testDb = await createTestDatabase({ migrated: migrate });
  const config = loadConfig({
    cwd: testDb.tmp,
    env: {
      DATABASE_URL: testDb.url,
      SECRET_KEY: TEST_SECRET_KEY,
      ALLOWED_HOSTS: 'localhost,127.0.0.1',
      DATA_DIR: testDb.tmp,
      LOG_LEVEL: 'silent',
      ...options.env,
    },
  });
  const log = pino({ level: config.logLevel }, options.logStream);
  const registry = createRegistry(options.apps ?? installedApps);
  const database = await openDatabase(config.database, { log, schema: registry.schema, role: 'client' });
  // The installed apps' migrations, and those of any other app given (a test's own app).
  const migrations = projectMigrations(registry.apps);
  // The copy is migrated already; this applies only another app's migrations, and runs afterMigrate.
  if (migrate) await migrateApps(database, registry, migrations, { log });
  const lifecycle: Lifecycle = { draining: false };
  const app = await buildServer({ config, database, log, registry, migrations, lifecycle });
  await app.ready();
  return {
    app,
    database,
    config,
    lifecycle,
    testDb,
    async close() {
      await app.close();
      await database.close();
      await testDb.drop();
    },
  };
}
