import type { Database } from '../db/database.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { migrate } from '../db/migrate/runner.js';
import type { Logger } from '../log.js';
import type { AppRegistry } from './registry.js';

/**
 * `migrate` as the framework means it: apply pending migrations, then run every app's
 * `afterMigrate` (permissions are created there). Returns the migrations applied.
 */
export async function migrateApps(
  database: Database,
  registry: AppRegistry,
  files: readonly MigrationFile[],
  options: { log: Logger; onApply?: (file: MigrationFile) => void },
): Promise<string[]> {
  const applied = await migrate(database, files, options);
  for (const app of registry.apps) await app.afterMigrate?.({ database, registry, log: options.log });
  return applied;
}
