import { WaitTimeoutError } from '../../db/wait-for-db.js';
import { CommandError } from '../../errors.js';
import { runUntilSignal } from '../../http/run-until-signal.js';
import { startServer } from '../../http/start-server.js';
import { defineCommand } from '../command.js';

export default defineCommand({
  name: 'serve',
  summary: 'Run the HTTP server (waits for the database; migrates first when AUTO_MIGRATE=1).',
  usage: 'slipway serve',
  needsSecretKey: true,
  description:
    'Listens on HOST:PORT. On SIGTERM or SIGINT, /readyz turns 503, in-flight requests finish, and the\n' +
    'process exits 0, or 1 if SHUTDOWN_TIMEOUT passes first. A second signal exits at once.',
  async run(ctx) {
    const config = ctx.config();
    const log = ctx.log();
    try {
      const server = await startServer(config, ctx.registry(), log);
      return await runUntilSignal(server, config, log);
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new CommandError(error.message);
      throw error;
    }
  },
});
