import pino from 'pino';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import type { TestDatabase } from './test-database.js';

/**
 * Opens a test database, runs `fn` and closes it again, for tests whose subject is a
 * subprocess: an embedded (PGlite) database admits one process at a time, so the test must not
 * keep it open while `slipway <command>` runs.
 *
 * @example
 *   await withDatabase(testDb, (database) => createUser(database.db, { username: 'a', password }));
 */
export async function withDatabase<T>(
  testDb: TestDatabase,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await openDatabase(testDb.config, { log: pino({ level: 'silent' }), role: 'client' });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Runs one statement with {@link withDatabase} and returns its rows. */
export function queryDatabase<T = Record<string, unknown>>(
  testDb: TestDatabase,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  return withDatabase(testDb, (database) => database.query<T>(sql, params));
}
