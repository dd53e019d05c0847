import { migrateApps } from '../../apps/migrate-apps.js';
import { readMigrationFiles } from '../../db/migrate/files.js';
import { migrationStatus } from '../../db/migrate/runner.js';
import { migrationsDir } from '../../paths.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'migrate',
  summary: 'Apply pending migrations (each in its own transaction, under a lock shared by all instances).',
  usage: 'slipway migrate [--plan]',
  options: { plan: { type: 'boolean', short: 'p' } },
  async run(ctx, { values }) {
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
