import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type MigrationFile, realFolder } from './files.js';
import type { Snapshot } from './schema-diff.js';

/**
 * Schema snapshots. Each migration `0002_x.sql` has `meta/0002_x.json` in its app's folder: the
 * drizzle-kit snapshot of that app's models (its tables only) as they were after it. The newest
 * one is what the app's models are compared with. One snapshot per app, not one for the project,
 * so that an app's folder carries everything about its tables, and a change is written into the
 * app that owns the table.
 * drizzle-kit is loaded lazily: only `makemigrations` and `check` need it.
 */
export const snapshotPath = (dir: string, name: string) => join(dir, 'meta', `${name}.json`);

/** The snapshot of the newest migration that has one, with its migration's name. */
export function latestSnapshot(
  dir: string,
  files: readonly MigrationFile[],
): { name: string; snapshot: Snapshot } | undefined {
  for (const file of [...files].reverse()) {
    const path = snapshotPath(realFolder(dir), file.localName);
    if (existsSync(path))
      return { name: file.name, snapshot: JSON.parse(readFileSync(path, 'utf8')) as Snapshot };
  }
  return undefined;
}

/** The snapshot of the installed apps' models now. */
export async function modelSnapshot(schema: Record<string, unknown>, prevId?: string): Promise<Snapshot> {
  const { generateDrizzleJson } = await import('drizzle-kit/api');
  // Through JSON, so it compares equal to a snapshot read back from a file (no undefined keys).
  return JSON.parse(JSON.stringify(generateDrizzleJson(schema, prevId))) as Snapshot;
}

export async function emptySnapshot(): Promise<Snapshot> {
  return modelSnapshot({});
}

/** The SQL statements that take the database from `from` to `to`, as drizzle-kit writes them. */
export async function migrationSql(from: Snapshot, to: Snapshot): Promise<string[]> {
  const { generateMigration } = await import('drizzle-kit/api');
  // biome-ignore lint/suspicious/noExplicitAny: drizzle-kit's snapshot type is internal
  return generateMigration(from as any, to as any);
}
