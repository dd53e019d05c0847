import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitMigration } from './migration-text.js';

export interface MigrationFile {
  /** The file name without `.sql`, e.g. `0002_question_slug`. This is the migration's identity. */
  readonly name: string;
  readonly path: string;
  /** The forward SQL: the file above its `-- reverse` line, or all of it. What `migrate` runs. */
  readonly sql: string;
  /** The SQL below the `-- reverse` line that undoes the migration; undefined when it has none. */
  readonly reverse: string | undefined;
  /** sha256 of the forward SQL with line endings normalised (see splitMigration). Recorded when applied. */
  readonly checksum: string;
  /** Recorded checksums that match this file: the forward SQL up to trailing whitespace. */
  readonly acceptedChecksums: ReadonlySet<string>;
}

const MIGRATION_FILE = /^(\d{4,})_[a-z0-9_]+\.sql$/;

/** The migrations in `dir`, sorted by name. Files that do not look like `0001_name.sql` are ignored. */
export function readMigrationFiles(dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = splitMigration(readFileSync(path, 'utf8'));
      return {
        name: file.slice(0, -4),
        path,
        sql: text.forward,
        reverse: text.reverse,
        checksum: text.checksum,
        acceptedChecksums: text.acceptedChecksums,
      };
    });
}

/** Migrations that share a number: two branches each added one. Reported by `slipway check`. */
export function numberConflicts(files: readonly MigrationFile[]): string[][] {
  const byNumber = new Map<string, string[]>();
  for (const file of files) {
    const number = file.name.split('_')[0] ?? '';
    byNumber.set(number, [...(byNumber.get(number) ?? []), file.name]);
  }
  return [...byNumber.values()].filter((names) => names.length > 1);
}

/** The number the next migration gets: one more than the highest, four digits. */
export function nextNumber(files: readonly MigrationFile[]): string {
  const highest = files.reduce((max, f) => Math.max(max, Number(f.name.split('_')[0])), 0);
  return String(highest + 1).padStart(4, '0');
}
