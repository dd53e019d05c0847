import { dirname, relative } from 'node:path';
import { readMigrationFiles } from '../../db/migrate/files.js';
import { type MakeMigrationResult, makeAppMigrations } from '../../db/migrate/make-migration.js';
import { rollingProblems } from '../../db/migrate/rolling-safety.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'makemigrations',
  summary: "Write a migration for the models' changes, with the SQL that undoes it (never prompts).",
  usage: 'slipway makemigrations [<app> ...] [--name <name>] [--empty]',
  description:
    "Compares each installed app's models with the newest snapshot in its migrations folder and, for each app\n" +
    'whose models changed, writes <its folder>/NNNN_<name>.sql (src/apps/polls/migrations/0003_<name>.sql):\n' +
    'the SQL that makes the changes, then a "-- reverse" line and the SQL that undoes them (slipway migrate).\n' +
    "A foreign key to another app's table adds a `-- depends: <app>/<migration>` line. Name apps to look at\n" +
    'those only. A possible rename (something removed and something added in one place) is refused: use\n' +
    '`--empty <app>` and write the SQL by hand, the migration above the "-- reverse" line and the way back below.',
  options: { name: { type: 'string', short: 'n' }, empty: { type: 'boolean' } },
  positionals: true,
  async run(ctx, { values, positionals }) {
    const results = await makeAppMigrations({
      apps: ctx.registry().apps,
      only: positionals,
      name: values['name'] as string | undefined,
      empty: Boolean(values['empty']),
    });
    if (results.length === 0) {
      ctx.out('No changes detected: the models and the migrations agree.');
      return 0;
    }
    for (const result of results) {
      if (!result.created) continue;
      const dir = dirname(result.path);
      for (const line of reportLines(result, relative(process.cwd(), dir) || dir)) ctx.out(line);
      // What `slipway check` will stop before a rolling deploy, said now, while it is easy to rewrite.
      if (!result.empty) {
        const written = readMigrationFiles(dir, result.app).find((f) => f.localName === result.name);
        for (const problem of written ? rollingProblems(written) : []) ctx.out(`Warning: ${problem}`);
      }
    }
    return 0;
  },
});

/**
 * What makemigrations prints: the file it wrote and what it does, then that the models and the
 * migrations agree now, or, only when something still differs, what does.
 *
 * @example
 *   reportLines(result, 'src/apps/polls/migrations')
 *   // ['Created src/apps/polls/migrations/0003_question_slug.sql, which will:',
 *   //  '  - Add column "polls_question.slug"',
 *   //  'The models and the migrations agree now. Apply it with `slipway migrate`; undo it with
 *   //   `slipway migrate polls 0002_question_pub_date_index`.']
 */
export function reportLines(result: MakeMigrationResult, dir: string): string[] {
  if (!result.created) return ['No changes detected: the models and the migrations agree.'];
  const file = `${dir}/${result.name}.sql`;
  const back = result.app
    ? `slipway migrate ${result.app} ${result.previous ?? 'zero'}`
    : `slipway migrate --to ${result.previous ?? 'zero'}`;
  const lines: string[] = [];
  if (!result.empty) lines.push(`Created ${file}, which will:`);
  else if (result.changes.length > 0)
    lines.push(
      `Created ${file} to write by hand: above its "-- reverse" line, SQL that makes these changes; below it, SQL that undoes them:`,
    );
  else
    lines.push(
      `Created ${file} to write by hand: its SQL above the "-- reverse" line, and SQL that undoes it below.`,
    );
  for (const change of result.changes) lines.push(`  - ${change}`);
  if (!result.empty && !result.reversible)
    lines.push(
      `It has no reverse: to be able to undo it (${back}), write that SQL below its "-- reverse" line.`,
    );
  if (result.remaining.length > 0) {
    lines.push('The models and the migrations still differ:');
    for (const problem of result.remaining) lines.push(`  - ${problem}`);
  } else if (result.empty)
    lines.push(
      'The models and the migrations agree now (its snapshot records the models as they are). ' +
        'Once the SQL is written, apply it with `slipway migrate`.',
    );
  else
    lines.push(
      `The models and the migrations agree now. Apply it with \`slipway migrate\`${result.reversible ? `; undo it with \`${back}\`` : ''}.`,
    );
  return lines;
}
