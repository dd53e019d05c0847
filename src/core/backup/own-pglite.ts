import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { acquireLock, type HeldLock, isHeldLock } from '../db/lock-file.js';
import { lockPathFor } from '../db/open-database.js';
import { BackupError } from './errors.js';

/** An embedded database this process holds alone, and how to let it go. */
export interface OwnedPglite {
  readonly pg: PGlite;
  close(): Promise<void>;
}

/**
 * Takes the PGlite folder `dir` for this process alone (its lock file, as `serve` does) and
 * opens it. PGlite's pg_dump runs inside the process that holds the database, and a restore
 * swaps the folder, so neither can work through a running server's socket: this refuses,
 * naming the server, instead.
 */
export async function ownPglite(dir: string, command: string): Promise<OwnedPglite> {
  const lock = lockPglite(dir, command);
  try {
    const pg = await PGlite.create({ dataDir: dir });
    return {
      pg,
      async close() {
        try {
          await pg.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Takes the lock file of the PGlite folder `dir` (without opening it), or refuses naming its holder. */
export function lockPglite(dir: string, command: string): HeldLock {
  mkdirSync(dirname(dir), { recursive: true });
  const lock = acquireLock(lockPathFor(dir), `backup ${command}`);
  if (isHeldLock(lock)) return lock;
  throw new BackupError(
    `the embedded database in ${dir} is in use by slipway ${lock.command} (pid ${lock.pid} on ${lock.hostname}): ` +
      `stop it first (with PGlite, backup ${command} needs the database to itself; PostgreSQL has no such limit)`,
  );
}
