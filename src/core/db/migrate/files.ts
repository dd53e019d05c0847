import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationFile {
  /** The file name without `.sql`, e.g. `0002_question_slug`. This is the migration's identity. */
  readonly name: string;
  readonly path: string;
  readonly sql: string;
  /** sha256 of the SQL with line endings normalised, so a checkout with CRLF still matches. */
  readonly checksum: string;
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
      const sql = readFileSync(path, 'utf8');
      return { name: file.slice(0, -4), path, sql, checksum: checksum(sql) };
    });
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
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
