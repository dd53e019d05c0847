import { migrateApps } from '../../apps/migrate-apps.js';
import { readMigrationFiles } from '../../db/migrate/files.js';
import { migrateTo, planTarget, resolveTarget, ZERO } from '../../db/migrate/rollback.js';
import { migrationStatus, readApplied } from '../../db/migrate/runner.js';
import { CommandError } from '../../errors.js';
import { migrationsDir } from '../../paths.js';
import { type CommandContext, defineCommand } from '../command.js';

export default defineCommand({
  name: 'migrate',
  writes: true,
  summary:
    'Apply pending migrations, or go back to an earlier one (each in its own transaction, under a lock).',
  usage: 'slipway migrate [--plan] [--to <migration> | <migration> | zero]',
  description:
    'Without a target: applies every pending migration, in name order, each in its own transaction, under an\n' +
    "advisory lock shared by all instances, then runs the apps' afterMigrate (permissions).\n" +
    "With a target (--to 0003_admin, or Django's form: slipway migrate 0003_admin; a number such as 0003 is\n" +
    'enough when it is unique): reverts the applied migrations after it, the last applied first, each in its own\n' +
    'transaction, by running the SQL below its "-- reverse" line and removing its row from slipway_migrations;\n' +
    'then applies pending migrations up to the target. "zero" reverts them all. If one of them has no reverse,\n' +
    'nothing is changed and the message names it. Migrations are project-wide (one migrations/ folder), so\n' +
    'Django\'s "migrate <app> <migration>" is refused: name the migration alone.\n' +
    '--plan lists what would be applied or reverted, and changes nothing.',
  options: { plan: { type: 'boolean', short: 'p' }, to: { type: 'string' } },
  positionals: true,
  async run(ctx, { values, positionals }) {
    const typed = targetArgument(ctx, values['to'] as string | undefined, positionals);
    if (typed !== undefined) return migrateToTarget(ctx, typed, Boolean(values['plan']));
    const database = await ctx.database();
    const files = readMigrationFiles(migrationsDir);
    if (values['plan']) {
      const status = await database.withSession((s) => migrationStatus(s, files));
      if (status.pending.length === 0) ctx.out('No migrations to apply.');
      else for (const file of status.pending) ctx.out(`Would apply ${file.name}`);
      return 0;
    }
    const applied = await migrateApps(database, ctx.registry(), files, {
      log: ctx.log(),
      onApply: (f) => ctx.out(`Applying ${f.name}`),
    });
    ctx.out(applied.length === 0 ? 'No migrations to apply.' : `Applied ${applied.length} migration(s).`);
    return 0;
  },
});

/** The target from `--to x` or `migrate x`; undefined when there is none. Refuses Django's app label. */
function targetArgument(
  ctx: CommandContext,
  to: string | undefined,
  positionals: string[],
): string | undefined {
  const [first, second] = positionals;
  if (first === undefined) return to;
  if (to !== undefined)
    throw new CommandError('give the target once: either --to <migration> or <migration>');
  const isApp = ctx.registry().apps.some((a) => a.name === first);
  if (second !== undefined || isApp) {
    const target = second ?? '<migration>';
    throw new CommandError(
      `migrations are project-wide (one migrations/ folder), not per app, so ${isApp ? `app "${first}"` : 'an app'} ` +
        'cannot be migrated on its own: going back to a migration reverts every later one, whichever ' +
        `app's tables they change. Name the migration alone: slipway migrate --to ${target} ` +
        `(add --plan to see what it would revert)`,
    );
  }
  return first;
}

async function migrateToTarget(ctx: CommandContext, typed: string, planOnly: boolean): Promise<number> {
  const database = await ctx.database();
  const files = readMigrationFiles(migrationsDir);
  const at = (target: string | undefined) => target ?? `${ZERO} (no migration applied)`;
  if (planOnly) {
    const applied = await database.withSession((s) => readApplied(s));
    const plan = planTarget(resolveTarget(typed, files, applied), files, applied);
    for (const m of plan.revert) ctx.out(`Would revert ${m.name}`);
    for (const f of plan.apply) ctx.out(`Would apply ${f.name}`);
    if (plan.revert.length + plan.apply.length === 0)
      ctx.out(`Nothing to do: the database is at ${at(plan.target)}.`);
    for (const problem of plan.problems) ctx.err(`slipway migrate: ${problem}`);
    return plan.problems.length > 0 ? 1 : 0;
  }
  const result = await migrateTo(database, files, typed, {
    log: ctx.log(),
    onRevert: (name) => ctx.out(`Reverting ${name}`),
    onApply: (f) => ctx.out(`Applying ${f.name}`),
  });
  const done = [
    result.reverted.length > 0 ? `reverted ${result.reverted.length} migration(s)` : '',
    result.applied.length > 0 ? `applied ${result.applied.length} migration(s)` : '',
  ].filter(Boolean);
  ctx.out(
    `${done.length > 0 ? `Done: ${done.join(', ')}` : 'Nothing to do'}; the database is at ${at(result.target)}.`,
  );
  // afterMigrate (permissions) expects every model's table: only once no migration is pending.
  const status = await database.withSession((s) => migrationStatus(s, files));
  if (status.pending.length === 0)
    for (const app of ctx.registry().apps)
      await app.afterMigrate?.({ database, registry: ctx.registry(), log: ctx.log() });
  return 0;
}
