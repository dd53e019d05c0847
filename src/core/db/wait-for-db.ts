import pg from 'pg';
import type { DatabaseConfig } from '../config/index.js';
import { describeDatabase } from '../config/index.js';
import { describeDbError, isPermanentConnectError } from './unavailable.js';

export interface WaitOptions {
  timeoutMs: number;
  /** Called with one line per failed attempt, and once when the database answers. */
  report: (line: string) => void;
  /** First delay between attempts; it doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export class WaitTimeoutError extends Error {}

/**
 * Retries with exponential backoff until the database answers `SELECT 1`, or throws
 * {@link WaitTimeoutError} with the last reason once `timeoutMs` has passed. A wrong password or
 * an unknown database stops at once: waiting will not fix them. PGlite is embedded: nothing to wait for.
 *
 * @example
 *   await waitForDatabase(config.database, { timeoutMs: 60_000, report: console.log });
 */
export async function waitForDatabase(config: DatabaseConfig, options: WaitOptions): Promise<void> {
  if (config.engine === 'pglite') return;
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  let delay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    try {
      await probe(config, Math.max(100, Math.min(config.connectTimeoutMs, remaining)));
      if (attempt > 1)
        options.report(`database is ready after ${attempt} attempts (${describeDatabase(config)})`);
      return;
    } catch (error) {
      const reason = describeDbError(error);
      if (isPermanentConnectError(error)) throw new WaitTimeoutError(`cannot use the database: ${reason}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        const waited = ((Date.now() - started) / 1000).toFixed(1);
        throw new WaitTimeoutError(`database not ready after ${waited}s (${attempt} attempts): ${reason}`);
      }
      const wait = Math.min(delay, left);
      options.report(
        `waiting for the database (attempt ${attempt}): ${reason}; retrying in ${(wait / 1000).toFixed(1)}s`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}

/**
 * `SELECT 1` on the first host that answers: with several (SQL_HOST=db,db-replica), a server that
 * restarts after a failover must not wait for the old primary, which may be gone.
 */
async function probe(
  config: Extract<DatabaseConfig, { engine: 'postgres' }>,
  timeoutMs: number,
): Promise<void> {
  const hosts = config.hosts ?? [{ host: config.host, port: config.port }];
  let failure: unknown;
  for (const target of hosts) {
    try {
      return await probeOne(config, target, timeoutMs);
    } catch (error) {
      if (isPermanentConnectError(error)) throw error;
      failure ??= error;
    }
  }
  throw failure;
}

async function probeOne(
  config: Extract<DatabaseConfig, { engine: 'postgres' }>,
  target: { host: string; port: number },
  timeoutMs: number,
): Promise<void> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
    database: config.database,
    user: config.user,
    password: config.password,
    ssl: config.sslmode === 'disable' ? false : { rejectUnauthorized: config.sslmode === 'verify-full' },
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => undefined); // reported through the rejected promise instead
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
