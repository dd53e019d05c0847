import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { splitMigration } from './migration-text.js';

export interface MigrationFile {
  /**
   * The migration's identity, recorded in `slipway_migrations`: `<app>/<file name without .sql>`
   * (`polls/0002_question_slug`) for an app's migration, the bare file name for a folder read
   * without an app.
   */
  readonly name: string;
  /** The app that owns it (its folder); '' for a folder read without an app. */
  readonly app: string;
  /** The file name without `.sql`, e.g. `0002_question_slug`. */
  readonly localName: string;
  readonly path: string;
  /** The forward SQL: the file above its `-- reverse` line, or all of it. What `migrate` runs. */
  readonly sql: string;
  /** The SQL below the `-- reverse` line that undoes the migration; undefined when it has none. */
  readonly reverse: string | undefined;
  /** sha256 of the forward SQL with line endings normalised (see splitMigration). Recorded when applied. */
  readonly checksum: string;
  /** Recorded checksums that match this file: the forward SQL up to trailing whitespace. */
  readonly acceptedChecksums: ReadonlySet<string>;
  /**
   * The migrations that must be applied before it (qualified names): the previous one of its
   * app, and those its `-- depends:` lines name (Django's `dependencies`).
   */
  readonly dependencies: readonly string[];
  /**
   * Names of migrations of the single project-wide `migrations/` folder used before apps owned
   * their migrations (`0006_primary_objects`): a database that applied all of them has this one
   * (Django's `replaces`). Recorded under its own name without running (see runner.ts).
   */
  readonly replaces: readonly string[];
  /**
   * False for a migration marked `-- slipway:no-transaction` (CREATE INDEX CONCURRENTLY cannot
   * run in a transaction): it runs one statement at a time, still under the migration lock.
   */
  readonly transactional: boolean;
}

const MIGRATION_FILE = /^(\d{4,})_[a-z0-9_]+\.sql$/;
/** `-- depends: auth/0001_initial, core/0001` (several lines allowed), in the forward part. */
const DEPENDS = /^--\s*depends:\s*(.+)$/gm;
/** `-- replaces: 0006_primary_objects` (legacy names; see {@link MigrationFile.replaces}). */
const REPLACES = /^--\s*replaces:\s*(.+)$/gm;
/** The marker of a migration that must run outside a transaction. */
export const NO_TRANSACTION_MARKER = '-- slipway:no-transaction';
const NO_TRANSACTION = /^--\s*slipway:no-transaction\b/m;

const listed = (text: string, pattern: RegExp) =>
  [...text.matchAll(pattern)].flatMap((m) => m[1]!.split(/[\s,]+/).filter(Boolean));

/**
 * The migrations in `dir`, sorted by name. Files that do not look like `0001_name.sql` are
 * ignored. With `app`, names are qualified (`polls/0001_initial`) and each migration depends on
 * the one before it; `-- depends:` names are returned as written (resolved by readAppMigrations).
 */
export function readMigrationFiles(folder: string, app = ''): MigrationFile[] {
  const dir = realFolder(folder);
  if (!existsSync(dir)) return [];
  const qualify = (local: string) => (app ? `${app}/${local}` : local);
  let previous: string | undefined;
  return readdirSync(dir)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = splitMigration(readFileSync(path, 'utf8'));
      const localName = file.slice(0, -4);
      const dependencies = [...(previous && app ? [previous] : []), ...listed(text.forward, DEPENDS)];
      previous = qualify(localName);
      return {
        name: qualify(localName),
        app,
        localName,
        path,
        sql: text.forward,
        reverse: text.reverse,
        checksum: text.checksum,
        acceptedChecksums: text.acceptedChecksums,
        dependencies,
        replaces: listed(text.forward, REPLACES),
        transactional: !NO_TRANSACTION.test(text.forward),
      };
    });
}

/**
 * The folder in the sources: a checkout runs code compiled into .slipway/compiled/ (see
 * bin/slipway.js, which names both folders in SLIPWAY_COMPILED_SRC and SLIPWAY_SOURCES), whose
 * migrations/ folders are links to the sources' or, for a folder made after the build (a new
 * app's first makemigrations), absent. Messages name, and makemigrations writes, the real file.
 */
export function realFolder(dir: string): string {
  const compiled = process.env['SLIPWAY_COMPILED_SRC'];
  const sources = process.env['SLIPWAY_SOURCES'];
  const mapped =
    compiled && sources && dir.startsWith(`${compiled}${sep}`) ? join(sources, relative(compiled, dir)) : dir;
  return existsSync(mapped) ? realpathSync(mapped) : mapped;
}

/** Migrations of one app that share a number: two branches each added one. Reported by `slipway check`. */
export function numberConflicts(files: readonly MigrationFile[]): string[][] {
  const byNumber = new Map<string, string[]>();
  for (const file of files) {
    const key = `${file.app}/${file.localName.split('_')[0] ?? ''}`;
    byNumber.set(key, [...(byNumber.get(key) ?? []), file.name]);
  }
  return [...byNumber.values()].filter((names) => names.length > 1);
}

/** The number the next migration gets: one more than the highest, four digits. */
export function nextNumber(files: readonly MigrationFile[]): string {
  const highest = files.reduce((max, f) => Math.max(max, Number(f.localName.split('_')[0])), 0);
  return String(highest + 1).padStart(4, '0');
}
