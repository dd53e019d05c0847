import { projectMigrations } from '../../apps/project-migrations.js';
import { migrationStatus } from '../../db/migrate/runner.js';
import { CommandError } from '../../errors.js';
import { seedDemoData } from '../../fixtures/seed.js';
import { defineCommand } from '../command.js';

const USAGE = 'slipway seed --demo';

export default defineCommand({
  name: 'seed',
  writes: true,
  summary: 'Create demo data (--demo) so that a newcomer sees something: polls, contacts…',
  usage: USAGE,
  description:
    "Runs every installed app's seed hook on a migrated database. Running it again adds nothing: each app\n" +
    'creates its demo rows only when they are missing.',
  options: { demo: { type: 'boolean' } },
  async run(ctx, { values }) {
    if (!values['demo']) throw new CommandError(`say which data to create. Usage: ${USAGE}`);
    const database = await ctx.database();
    const status = await database.withSession((s) =>
      migrationStatus(s, projectMigrations(ctx.registry().apps)),
    );
    if (status.pending.length > 0)
      throw new CommandError(
        `${status.pending.length} migration(s) are not applied: run slipway migrate first`,
      );
    const seeded = await seedDemoData({ database, registry: ctx.registry(), log: ctx.log() });
    ctx.out(seeded.length > 0 ? `Demo data ready: ${seeded.join(', ')}.` : 'No installed app has demo data.');
    return 0;
  },
});
