import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { numberConflicts, readMigrationFiles } from './files.js';
import { describeDiff } from './schema-diff.js';
import { emptySnapshot, latestSnapshot, modelSnapshot } from './snapshots.js';

/** What the model check and makemigrations need of an installed app (see AppManifest). */
export interface ModelsOwner {
  readonly name: string;
  /** Its migrations folder; undefined when it has none. */
  readonly migrations?: string | undefined;
  readonly schema?: Record<string, unknown> | undefined;
}

const MAKE = 'run `slipway makemigrations` to write a migration for these changes';

/**
 * Problems between the models and the migration files of one folder, without touching the
 * database: models changed without `makemigrations`, and migrations that two branches numbered
 * alike.
 */
export async function checkModels(dir: string, schema: Record<string, unknown>, app = ''): Promise<string[]> {
  const files = readMigrationFiles(dir, app);
  const problems = await modelDrift(dir, schema, app);
  if (problems.length > 0) problems.push(MAKE);
  return [...problems, ...conflictLines(files)];
}

/**
 * {@link checkModels} for every app: each app's models against the newest snapshot in its own
 * migrations folder (a snapshot holds that app's tables only, so an app is one folder that can
 * be moved to another project). An app with tables and no migrations folder is named.
 */
export async function checkAppModels(apps: readonly ModelsOwner[]): Promise<string[]> {
  const problems: string[] = [];
  const conflicts: string[] = [];
  for (const app of apps) {
    const schema = app.schema ?? {};
    if (!app.migrations) {
      if (tableNames(schema).length > 0)
        problems.push(
          `app "${app.name}" has models but no migrations folder: add migrations: join(import.meta.dirname, 'migrations') to its manifest`,
        );
      continue;
    }
    problems.push(...(await modelDrift(app.migrations, schema, app.name)));
    conflicts.push(...conflictLines(readMigrationFiles(app.migrations, app.name)));
  }
  if (problems.length > 0) problems.push(MAKE);
  return [...problems, ...conflicts];
}

async function modelDrift(dir: string, schema: Record<string, unknown>, app: string): Promise<string[]> {
  const latest = latestSnapshot(dir, readMigrationFiles(dir, app));
  const current = await modelSnapshot(schema, latest?.snapshot.id);
  return describeDiff(latest?.snapshot ?? (await emptySnapshot()), current);
}

function conflictLines(files: Parameters<typeof numberConflicts>[0]): string[] {
  return numberConflicts(files).map(
    (names) =>
      `migrations ${names.join(' and ')} share a number: renumber one of them (they were made on two branches)`,
  );
}

/** The names of the tables a schema module defines. */
export function tableNames(schema: Record<string, unknown>): string[] {
  return Object.values(schema).flatMap((v) => (is(v, PgTable) ? [getTableName(v)] : []));
}
