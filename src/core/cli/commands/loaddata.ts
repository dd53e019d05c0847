import { CommandError } from '../../errors.js';
import { loadData } from '../../fixtures/load.js';
import { readFixtureFiles } from '../../fixtures/records.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'loaddata',
  writes: true,
  summary: 'Load fixtures written by dumpdata: upsert every record, in ONE transaction, in dependency order.',
  usage: 'slipway loaddata <file>…',
  description:
    'Each record is inserted, or updates the row with the same primary key. Models are loaded in the order their\n' +
    "foreign keys need, whatever the files' order. Afterwards each serial/identity sequence is moved past the\n" +
    'largest id, so new rows do not collide. Any invalid record (unknown model or field, a value of the wrong\n' +
    'type, a constraint violation, a reference to a missing row) rolls everything back; the message names the\n' +
    "file, the record index, its model and pk, and the field, and words the database's refusal as the admin does\n" +
    '("Enter a valid e-mail address."). Permissions may be given by codename.\n' +
    "Loading is raw, like Django's: the tables' BEFORE ROW triggers (first address becomes primary, touch\n" +
    'updated_at…) are off while it writes, so the data comes back as dumped; constraints, constraint triggers\n' +
    'and AFTER triggers still apply. Attachments: only their metadata is in fixtures; copy MEDIA_ROOT too.',
  positionals: true,
  async run(ctx, { positionals }) {
    if (positionals.length === 0)
      throw new CommandError('name at least one fixture file. Usage: slipway loaddata <file>…');
    const sources = readFixtureFiles(positionals);
    const database = await ctx.database();
    const result = await loadData(database, ctx.registry(), sources);
    ctx.out(`Installed ${result.objects} object(s) from ${sources.length} fixture(s)`);
    return 0;
  },
});
