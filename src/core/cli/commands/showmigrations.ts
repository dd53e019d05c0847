import { readMigrationFiles } from '../../db/migrate/files.js';
import { migrationStatus } from '../../db/migrate/runner.js';
import { migrationsDir } from '../../paths.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'showmigrations',
  summary: 'List every migration as applied [X] or pending [ ].',
  usage: 'slipway showmigrations',
  async run(ctx) {
    const database = await ctx.database();
    const files = readMigrationFiles(migrationsDir);
    const status = await database.withSession((s) => migrationStatus(s, files));
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
    for (const m of status.missing) ctx.out(`[X] ${m.name}  (applied, but its file is missing)`);
    if (files.length === 0 && status.missing.length === 0) ctx.out('(no migrations)');
    return 0;
  },
});
