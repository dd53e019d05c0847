import { CORE_MIGRATIONS, projectMigrations } from '../../apps/project-migrations.js';
import type { MigrationFile } from '../../db/migrate/files.js';
import { type AppliedMigration, type MigrationStatus, migrationStatus } from '../../db/migrate/runner.js';
import { CommandError } from '../../errors.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'showmigrations',
  summary:
    'List the migrations of each app as applied [X] or pending [ ]; --plan: in the order migrate runs them.',
  usage: 'slipway showmigrations [--plan] [<app> ...]',
  description:
    "As Django's showmigrations: each app's label on its own line (the core's first, then the installed apps\n" +
    'in their order), and under it its migrations, " [X] 0001_initial  (applied <when>)" or " [ ] 0002_…" when\n' +
    'pending, " (no migrations)" for an app with none. Name apps to list only them.\n' +
    '--plan lists every migration in the order `slipway migrate` applies them, across apps, as\n' +
    '"[X] polls/0001_initial"; with apps named, their migrations and every migration they depend on.\n' +
    'An applied migration whose file was edited or is missing is flagged.',
  options: { plan: { type: 'boolean', short: 'p' } },
  positionals: true,
  async run(ctx, { values, positionals }) {
    const apps = ctx.registry().apps;
    const labels = [CORE_MIGRATIONS.app, ...apps.map((a) => a.name)];
    const unknown = positionals.find((a) => !labels.includes(a));
    if (unknown !== undefined)
      throw new CommandError(`no installed app "${unknown}": one of ${labels.join(', ')}`);
    const all = projectMigrations(apps);
    const database = await ctx.database();
    const status = await database.withSession((s) => migrationStatus(s, all));
    const show = values['plan'] ? showPlan : showByApp;
    for (const line of show(all, status, positionals, labels)) ctx.out(line);
    return 0;
  },
});

const appOf = (name: string) => (name.includes('/') ? name.slice(0, name.indexOf('/')) : '');
const localOf = (name: string) => name.slice(name.indexOf('/') + 1);

/** One migration's line, without its indent: `[X] <shown>  (applied …)`. */
function line(
  name: string,
  shown: string,
  status: MigrationStatus,
  applied: ReadonlyMap<string, AppliedMigration>,
) {
  const a = applied.get(name);
  const note = status.changed.some((f) => f.name === name)
    ? '  (EDITED after it was applied)'
    : a
      ? `  (applied ${a.applied_at.toISOString()})`
      : '';
  return `[${a ? 'X' : ' '}] ${shown}${note}`;
}

/** Django's default layout: a label per app, then its migrations indented by one space. */
function showByApp(
  files: readonly MigrationFile[],
  status: MigrationStatus,
  named: readonly string[],
  labels: readonly string[],
): string[] {
  const applied = new Map(status.applied.map((a) => [a.name, a]));
  // An app with applied migrations but no longer installed still shows, after the installed ones.
  const gone = status.missing.map((m) => appOf(m.name)).filter((app) => !labels.includes(app));
  const shown = named.length > 0 ? named : [...new Set([...labels, ...gone])];
  return shown.flatMap((app) => {
    const own = files.filter((f) => f.app === app);
    const missing = status.missing.filter((m) => appOf(m.name) === app);
    const lines = [
      ...own.map((f) => ` ${line(f.name, f.localName, status, applied)}`),
      ...missing.map((m) => ` [X] ${app ? localOf(m.name) : m.name}  (applied, but its file is missing)`),
    ];
    return [
      app || '(no app: the project-wide migrations/ folder)',
      ...(lines.length > 0 ? lines : [' (no migrations)']),
    ];
  });
}

/**
 * Django's `--plan`: every migration in the order migrate applies them, app-qualified; with apps
 * named, their migrations and every migration they depend on, in any app.
 */
function showPlan(
  files: readonly MigrationFile[],
  status: MigrationStatus,
  named: readonly string[],
): string[] {
  const applied = new Map(status.applied.map((a) => [a.name, a]));
  const byName = new Map(files.map((f) => [f.name, f]));
  const needed = new Set<string>();
  const need = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dep of byName.get(name)?.dependencies ?? []) need(dep);
  };
  for (const f of files) if (named.length === 0 || named.includes(f.app)) need(f.name);
  const lines = files.filter((f) => needed.has(f.name)).map((f) => line(f.name, f.name, status, applied));
  for (const m of status.missing)
    if (named.length === 0 || named.includes(appOf(m.name)))
      lines.push(`[X] ${m.name}  (applied, but its file is missing)`);
  return lines.length > 0 ? lines : ['(no migrations)'];
}
