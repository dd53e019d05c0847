import type { FastifyInstance } from 'fastify';
import { migrateApps } from '../apps/migrate-apps.js';
import { projectMigrations } from '../apps/project-migrations.js';
import type { AppRegistry } from '../apps/registry.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { openDatabase } from '../db/open-database.js';
import { waitForDatabase } from '../db/wait-for-db.js';
import type { Logger } from '../log.js';
import { buildServer } from './build-server.js';
import type { Lifecycle } from './health.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly url: string;
  /**
   * Stops gracefully: 1. /readyz turns 503; 2. waits SHUTDOWN_DELAY so the proxy notices;
   * 3. stops accepting connections and lets in-flight requests finish; 4. closes the database.
   */
  shutdown(): Promise<void>;
}

/**
 * Boots `slipway serve`: waits for the database, opens it as its owner, migrates when
 * AUTO_MIGRATE is on, and listens. Anything that fails closes what was opened.
 */
export async function startServer(
  config: Config,
  registry: AppRegistry,
  log: Logger,
  options: { migrations?: readonly MigrationFile[] } = {},
): Promise<RunningServer> {
  await waitForDatabase(config.database, {
    timeoutMs: config.database.waitTimeoutMs,
    report: (line) => log.warn(line),
  });
  const database = await openDatabase(config.database, {
    log,
    schema: registry.schema,
    role: 'server',
    command: 'serve',
  });
  try {
    const migrations = options.migrations ?? projectMigrations(registry.apps);
    if (config.autoMigrate) await migrateApps(database, registry, migrations, { log });
    const lifecycle: Lifecycle = { draining: false };
    const app = await buildServer({ config, database, log, registry, migrations, lifecycle });
    const url = await app.listen({ host: config.host, port: config.port });
    log.info({ database: database.description }, `listening on ${url}`);
    let stopping: Promise<void> | undefined;
    return {
      app,
      database,
      url,
      shutdown() {
        stopping ??= (async () => {
          lifecycle.draining = true;
          log.info('shutting down: readiness is now 503');
          if (config.shutdown.delayMs > 0) await new Promise((r) => setTimeout(r, config.shutdown.delayMs));
          lifecycle.closing = true;
          await app.close();
          await database.close();
          log.info('shutdown complete');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
