import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { CommandError } from '../../errors.js';
import { chooseModels, dumpData } from '../../fixtures/dump.js';
import { fixtureModels } from '../../fixtures/models.js';
import { EXCLUDED_BY_DEFAULT } from '../../fixtures/natural-keys.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'dumpdata',
  summary: "Write the installed apps' data as JSON for loaddata (every model, or the apps and models named).",
  usage: 'slipway dumpdata [app[.model]…] [-e app[.model]]… [-o <file>] [--indent <n>]',
  description:
    'Django\'s format: [{"model": "polls.question", "pk": 1, "fields": {"questionText": "…", "pubDate": "2026-…Z"}}],\n' +
    'fields named as in the models; timestamps in ISO 8601 UTC with microseconds; bigint and numeric as strings;\n' +
    'jsonb as JSON. Models come in dependency order, rows by primary key, from one consistent snapshot.\n' +
    `Left out unless named as app.model: ${Object.entries(EXCLUDED_BY_DEFAULT)
      .map(([m, why]) => `${m} (${why})`)
      .join(', ')}.\n` +
    'Permissions are referred to by codename. The migrations table is never dumped.\n' +
    "The dump INCLUDES users' password hashes and API tokens' hashes, as Django's does: keep it as secret as the database.\n" +
    '-o writes <file>.tmp and renames it to <file> once complete; without -o the JSON goes to stdout.',
  positionals: true,
  options: {
    output: { type: 'string', short: 'o' },
    indent: { type: 'string' },
    exclude: { type: 'string', short: 'e', multiple: true },
  },
  async run(ctx, { values, positionals }) {
    const indent = indentOption(values['indent']);
    const options = {
      only: positionals,
      exclude: (values['exclude'] as string[] | undefined) ?? [],
      ...(indent !== undefined ? { indent } : {}),
    };
    chooseModels(fixtureModels(ctx.registry()), options); // unknown names fail before connecting
    const database = await ctx.database();
    const output = values['output'] as string | undefined;
    if (!output) {
      await dumpData(database, ctx.registry(), options, ctx.out);
      return 0;
    }
    const tmp = `${output}.tmp`;
    let fd: number;
    try {
      fd = openSync(tmp, 'w');
    } catch (error) {
      throw new CommandError(`cannot write ${tmp}: ${(error as Error).message}`);
    }
    try {
      const count = await dumpData(database, ctx.registry(), options, (line) => writeSync(fd, `${line}\n`));
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, output);
      ctx.out(`Wrote ${count} object(s) to ${output}`);
      return 0;
    } catch (error) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(tmp, { force: true });
      throw error;
    }
  },
});

function indentOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10)
    throw new CommandError(`--indent expects a number of spaces from 0 to 10, got "${String(value)}"`);
  return n;
}
