import { setTimeout as sleep } from 'node:timers/promises';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { ConcurrentUpdateError } from '../errors.js';
import type { AppDb } from './database.js';

/** SQLSTATEs after which PostgreSQL has rolled the whole transaction back, and a rerun may pass. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export interface RetryOptions {
  /** How many times the transaction runs at most, the first included (default 3). */
  readonly attempts?: number;
  /** The backoff before the second attempt, doubled before each further one; jittered (default 20 ms). */
  readonly baseDelayMs?: number;
}

/**
 * The SQLSTATE when `error` means "rolled back because of a concurrent transaction": a deadlock
 * (`40P01`) or a serialization failure (`40001`), found in Drizzle's `cause` chain, or carried
 * by a {@link ConcurrentUpdateError}; undefined for any other error.
 */
export function concurrencyFailure(error: unknown): '40001' | '40P01' | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof ConcurrentUpdateError) return current.sqlState;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE.has(code)) return code as '40001' | '40P01';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Runs `fn` in one transaction and, when PostgreSQL rolls it back for a deadlock or a
 * serialization failure, runs it again from the start: up to `attempts` times in all, after a
 * short random backoff (full jitter: 0 to 20 ms, then 0 to 40 ms), so that the two colliding
 * transactions do not meet again. When the last attempt fails too, throws
 * {@link ConcurrentUpdateError} (409, "changed at the same time, try again"). Any other error is
 * thrown unchanged, at once.
 *
 * Contract for `fn`: it is the WHOLE unit of work and may run several times, so it must do
 * nothing outside the transaction that it cannot repeat (no e-mails, no files, no counters kept
 * across attempts), and it must read afresh what it depends on.
 *
 * Inside a caller's transaction (`db` is itself a transaction) nothing is retried: the failure
 * has aborted the caller's transaction as well, so only the caller can start over. `fn` runs
 * once in a savepoint and a concurrency failure is thrown as {@link ConcurrentUpdateError},
 * which an outer `retryTransaction` recognises and retries.
 *
 * @example
 *   const moved = await retryTransaction(db, async (tx) => {
 *     await tx.select().from(person).where(eq(person.id, 1)).for('no key update');
 *     return tx.update(address).set({ personId: 1 }).where(eq(address.id, 7)).returning();
 *   });
 */
export async function retryTransaction<T>(
  db: AppDb,
  fn: (tx: AppDb) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = db instanceof PgTransaction ? 1 : Math.max(1, options.attempts ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => fn(tx as unknown as AppDb));
    } catch (error) {
      const sqlState = concurrencyFailure(error);
      if (!sqlState) throw error;
      if (attempt >= attempts)
        throw error instanceof ConcurrentUpdateError
          ? error
          : new ConcurrentUpdateError(sqlState, { cause: error });
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
  }
}
