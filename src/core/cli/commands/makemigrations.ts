import { relative } from 'node:path';
import { makeMigration } from '../../db/migrate/make-migration.js';
import { migrationsDir } from '../../paths.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'makemigrations',
  summary: "Write a migration for the models' changes (never prompts).",
  usage: 'slipway makemigrations [--name <name>] [--empty]',
  description:
    "Compares the installed apps' models with the newest migration snapshot and writes migrations/NNNN_<name>.sql.\n" +
    'A possible rename (something removed and something added in one place) is refused: use --empty and write the SQL by hand.',
  options: { name: { type: 'string', short: 'n' }, empty: { type: 'boolean' } },
  async run(ctx, { values }) {
    const result = await makeMigration({
      dir: migrationsDir,
      schema: ctx.registry().schema,
      name: values['name'] as string | undefined,
      empty: Boolean(values['empty']),
    });
    if (!result.created) {
      ctx.out('No changes detected.');
      return 0;
    }
    ctx.out(`Created ${relative(process.cwd(), result.path) || result.path}`);
    for (const change of result.changes) ctx.out(`  - ${change}`);
    return 0;
  },
});
