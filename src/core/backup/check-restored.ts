import { installedApps } from '../../apps/installed.js';
import { projectMigrations } from '../apps/project-migrations.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { compareStatus } from '../db/migrate/runner.js';
import { compareRowCounts, type DatabaseInfo } from './database-info.js';
import type { Manifest } from './manifest.js';

/** What a check of a restored database found: problems refuse it; pending migrations do not. */
export interface RestoredCheck {
  problems: string[];
  /** Migrations this code has that the backup had not applied yet (run slipway migrate after). */
  pending: string[];
}

/**
 * Checks a database restored from an archive against its manifest and against this code: the
 * same row counts and applied migrations as at backup time, and no applied migration whose file
 * is missing here or was edited since (the model check of `slipway check`, on the restored data).
 */
export function checkRestored(
  info: DatabaseInfo,
  manifest: Manifest,
  files: readonly MigrationFile[] = projectMigrations(installedApps),
): RestoredCheck {
  const problems = compareRowCounts(info.rowCounts, manifest.rowCounts);
  const recorded = (list: { name: string; checksum: string }[]) =>
    list.map((m) => `${m.name}:${m.checksum}`).join(',');
  if (recorded(info.migrations) !== recorded(manifest.migrations))
    problems.push('the applied migrations differ from those in the manifest');
  const status = compareStatus(
    files,
    info.migrations.map((m) => ({ ...m, applied_at: new Date(0) })),
  );
  for (const m of status.missing)
    problems.push(`migration ${m.name} is applied in the backup but this code has no such file`);
  for (const f of status.changed)
    problems.push(`migration ${f.name} was applied in the backup with another checksum`);
  return { problems, pending: status.pending.map((f) => f.name) };
}
