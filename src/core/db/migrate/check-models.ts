import { numberConflicts, readMigrationFiles } from './files.js';
import { describeDiff } from './schema-diff.js';
import { emptySnapshot, latestSnapshot, modelSnapshot } from './snapshots.js';

/**
 * Problems between the models and the migration files, without touching the database: models
 * changed without `makemigrations`, and migrations that two branches numbered alike.
 */
export async function checkModels(dir: string, schema: Record<string, unknown>): Promise<string[]> {
  const files = readMigrationFiles(dir);
  const latest = latestSnapshot(dir, files);
  const current = await modelSnapshot(schema, latest?.snapshot.id);
  const problems = describeDiff(latest?.snapshot ?? (await emptySnapshot()), current);
  if (problems.length > 0)
    problems.push('run `slipway makemigrations` to write a migration for these changes');
  for (const names of numberConflicts(files))
    problems.push(
      `migrations ${names.join(' and ')} share a number: renumber one of them (they were made on two branches)`,
    );
  return problems;
}
