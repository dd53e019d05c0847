import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { RunningServer } from './start-server.js';

/**
 * Serves until SIGTERM or SIGINT, then shuts down gracefully and resolves the exit code:
 * 0 when everything closed in time, 1 when SHUTDOWN_TIMEOUT passed first (open connections are
 * then cut) or closing failed. A second signal exits at once with 1.
 */
export function runUntilSignal(server: RunningServer, config: Config, log: Logger): Promise<number> {
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal }, 'signal received: shutting down gracefully');
      const deadline = setTimeout(() => {
        log.error({ timeoutMs: config.shutdown.timeoutMs }, 'shutdown deadline passed: closing connections');
        server.app.server.closeAllConnections();
        resolve(1);
      }, config.shutdown.timeoutMs);
      deadline.unref();
      server.shutdown().then(
        () => {
          clearTimeout(deadline);
          resolve(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
