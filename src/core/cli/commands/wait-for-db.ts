import { describeDatabase } from '../../config/index.js';
import { WaitTimeoutError, waitForDatabase } from '../../db/wait-for-db.js';
import { CommandError } from '../../errors.js';
import { defineCommand } from '../command.js';
import { secondsOption } from '../options.js';

export default defineCommand({
  name: 'wait-for-db',
  summary: 'Wait until the database answers a query, retrying with backoff.',
  usage: 'slipway wait-for-db [--timeout <seconds>]',
  description:
    'Prints one line per failed attempt. Exits 1 with the last error when the timeout passes (default DB_WAIT_TIMEOUT, 60 s).',
  options: { timeout: { type: 'string', short: 't' } },
  async run(ctx, { values }) {
    const config = ctx.config();
    const timeoutMs = secondsOption(values['timeout'], '--timeout') ?? config.database.waitTimeoutMs;
    try {
      await waitForDatabase(config.database, { timeoutMs, report: ctx.err });
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new CommandError(error.message);
      throw error;
    }
    if (config.database.engine === 'pglite') await (await ctx.database()).ping();
    ctx.out(`database is ready: ${describeDatabase(config.database)}`);
    return 0;
  },
});
