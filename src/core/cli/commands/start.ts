import { embeddedRefusal } from '../../config/deploy-checks.js';
import { WaitTimeoutError } from '../../db/wait-for-db.js';
import { CommandError } from '../../errors.js';
import { runUntilSignal } from '../../http/run-until-signal.js';
import { defineCommand } from '../command.js';

/** The container entrypoint's default command: the seeds' entrypoint.sh, without a shell. */
export default defineCommand({
  name: 'start',
  summary: 'Wait for the database, apply migrations, then serve (the container entrypoint).',
  usage: 'slipway start',
  needsSecretKey: true,
  configDefaults: { AUTO_MIGRATE: '1' },
  async run(ctx) {
    const config = ctx.config();
    const refusal = embeddedRefusal(config);
    if (refusal) throw new CommandError(refusal);
    const log = ctx.log();
    // Until runUntilSignal takes over, a signal means "stop starting". Without a handler, PID 1
    // in a container ignores SIGTERM and `docker stop` waits for its SIGKILL. Interrupting a
    // migration is safe: each runs in a transaction that PostgreSQL rolls back.
    const stopStarting = (signal: NodeJS.Signals) => {
      log.warn({ signal }, 'signal received while starting: exiting');
      process.exit(1);
    };
    process.once('SIGTERM', stopStarting);
    process.once('SIGINT', stopStarting);
    try {
      // startServer waits for the database (DB_WAIT_TIMEOUT) and, with AUTO_MIGRATE on, migrates
      // under the advisory lock before it listens.
      // Imported here, not at the top: the server (Fastify, every app's routes and templates) is
      // a third of the CLI's start-up, and no other command needs it.
      const { startServer } = await import('../../http/start-server.js');
      const server = await startServer(config, ctx.registry(), log);
      process.off('SIGTERM', stopStarting);
      process.off('SIGINT', stopStarting);
      return await runUntilSignal(server, config, log);
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new CommandError(error.message);
      throw error;
    }
  },
});
