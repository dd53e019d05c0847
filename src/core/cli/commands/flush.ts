import { describeDatabase } from '../../config/index.js';
import { confirmDestruction } from '../../fixtures/confirm.js';
import { flushDatabase } from '../../fixtures/reset.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'flush',
  writes: true,
  summary: 'Empty every table of the installed apps; keep the schema and the applied migrations.',
  usage: 'slipway flush [--no-input]',
  description:
    "Runs TRUNCATE … RESTART IDENTITY CASCADE on all the tables at once, then every app's afterMigrate, as\n" +
    'migrate does, so the permissions exist again. Asks "Type \'yes\' to continue" first; --no-input skips the\n' +
    'question. Without a terminal and without --no-input it refuses. Users are deleted too: create a superuser again.\n' +
    'Files under MEDIA_ROOT (attachments) are left where they are.',
  options: { 'no-input': { type: 'boolean' } },
  async run(ctx, { values }) {
    const where = describeDatabase(ctx.config().database);
    await confirmDestruction(
      ctx,
      `You have requested a flush of the database.\nThis will IRREVERSIBLY DESTROY all data in ${where},\n` +
        'and return each table to an empty state (the schema and applied migrations are kept).',
      Boolean(values['no-input']),
    );
    const database = await ctx.database();
    const tables = await flushDatabase({ database, registry: ctx.registry(), log: ctx.log() });
    ctx.out(`Flushed ${tables.length} table(s).`);
    return 0;
  },
});
