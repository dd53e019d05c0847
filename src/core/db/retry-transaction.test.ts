import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentUpdateError } from '../errors.js';
import { engineName } from '../testing/migrated-database.js';
import { createTestDatabase, describeOn, type TestDatabase } from '../testing/test-database.js';
import type { AppDb, Database } from './database.js';
import { openDatabase } from './open-database.js';
import { concurrencyFailure, retryTransaction } from './retry-transaction.js';

// retryTransaction on a real database. A trigger raises the SQLSTATEs of a deadlock and a
// serialization failure on demand (both engines); the real deadlock needs two connections, so
// it runs on PostgreSQL only.

let testDb: TestDatabase;
let database: Database;
let db: AppDb;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log: pino({ level: 'silent' }), role: 'client' });
  db = database.db;
  // A write to probe row 1 fails with the SQLSTATE in probe_control.fail_with while the sequence
  // `failures` (which no rollback resets) is at most fail_times.
  await database.exec(`
    CREATE TABLE probe (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);
    CREATE TABLE probe_control (fail_with text, fail_times int NOT NULL DEFAULT 0);
    CREATE SEQUENCE failures;
    CREATE FUNCTION probe_fail() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE c probe_control;
    BEGIN
      SELECT * INTO c FROM probe_control;
      IF NEW.id = 1 AND c.fail_with IS NOT NULL THEN
        IF nextval('failures') <= c.fail_times THEN
          RAISE EXCEPTION 'forced %', c.fail_with USING ERRCODE = c.fail_with;
        END IF;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER probe_fail BEFORE UPDATE ON probe FOR EACH ROW EXECUTE FUNCTION probe_fail();
    INSERT INTO probe (id) VALUES (1), (2);
    INSERT INTO probe_control (fail_with) VALUES (NULL);`);
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

/** Resets the counts, and makes the next `times` writes of row 1 fail with `sqlState`. */
async function failNext(sqlState: string | null, times = 0) {
  await database.exec(
    'UPDATE probe_control SET fail_with = NULL; UPDATE probe SET n = 0; ALTER SEQUENCE failures RESTART WITH 1',
  );
  await database.query('UPDATE probe_control SET fail_with = $1, fail_times = $2', [sqlState, times]);
}

const bump = (tx: AppDb, id: number) => tx.execute(sql`UPDATE probe SET n = n + 1 WHERE id = ${id}`);
const countOf = async (id: number) =>
  (await database.query<{ n: number }>('SELECT n FROM probe WHERE id = $1', [id]))[0]!.n;

describe(`retryTransaction (${engineName})`, () => {
  for (const sqlState of ['40001', '40P01'] as const) {
    it(`reruns the whole transaction after ${sqlState}, and returns what the attempt that passed returned`, async () => {
      await failNext(sqlState, 2);
      let calls = 0;
      const result = await retryTransaction(db, async (tx) => {
        calls++;
        await bump(tx, 1);
        return `attempt ${calls}`;
      });
      expect(result).toBe('attempt 3');
      expect(calls).toBe(3);
      expect(await countOf(1)).toBe(1); // the failed attempts were rolled back
    });

    it(`gives up after three attempts with ConcurrentUpdateError (409) after ${sqlState}`, async () => {
      await failNext(sqlState, 100);
      let calls = 0;
      const error = await retryTransaction(db, async (tx) => {
        calls++;
        await bump(tx, 1);
      }).catch((e: unknown) => e);
      expect(calls).toBe(3);
      expect(error).toBeInstanceOf(ConcurrentUpdateError);
      expect(error).toMatchObject({ status: 409, sqlState, code: 'SLIPWAY_CONCURRENT_UPDATE' });
      expect((error as Error).message).toBe(
        'The record was changed by someone else at the same time, so nothing was saved. Please try again.',
      );
      expect(concurrencyFailure((error as Error).cause)).toBe(sqlState);
      expect(await countOf(1)).toBe(0);
    });
  }

  it('throws any other error at once, unchanged', async () => {
    await failNext('23514', 100);
    let calls = 0;
    const error = await retryTransaction(db, async (tx) => {
      calls++;
      await bump(tx, 1);
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).not.toBeInstanceOf(ConcurrentUpdateError);
    expect(concurrencyFailure(error)).toBeUndefined();
  });

  it('retries nothing inside a caller’s transaction, and lets the caller’s retryTransaction rerun it all', async () => {
    await failNext('40001', 100);
    let inner = 0;
    const error = await db
      .transaction((tx) =>
        retryTransaction(tx as unknown as AppDb, async (savepoint) => {
          inner++;
          await bump(savepoint, 1);
        }),
      )
      .catch((e: unknown) => e);
    expect(inner).toBe(1);
    expect(error).toBeInstanceOf(ConcurrentUpdateError);

    await failNext('40001', 2);
    let outer = 0;
    inner = 0;
    await retryTransaction(db, async (tx) => {
      outer++;
      await bump(tx, 2);
      await retryTransaction(tx, async (savepoint) => {
        inner++;
        await bump(savepoint, 1);
      });
    });
    expect([outer, inner]).toEqual([3, 3]);
    expect(await countOf(1)).toBe(1);
  });
});

describeOn(
  'postgres',
  'retryTransaction on a real deadlock (PostgreSQL: PGlite has one connection, so it cannot deadlock)',
  () => {
    /**
     * Two transactions that each lock one row, wait until both hold theirs, then lock the other's:
     * PostgreSQL aborts one of them with 40P01 (after deadlock_timeout, 1 s by default). Only the
     * first attempt waits at the barrier, so a rerun goes straight through.
     */
    function opposite(attempts: number) {
      const calls = [0, 0];
      let arrived = 0;
      let release!: () => void;
      const barrier = new Promise<void>((resolve) => {
        release = resolve;
      });
      const run = (who: 0 | 1, first: number, second: number) =>
        retryTransaction(
          db,
          async (tx) => {
            calls[who]!++;
            await bump(tx, first);
            if (calls[who] === 1) {
              if (++arrived === 2) release();
              await barrier;
            }
            await bump(tx, second);
            return who;
          },
          { attempts },
        );
      return { calls, results: Promise.allSettled([run(0, 1, 2), run(1, 2, 1)]) };
    }

    it('reruns the transaction PostgreSQL chose as the deadlock victim: both commit', async () => {
      await failNext(null);
      const { calls, results } = opposite(3);
      expect((await results).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect([...calls].sort()).toEqual([1, 2]); // the victim ran twice
      expect([await countOf(1), await countOf(2)]).toEqual([2, 2]);
    }, 20_000);

    it('without retries, the victim fails with ConcurrentUpdateError (40P01) and the other commits', async () => {
      await failNext(null);
      const { calls, results } = opposite(1);
      const settled = await results;
      expect(calls).toEqual([1, 1]);
      const failed = settled.filter((r) => r.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.reason).toBeInstanceOf(ConcurrentUpdateError);
      expect(failed[0]!.reason).toMatchObject({ sqlState: '40P01', status: 409 });
      expect([await countOf(1), await countOf(2)]).toEqual([1, 1]);
    }, 20_000);
  },
);
