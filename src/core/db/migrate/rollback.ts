import { MigrationError } from '../../errors.js';
import type { Database } from '../database.js';
import type { MigrationFile } from './files.js';
import { REVERSE_MARKER } from './migration-text.js';
import {
  type AppliedMigration,
  adoptLegacyMigrations,
  applyMigrations,
  changedMessage,
  compareStatus,
  ensureMigrationsTable,
  MIGRATIONS_TABLE,
  type MigrateOptions,
  migrationsTableExists,
  readApplied,
  withMigrationLock,
} from './runner.js';
import { splitStatements } from './split-statements.js';

/** The target that reverts every migration, as in Django's `migrate <app> zero`. */
export const ZERO = 'zero';

/** What migrating to a target does: migrations to revert (in that order), then to apply. */
export interface TargetPlan {
  /** The migration the database ends at (`polls/zero` for an app's zero); undefined for {@link ZERO}. */
  readonly target: string | undefined;
  /** Applied migrations after the target, the last applied first. */
  readonly revert: readonly AppliedMigration[];
  /** Pending migrations the target needs, and the target, in the order they apply. */
  readonly apply: readonly MigrationFile[];
  /** Why the plan cannot run (an edited or missing file, a migration without a reverse); empty when it can. */
  readonly problems: readonly string[];
}

/** The app of a qualified name (`polls/0001_initial` → `polls`); '' for a bare one. */
const appOf = (name: string) => (name.includes('/') ? name.slice(0, name.indexOf('/')) : '');
const localOf = (name: string) => name.slice(name.indexOf('/') + 1);

/**
 * Resolves what a user typed to a migration name, among the files and the applied migrations:
 * `polls/0002_question_slug`, `polls/0002`, `0002_question_slug` or `0002` when only one app has
 * it, `polls/zero` (every migration of polls, and what depends on them) or `zero` (everything,
 * returned as undefined). Throws a MigrationError naming the choices when nothing or more than
 * one migration matches.
 */
export function resolveTarget(
  typed: string,
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
): string | undefined {
  if (typed === ZERO) return undefined;
  const names = [
    ...new Set([...files.map((f) => f.name), ...compareStatus(files, applied).applied.map((a) => a.name)]),
  ].sort();
  if (typed.endsWith(`/${ZERO}`)) {
    const app = appOf(typed);
    if (names.some((n) => appOf(n) === app)) return typed;
    throw new MigrationError(`no app "${app}" with migrations; ${appsKnown(names)}`);
  }
  if (names.includes(typed)) return typed;
  const qualified = typed.includes('/');
  const matches = names.filter((n) =>
    qualified ? n.startsWith(`${typed}_`) : localOf(n) === typed || localOf(n).startsWith(`${typed}_`),
  );
  if (matches.length === 1) return matches[0];
  if (matches.length > 1)
    throw new MigrationError(
      `"${typed}" matches ${matches.join(' and ')}: give the whole name${qualified ? '' : ', with its app (<app>/<migration>)'}`,
    );
  const known = names.length > 0 ? `: one of ${names.join(', ')}, or ${ZERO}` : '';
  throw new MigrationError(`no migration "${typed}"; name a migration${known}`);
}

function appsKnown(names: readonly string[]): string {
  const apps = [...new Set(names.map(appOf))].filter(Boolean);
  return apps.length > 0 ? `apps with migrations: ${apps.join(', ')}` : 'no app has migrations';
}

/**
 * Plans migrating to `target` (Django's `migrate <app> <migration>`). Reverted: the applied
 * migrations of the target's app after it (all of them for `<app>/zero`, every applied one for
 * {@link ZERO}), and every applied migration that depends on one of those, in any app; the last
 * applied first (so a migration merged from an older branch and applied late is undone first),
 * dependants before what they depend on. Applied: the pending migrations the target needs (those
 * of its app before it, and their dependencies), and the target. A migration to revert must have
 * its file, unedited, with a reverse section.
 */
export function planTarget(
  target: string | undefined,
  files: readonly MigrationFile[],
  recorded: readonly AppliedMigration[],
): TargetPlan {
  const status = compareStatus(files, recorded);
  const applied = status.applied;
  const byName = new Map(files.map((f) => [f.name, f]));
  const position = new Map(files.map((f, i) => [f.name, i]));
  const app = target === undefined ? undefined : appOf(target);
  const local = target === undefined ? undefined : localOf(target);

  const after = (name: string) =>
    target === undefined || (appOf(name) === app && (local === ZERO || localOf(name) > local!));
  const gone = new Set([...files.map((f) => f.name), ...applied.map((a) => a.name)].filter(after));
  for (let grew = true; grew; ) {
    grew = false;
    for (const file of files)
      if (!gone.has(file.name) && file.dependencies.some((d) => gone.has(d))) {
        gone.add(file.name);
        grew = true;
      }
  }
  const revert = applied
    .filter((a) => gone.has(a.name))
    .sort(
      (a, b) =>
        b.applied_at.getTime() - a.applied_at.getTime() ||
        (position.get(b.name) ?? -1) - (position.get(a.name) ?? -1) ||
        b.name.localeCompare(a.name),
    );

  const needed = new Set<string>();
  const need = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dep of byName.get(name)?.dependencies ?? []) need(dep);
  };
  if (target !== undefined && local !== ZERO) {
    need(target);
    // A folder read without an app has no chain of dependencies: name order, as before apps.
    for (const f of files) if (f.app === '' && f.name <= target) need(f.name);
  }
  const apply = status.pending.filter((f) => needed.has(f.name));

  const problems: string[] = [];
  if (status.changed.length > 0) problems.push(changedMessage(status.changed));
  const missing = revert.filter((a) => !byName.has(a.name)).map((a) => a.name);
  if (missing.length > 0)
    problems.push(
      `cannot revert ${missing.join(', ')}: applied, but ${missing.length > 1 ? 'their files are' : 'its file is'} missing, so the SQL that undoes ${missing.length > 1 ? 'them' : 'it'} is unknown`,
    );
  const irreversible = revert.flatMap((a) => {
    const file = byName.get(a.name);
    return file && file.reverse === undefined ? [file] : [];
  });
  if (irreversible.length > 0) problems.push(irreversibleMessage(irreversible));
  return { target, revert, apply, problems };
}

function irreversibleMessage(files: readonly MigrationFile[]): string {
  const one = files.length === 1;
  return (
    `cannot revert ${files.map((f) => f.name).join(', ')}: ${one ? 'it has' : 'they have'} no reverse. ` +
    `Write the SQL that undoes ${one ? 'it' : 'each'} below a "${REVERSE_MARKER}" line at the end of ` +
    `${files.map((f) => f.path).join(', ')} (allowed after it is applied), or choose a later target`
  );
}

export interface MigrateToOptions extends MigrateOptions {
  /** Called just before each migration is reverted; like onApply, it moves the log event to debug. */
  onRevert?: (name: string) => void;
}

export interface MigrateToResult {
  /** The migration the database is at now; undefined after {@link ZERO}. */
  readonly target: string | undefined;
  readonly reverted: string[];
  readonly applied: string[];
}

/**
 * Migrates to `typed` (a name, its number, or {@link ZERO}; see {@link resolveTarget}): reverts
 * the applied migrations after it, then applies the pending ones up to it (see {@link planTarget}).
 *
 * 1. Takes the same lock as {@link migrate} (an advisory lock on PostgreSQL), so a rollback
 *    never interleaves with instances migrating forward.
 * 2. Resolves the target and plans under the lock, and refuses, before changing anything, when
 *    the plan has problems: the message names every migration without a reverse.
 * 3. Reverts each migration in its own transaction: re-checks it is still applied, runs its
 *    reverse, deletes its row from the migrations table, commits. A failure rolls that one back
 *    and stops; those reverted before it stay reverted.
 * 4. Applies the pending migrations up to the target as `migrate` does.
 *
 * @example
 *   await migrateTo(database, readMigrationFiles(dir), '0003_admin', { log });
 */
export async function migrateTo(
  database: Database,
  files: readonly MigrationFile[],
  typed: string,
  options: MigrateToOptions,
): Promise<MigrateToResult> {
  return withMigrationLock(database, async (session) => {
    if (await migrationsTableExists(session)) await adoptLegacyMigrations(session, files, options.log);
    const applied = await readApplied(session);
    const target = resolveTarget(typed, files, applied);
    const plan = planTarget(target, files, applied);
    if (plan.problems.length > 0)
      throw new MigrationError(`${plan.problems.join('; ')}. Nothing was changed.`);
    const byName = new Map(files.map((f) => [f.name, f]));
    const reverted: string[] = [];
    for (const { name } of plan.revert) {
      const file = byName.get(name)!;
      const reverse = file.reverse!;
      const ran = file.transactional
        ? await revertInTransaction(name, reverse)
        : await revertOutsideTransaction(name, reverse);
      if (ran) {
        reverted.push(name);
        options.log[options.onRevert ? 'debug' : 'info']({ migration: name }, 'migration reverted');
      }
    }
    if (plan.apply.length > 0) await ensureMigrationsTable(session);
    return { target, reverted, applied: await applyMigrations(session, plan.apply, options) };

    function revertInTransaction(name: string, reverse: string): Promise<boolean> {
      return session.transaction(async (tx) => {
        const still = await tx.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
        if (still.length === 0) return false;
        options.onRevert?.(name);
        try {
          await tx.exec(reverse);
        } catch (error) {
          throw new MigrationError(
            `reverting migration ${name} failed and was rolled back: ${(error as Error).message}` +
              (reverted.length > 0 ? ` (${reverted.join(', ')} stayed reverted)` : ''),
          );
        }
        await tx.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
        return true;
      });
    }

    // A migration marked `-- slipway:no-transaction` (DROP INDEX CONCURRENTLY in its reverse):
    // one statement at a time, then its row, still under the lock.
    async function revertOutsideTransaction(name: string, reverse: string): Promise<boolean> {
      const still = await session.query(`SELECT 1 FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
      if (still.length === 0) return false;
      options.onRevert?.(name);
      const statements = splitStatements(reverse);
      for (const [i, statement] of statements.entries()) {
        try {
          await session.exec(statement);
        } catch (error) {
          throw new MigrationError(
            `reverting migration ${name} (run outside a transaction) failed at statement ${i + 1} of ` +
              `${statements.length}: ${(error as Error).message}. The statements before it stay reverted` +
              (reverted.length > 0 ? `, as do ${reverted.join(', ')}` : ''),
          );
        }
      }
      await session.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
      return true;
    }
  });
}
