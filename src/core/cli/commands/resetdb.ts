import { projectMigrations } from '../../apps/project-migrations.js';
import { describeDatabase } from '../../config/index.js';
import { confirmDestruction } from '../../fixtures/confirm.js';
import { resetDatabase } from '../../fixtures/reset.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'resetdb',
  writes: true,
  summary: 'Drop and re-create the public schema, with everything in it, then migrate.',
  usage: 'slipway resetdb [--no-input]',
  description:
    'DROP SCHEMA public CASCADE and CREATE SCHEMA public (with its previous owner and privileges) in one\n' +
    "transaction, then every migration and every app's afterMigrate (permissions). Asks \"Type 'yes' to continue\"\n" +
    'first; --no-input skips the question; without a terminal it refuses. It works while `slipway serve` holds an\n' +
    'embedded database (through its socket), but restart running servers afterwards: they knew the old tables.\n' +
    'On PostgreSQL it gives up after 10 s if other sessions hold locks on the tables. Files under MEDIA_ROOT are\n' +
    'left where they are.',
  options: { 'no-input': { type: 'boolean' } },
  async run(ctx, { values }) {
    const where = describeDatabase(ctx.config().database);
    await confirmDestruction(
      ctx,
      `You have requested a reset of the database.\nThis will IRREVERSIBLY DESTROY every table and all data in ${where},\n` +
        'then re-create the tables by applying every migration.',
      Boolean(values['no-input']),
    );
    const database = await ctx.database();
    const applied = await resetDatabase(
      { database, registry: ctx.registry(), log: ctx.log() },
      projectMigrations(ctx.registry().apps),
      (file) => ctx.out(`Applying ${file.name}`),
    );
    ctx.out(`Database reset: applied ${applied.length} migration(s). Restart any running server.`);
    return 0;
  },
});
