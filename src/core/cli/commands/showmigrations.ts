import { projectMigrations } from '../../apps/project-migrations.js';
import { migrationStatus } from '../../db/migrate/runner.js';
import { CommandError } from '../../errors.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'showmigrations',
  summary: 'List every migration as applied [X] or pending [ ], in the order migrate applies them.',
  usage: 'slipway showmigrations [<app> ...]',
  description:
    'Lists the migrations of the core and of every installed app (or of the apps named) as <app>/<migration>,\n' +
    'in the order `slipway migrate` applies them, each [X] applied (with when) or [ ] pending.',
  positionals: true,
  async run(ctx, { positionals }) {
    const database = await ctx.database();
    const all = projectMigrations(ctx.registry().apps);
    const known = [...new Set(all.map((f) => f.app))];
    const unknown = positionals.filter((a) => !known.includes(a));
    if (unknown.length > 0)
      throw new CommandError(`no app "${unknown[0]}" with migrations: one of ${known.join(', ')}`);
    const shown = (name: string) =>
      positionals.length === 0 || positionals.some((a) => name.startsWith(`${a}/`));
    const files = all.filter((f) => shown(f.name));
    const status = await database.withSession((s) => migrationStatus(s, all));
    const applied = new Map(status.applied.map((a) => [a.name, a]));
    const changed = new Set(status.changed.map((f) => f.name));
    for (const file of files) {
      const a = applied.get(file.name);
      const note = changed.has(file.name)
        ? '  (EDITED after it was applied)'
        : a
          ? `  (applied ${a.applied_at.toISOString()})`
          : '';
      ctx.out(`[${a ? 'X' : ' '}] ${file.name}${note}`);
    }
    for (const m of status.missing.filter((a) => shown(a.name)))
      ctx.out(`[X] ${m.name}  (applied, but its file is missing)`);
    if (files.length === 0 && status.missing.length === 0) ctx.out('(no migrations)');
    return 0;
  },
});
