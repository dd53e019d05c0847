import { WaitTimeoutError } from '../../db/wait-for-db.js';
import { CommandError } from '../../errors.js';
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
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer(config, ctx.registry(), log);
    } catch (error) {
      if (error instanceof WaitTimeoutError) throw new CommandError(error.message);
      throw error;
    }
    return new Promise<number>((resolve) => {
      let signalled = false;
      const onSignal = (signal: NodeJS.Signals) => {
        if (signalled) {
          log.warn({ signal }, 'second signal: exiting now');
          process.exit(1);
        }
        signalled = true;
        log.info({ signal }, 'signal received');
        const deadline = setTimeout(() => {
          log.error(
            { timeoutMs: config.shutdown.timeoutMs },
            'shutdown deadline passed: closing connections',
          );
          server.app.server.closeAllConnections();
          resolve(1);
        }, config.shutdown.timeoutMs);
        deadline.unref();
        server.shutdown().then(
          () => {
            clearTimeout(deadline);
            resolve(0);
          },
          (error) => {
            log.error({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  },
});
