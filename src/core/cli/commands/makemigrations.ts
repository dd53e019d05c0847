import { relative } from 'node:path';
import { readMigrationFiles } from '../../db/migrate/files.js';
import { type MakeMigrationResult, makeMigration } from '../../db/migrate/make-migration.js';
import { rollingProblems } from '../../db/migrate/rolling-safety.js';
import { migrationsDir } from '../../paths.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'makemigrations',
  summary: "Write a migration for the models' changes, with the SQL that undoes it (never prompts).",
  usage: 'slipway makemigrations [--name <name>] [--empty]',
  description:
    "Compares the installed apps' models with the newest migration snapshot and writes migrations/NNNN_<name>.sql:\n" +
    'the SQL that makes the changes, then a "-- reverse" line and the SQL that undoes them (slipway migrate --to).\n' +
    'A possible rename (something removed and something added in one place) is refused: use --empty and write the\n' +
    'SQL by hand, the migration above the "-- reverse" line and the way back below it.',
  options: { name: { type: 'string', short: 'n' }, empty: { type: 'boolean' } },
  async run(ctx, { values }) {
    const result = await makeMigration({
      dir: migrationsDir,
      schema: ctx.registry().schema,
      name: values['name'] as string | undefined,
      empty: Boolean(values['empty']),
    });
    for (const line of reportLines(result, relative(process.cwd(), migrationsDir) || migrationsDir))
      ctx.out(line);
    // What `slipway check` will stop before a rolling deploy, said now, while it is easy to rewrite.
    if (result.created && !result.empty) {
      const written = readMigrationFiles(migrationsDir).find((f) => f.name === result.name);
      for (const problem of written ? rollingProblems(written) : []) ctx.out(`Warning: ${problem}`);
    }
    return 0;
  },
});

/**
 * What makemigrations prints: the file it wrote and what it does, then that the models and the
 * migrations agree now, or, only when something still differs, what does.
 *
 * @example
 *   reportLines(result, 'migrations')
 *   // ['Created migrations/0009_question_slug.sql, which will:',
 *   //  '  - Add column "polls_question.slug"',
 *   //  'The models and the migrations agree now. Apply it with `slipway migrate`; undo it with …']
 */
export function reportLines(result: MakeMigrationResult, dir: string): string[] {
  if (!result.created) return ['No changes detected: the models and the migrations agree.'];
  const file = `${dir}/${result.name}.sql`;
  const back = `slipway migrate --to ${result.previous ?? 'zero'}`;
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
