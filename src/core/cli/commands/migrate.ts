import { migrateApps } from '../../apps/migrate-apps.js';
import { CORE_MIGRATIONS, projectMigrations } from '../../apps/project-migrations.js';
import { migrateTo, planTarget, resolveTarget, ZERO } from '../../db/migrate/rollback.js';
import { migrationStatus, readApplied } from '../../db/migrate/runner.js';
import { CommandError } from '../../errors.js';
import { type CommandContext, defineCommand } from '../command.js';

export default defineCommand({
  name: 'migrate',
  writes: true,
  summary:
    'Apply pending migrations, or go back to an earlier one (each in its own transaction, under a lock).',
  usage: 'slipway migrate [--plan] [<app> [<migration> | zero] | --to <app>/<migration> | zero]',
  description:
    'Without a target: applies every pending migration of the core and the installed apps, each after the\n' +
    'migrations it depends on (the previous one of its app, and its "-- depends:" lines), each in its own\n' +
    "transaction, under an advisory lock shared by all instances, then runs the apps' afterMigrate (permissions).\n" +
    "With a target, as Django's migrate: `slipway migrate polls 0002` (or --to polls/0002; the number is enough\n" +
    'when it is unique) reverts the applied migrations of polls after 0002, and any migration of another app\n' +
    'that depends on them, the last applied first, each in its own transaction, by running the SQL below its\n' +
    '"-- reverse" line and removing its row from slipway_migrations; then applies what 0002 needs that is\n' +
    'pending. `slipway migrate polls` applies all of polls; `slipway migrate polls zero` reverts all of it;\n' +
    '`slipway migrate zero` reverts everything. If a migration to revert has no reverse, nothing is changed and\n' +
    'the message names it. --plan lists what would be applied or reverted, and changes nothing.\n' +
    'A database migrated before apps owned their migrations (rows such as 0005_contacts) is recorded under the\n' +
    'new names (contacts/0001_initial, …) on its first migrate, without running anything.',
  options: { plan: { type: 'boolean', short: 'p' }, to: { type: 'string' } },
  positionals: true,
  async run(ctx, { values, positionals }) {
    const typed = targetArgument(ctx, values['to'] as string | undefined, positionals);
    if (typed !== undefined) return migrateToTarget(ctx, typed, Boolean(values['plan']));
    const database = await ctx.database();
    const files = projectMigrations(ctx.registry().apps);
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

/**
 * The target from `--to polls/0002`, `migrate polls 0002`, `migrate polls` (all of polls: its last
 * migration), `migrate polls zero` or `migrate zero`; undefined when there is none.
 */
function targetArgument(
  ctx: CommandContext,
  to: string | undefined,
  positionals: string[],
): string | undefined {
  const [first, second, ...rest] = positionals;
  if (first === undefined) return to;
  if (to !== undefined)
    throw new CommandError('give the target once: either --to <app>/<migration> or <app> <migration>');
  if (rest.length > 0) throw new CommandError('too many arguments: slipway migrate <app> <migration>');
  const apps = ctx.registry().apps;
  const isApp = apps.some((a) => a.name === first) || first === CORE_MIGRATIONS.app;
  if (second !== undefined) {
    if (!isApp)
      throw new CommandError(
        `no installed app "${first}": one of ${[CORE_MIGRATIONS.app, ...apps.map((a) => a.name)].join(', ')}`,
      );
    return `${first}/${second}`;
  }
  if (!isApp) return first;
  const last = projectMigrations(apps)
    .filter((f) => f.app === first)
    .at(-1);
  if (!last) throw new CommandError(`app "${first}" has no migrations`);
  return last.name;
}

async function migrateToTarget(ctx: CommandContext, typed: string, planOnly: boolean): Promise<number> {
  const database = await ctx.database();
  const files = projectMigrations(ctx.registry().apps);
  const at = (target: string | undefined) =>
    target === undefined
      ? `${ZERO} (no migration applied)`
      : target.endsWith(`/${ZERO}`)
        ? `${target} (no migration of ${target.slice(0, -ZERO.length - 1)} applied)`
        : target;
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
