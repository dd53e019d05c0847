import { MigrationError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Database, Session, SqlRunner } from '../database.js';
import { type MigrationFile, NO_TRANSACTION_MARKER } from './files.js';
import { splitStatements } from './split-statements.js';

export const MIGRATIONS_TABLE = 'slipway_migrations';
/** The advisory lock every migrating process takes: (classid, objid) = ('SLPW', 1). */
export const MIGRATION_LOCK_KEY = [0x534c5057, 1];

export interface AppliedMigration {
  name: string;
  checksum: string;
  applied_at: Date;
}

export interface MigrationStatus {
  applied: AppliedMigration[];
  pending: MigrationFile[];
  /** Applied migrations whose file changed since. */
  changed: MigrationFile[];
  /** Applied migrations with no file: the code is older than the database. */
  missing: AppliedMigration[];
}

/** Reads which migrations the database has applied; an absent table means none. */
export async function readApplied(runner: SqlRunner): Promise<AppliedMigration[]> {
  if (!(await migrationsTableExists(runner))) return [];
  return runner.query<AppliedMigration>(
    `SELECT name, checksum, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY name COLLATE "C"`,
  );
}

/** Whether the database has the table of applied migrations. */
export async function migrationsTableExists(runner: SqlRunner): Promise<boolean> {
  const exists = await runner.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [
    MIGRATIONS_TABLE,
  ]);
  return Boolean(exists[0]?.t);
}

/**
 * Compares the files with what the database recorded. Matching is by name, never by date; a
 * file is unchanged while its forward part is (its reverse section may be added or edited).
 */
export function compareStatus(
  files: readonly MigrationFile[],
  recorded: readonly AppliedMigration[],
): MigrationStatus {
  const applied = legacyAdoption(files, recorded).applied;
  const byName = new Map(applied.map((a) => [a.name, a]));
  const fileNames = new Set(files.map((f) => f.name));
  return {
    applied: [...applied],
    pending: files.filter((f) => !byName.has(f.name)),
    changed: files.filter((f) => {
      const a = byName.get(f.name);
      return a !== undefined && !f.acceptedChecksums.has(a.checksum);
    }),
    missing: applied.filter((a) => !fileNames.has(a.name)),
  };
}

export async function migrationStatus(
  runner: SqlRunner,
  files: readonly MigrationFile[],
): Promise<MigrationStatus> {
  return compareStatus(files, await readApplied(runner));
}

export interface LegacyAdoption {
  /** What is applied once the adoption is recorded: the recorded rows, legacy names replaced. */
  readonly applied: AppliedMigration[];
  /** Migrations to record as applied without running: every migration they replace is applied. */
  readonly adopt: readonly MigrationFile[];
  /** Recorded legacy names to delete once `adopt` is recorded: every migration replacing them is. */
  readonly retire: readonly string[];
}

/**
 * How a database migrated by the single project-wide `migrations/` folder of earlier releases
 * (rows `0001_initial` … `0008_primary_messages`) is recognised: each app migration that
 * `-- replaces:` legacy names whose rows are all there is applied already, as Django does for
 * squashed migrations. Its row is written with its own checksum and the newest of the replaced
 * rows' dates; a legacy row goes once every migration replacing it is recorded. Nothing is run.
 */
export function legacyAdoption(
  files: readonly MigrationFile[],
  recorded: readonly AppliedMigration[],
): LegacyAdoption {
  const rows = new Map(recorded.map((a) => [a.name, a]));
  const adopt = files.filter(
    (f) => f.replaces.length > 0 && !rows.has(f.name) && f.replaces.every((r) => rows.has(r)),
  );
  const done = new Set([...rows.keys(), ...adopt.map((f) => f.name)]);
  const retire = [...new Set(files.flatMap((f) => f.replaces))].filter(
    (legacy) => rows.has(legacy) && files.every((f) => !f.replaces.includes(legacy) || done.has(f.name)),
  );
  const adopted = adopt.map((f) => ({
    name: f.name,
    checksum: f.checksum,
    applied_at: new Date(Math.max(...f.replaces.map((r) => rows.get(r)!.applied_at.getTime()))),
  }));
  const applied = [...recorded.filter((a) => !retire.includes(a.name)), ...adopted].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return { applied, adopt, retire };
}

/**
 * Records what {@link legacyAdoption} finds, in one transaction, on a session holding the
 * migration lock. Returns the names recorded.
 */
export async function adoptLegacyMigrations(
  session: Session,
  files: readonly MigrationFile[],
  log: Logger,
): Promise<string[]> {
  const { adopt, retire, applied } = legacyAdoption(files, await readApplied(session));
  if (adopt.length === 0 && retire.length === 0) return [];
  await session.transaction(async (tx) => {
    for (const file of adopt) {
      const row = applied.find((a) => a.name === file.name)!;
      await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum, applied_at) VALUES ($1, $2, $3)`, [
        file.name,
        file.checksum,
        row.applied_at,
      ]);
    }
    if (retire.length > 0)
      await tx.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ANY($1::text[])`, [retire]);
  });
  log.info(
    { adopted: adopt.map((f) => f.name), retired: retire },
    'migrations of the project-wide folder recorded under their apps (nothing run)',
  );
  return adopt.map((f) => f.name);
}

/** The message for applied migrations whose files were edited afterwards. */
export function changedMessage(changed: readonly MigrationFile[]): string {
  return (
    `applied migration${changed.length > 1 ? 's were' : ' was'} edited afterwards: ` +
    `${changed.map((f) => f.path).join(', ')}. Restore the file${changed.length > 1 ? 's' : ''} ` +
    'and put the change in a new migration (slipway makemigrations).'
  );
}

export interface MigrateOptions {
  log: Logger;
  /**
   * Called just before each migration runs. A caller that reports progress this way (a command
   * printing a line per migration) gets the "migration applied" log event at debug level rather
   * than info, so its output is not doubled by log lines; servers, which pass none, log it.
   */
  onApply?: (file: MigrationFile) => void;
}

/**
 * Runs `fn` on one dedicated connection holding the migration lock. On a shared server the
 * lock is a session advisory lock, so that N instances starting together (or a rollback next
 * to them) change the schema one at a time; an owned PGlite folder has one process already.
 */
export async function withMigrationLock<T>(
  database: Database,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  return database.withSession(async (session) => {
    if (database.shared) await session.query('SELECT pg_advisory_lock($1, $2)', MIGRATION_LOCK_KEY);
    try {
      return await fn(session);
    } finally {
      if (database.shared)
        await session.query('SELECT pg_advisory_unlock($1, $2)', MIGRATION_LOCK_KEY).catch(() => undefined);
    }
  });
}

/** Creates the table of applied migrations if this database has none yet. */
export async function ensureMigrationsTable(session: SqlRunner): Promise<void> {
  await session.exec(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
  );
}

/**
 * Applies every pending migration, in name order, each in its own transaction.
 *
 * 1. On a shared server, takes a session advisory lock on ONE dedicated connection, so that N
 *    instances starting together apply each migration exactly once and then all start.
 * 2. Refuses to run if an applied migration's file changed.
 * 3. For each pending migration: BEGIN; re-check it is still pending; run it; record its name
 *    and checksum; COMMIT. A failure rolls that migration back and stops.
 *
 * @returns the names applied by this call (empty when another instance got there first).
 */
export async function migrate(
  database: Database,
  files: readonly MigrationFile[],
  options: MigrateOptions,
): Promise<string[]> {
  return withMigrationLock(database, async (session) => {
    await ensureMigrationsTable(session);
    await adoptLegacyMigrations(session, files, options.log);
    const status = await migrationStatus(session, files);
    if (status.changed.length > 0) throw new MigrationError(changedMessage(status.changed));
    return applyMigrations(session, status.pending, options);
  });
}

/**
 * Step 3 of {@link migrate}: applies `pending` in order on a session that holds the lock, each
 * in its own transaction. Returns the names it applied.
 */
export async function applyMigrations(
  session: Session,
  pending: readonly MigrationFile[],
  options: MigrateOptions,
): Promise<string[]> {
  const applied: string[] = [];
  for (const file of pending) {
    const ran = file.transactional
      ? await applyInTransaction(session, file, options)
      : await applyOutsideTransaction(session, file, options);
    if (ran) {
      applied.push(file.name);
      options.log[options.onApply ? 'debug' : 'info']({ migration: file.name }, 'migration applied');
    }
  }
  return applied;
}

async function applyInTransaction(session: Session, file: MigrationFile, options: MigrateOptions) {
  return session.transaction(async (tx) => {
    const done = await tx.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [file.name]);
    if (done.length > 0) return false;
    options.onApply?.(file);
    try {
      await tx.exec(file.sql);
    } catch (error) {
      const message = (error as Error).message;
      throw new MigrationError(
        `migration ${file.name} failed and was rolled back: ${message}` +
          (/cannot run inside a transaction block/.test(message)
            ? `. Mark it to run outside one: a line "${NO_TRANSACTION_MARKER}" in its header`
            : ''),
      );
    }
    await tx.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [
      file.name,
      file.checksum,
    ]);
    return true;
  });
}

/**
 * A migration marked `-- slipway:no-transaction`: each statement on its own (CREATE INDEX
 * CONCURRENTLY refuses to run in a transaction, or with other statements in one query), then its
 * row. Still under the migration lock. A failure leaves the statements before it applied, so
 * such a migration should be written to run again (`IF NOT EXISTS`).
 */
async function applyOutsideTransaction(session: Session, file: MigrationFile, options: MigrateOptions) {
  const done = await session.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [file.name]);
  if (done.length > 0) return false;
  options.onApply?.(file);
  const statements = splitStatements(file.sql);
  for (const [i, statement] of statements.entries()) {
    try {
      await session.exec(statement);
    } catch (error) {
      throw new MigrationError(
        `migration ${file.name} (run outside a transaction) failed at statement ${i + 1} of ${statements.length}: ` +
          `${(error as Error).message}. The statements before it stay applied; make them safe to run again ` +
          '(IF NOT EXISTS), fix the migration and run migrate again',
      );
    }
  }
  await session.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [
    file.name,
    file.checksum,
  ]);
  return true;
}
