import cluster from 'node:cluster';
import { runPrimary } from '../../cluster/run-primary.js';
import { announceReady, resolveWorkers } from '../../cluster/workers.js';
import { embeddedRefusal } from '../../config/deploy-checks.js';
import { WaitTimeoutError } from '../../db/wait-for-db.js';
import { CommandError } from '../../errors.js';
import { runUntilSignal } from '../../http/run-until-signal.js';
import { defineCommand } from '../command.js';

/** What `help serve` and `help start` say about workers. */
export const WORKERS_HELP =
  "--workers N (or WEB_CONCURRENCY; auto: one per CPU, the image's default) runs N worker processes\n" +
  'sharing the port, each with its own database pool; the primary restarts a worker that dies and,\n' +
  'on SIGTERM, stops them all gracefully within SHUTDOWN_TIMEOUT. PGlite serves from one worker only.';

/** The container entrypoint's default command: the seeds' entrypoint.sh, without a shell. */
export default defineCommand({
  name: 'start',
  summary: 'Wait for the database, apply migrations, then serve (the container entrypoint).',
  usage: 'slipway start [--workers N|auto]',
  description: WORKERS_HELP,
  options: { workers: { type: 'string' } },
  needsSecretKey: true,
  configDefaults: { AUTO_MIGRATE: '1' },
  async run(ctx, args) {
    const config = ctx.config();
    const refusal = embeddedRefusal(config);
    if (refusal) throw new CommandError(refusal);
    // A worker's lines say which worker wrote them: they share the primary's stdout.
    const log = cluster.isWorker
      ? ctx.log().child({ worker: cluster.worker?.id, pid: process.pid })
      : ctx.log();
    const workers = resolveWorkers(args.values['workers'] as string | undefined, config);
    if (workers > 1 && cluster.isPrimary) return runPrimary(workers, config, log);
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
      const stopped = runUntilSignal(server, config, log);
      announceReady();
      return await stopped;
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new CommandError(error.message);
      throw error;
    }
  },
});
