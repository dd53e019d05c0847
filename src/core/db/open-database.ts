import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseConfig } from '../config/index.js';
import { DatabaseLockedError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Database } from './database.js';
import { EmbeddedDatabase } from './embedded.js';
import { acquireLock, isHeldLock } from './lock-file.js';
import { SOCKET_PORT } from './pglite-share.js';
import { PostgresDatabase } from './postgres.js';

export interface OpenOptions {
  log: Logger;
  /** Drizzle schema for relational queries: every installed app's tables. */
  schema?: Record<string, unknown>;
  /**
   * 'server' owns an embedded database and refuses if another process holds it.
   * 'client' (every other command) attaches through the holder's socket instead.
   */
  role: 'server' | 'client';
  /** The command name written in the lock file, for the message another process shows. */
  command?: string;
}

/** The lock file and socket folder that belong to a PGlite folder. */
export const lockPathFor = (dir: string) => `${dir}.lock`;
const socketDirFor = (dir: string) => `${dir}.run`;

/**
 * Opens the configured database.
 *
 * PostgreSQL: a lazy pool; it never fails here, `ping()` tells whether the server answers.
 * PGlite: takes the folder's lock file. If `slipway serve` already holds it, a 'client'
 * connects through the server's socket and a 'server' throws {@link DatabaseLockedError}.
 */
export async function openDatabase(config: DatabaseConfig, options: OpenOptions): Promise<Database> {
  const { log, schema = {} } = options;
  if (config.engine === 'postgres') return new PostgresDatabase(config, log, { schema });

  mkdirSync(dirname(config.dir), { recursive: true });
  const lock = acquireLock(lockPathFor(config.dir), options.command ?? options.role);
  if (isHeldLock(lock)) {
    const database = await EmbeddedDatabase.open(config.dir, lock, schema);
    if (options.role === 'server') {
      try {
        await database.share(socketDirFor(config.dir));
      } catch (error) {
        await database.close();
        throw error;
      }
    }
    return database;
  }
  const holder = lock;
  const who = `slipway ${holder.command} (pid ${holder.pid} on ${holder.hostname})`;
  if (options.role === 'server' || !holder.socketDir) {
    throw new DatabaseLockedError(
      `the embedded database in ${config.dir} is in use by ${who}. ` +
        'Stop that process first; to run several servers at once, use PostgreSQL (DATABASE_URL=postgres://…).',
    );
  }
  log.debug({ holder: who }, 'attaching to the embedded database through its socket');
  return new PostgresDatabase(
    {
      host: holder.socketDir,
      port: SOCKET_PORT,
      database: 'postgres',
      user: 'postgres',
      poolMax: 1,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 0,
      idleTimeoutMs: 1000,
    },
    log,
    { schema, engine: 'pglite', description: `PGlite in ${config.dir} (through ${who})` },
  );
}
