import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/database.js';
import { databaseError } from '../../core/models/database-errors.js';
import { engineName, migratedDatabase } from '../../core/testing/migrated-database.js';
import { describeOn } from '../../core/testing/test-database.js';
import { moveContact, setPrimary } from './service.js';
import { newPerson, primaries } from './testing.js';

// Two transactions switching the primary address of the same person at the same time. On
// PostgreSQL each runs on its own pool connection; PGlite runs them one after the other. Either
// way the person must end every round with exactly one primary address. And two opposite moves
// on PostgreSQL, which take the two owners' locks in the same order and so queue, never deadlock.

const ROUNDS = 50;
let t: Awaited<ReturnType<typeof migratedDatabase>>;
let database: Database;

beforeAll(async () => {
  t = await migratedDatabase();
  database = t.database;
});
afterAll(() => t.close());

/** The primary address ids of a person (exactly one is the invariant). */
const primaryIds = async (personId: number) =>
  (
    await database.query<{ id: number }>(
      'SELECT id FROM contacts_address WHERE person_id = $1 AND is_primary ORDER BY id',
      [personId],
    )
  ).map((r) => r.id);

describe(`switching primaries concurrently (${engineName})`, () => {
  it(`never leaves zero or two primaries through the service (${ROUNDS} rounds, both switches succeed)`, async () => {
    const { person, addresses } = await newPerson(database.db, { addresses: 3 });
    const [, b, c] = addresses.map((a) => a.id);
    for (let round = 0; round < ROUNDS; round++) {
      const [x, y] = round % 2 === 0 ? [b!, c!] : [c!, b!];
      const results = await Promise.allSettled([
        setPrimary(database.db, 'address', x),
        setPrimary(database.db, 'address', y),
      ]);
      // The owner's row lock queues the second switch behind the first: neither fails.
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      const ids = await primaryIds(person.id);
      expect(ids).toHaveLength(1);
      expect([x, y]).toContain(ids[0]);
    }
  });

  it(`never leaves zero or two primaries with raw SQL that takes no lock (${ROUNDS} rounds)`, async () => {
    const { person, addresses } = await newPerson(database.db, { addresses: 2 });
    const switchTo = (id: number) =>
      database.withSession((session) =>
        session.transaction(async (tx) => {
          await tx.query(
            'UPDATE contacts_address SET is_primary = false WHERE person_id = $1 AND is_primary',
            [person.id],
          );
          await tx.query('UPDATE contacts_address SET is_primary = true WHERE id = $1', [id]);
        }),
      );
    let refusedCount = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const results = await Promise.allSettled([switchTo(addresses[0]!.id), switchTo(addresses[1]!.id)]);
      for (const r of results) {
        if (r.status === 'fulfilled') continue;
        // The loser is refused by the rules (second primary, or none at COMMIT), never let through.
        expect(databaseError(r.reason)?.code).toMatch(/^23(505|514)$/);
        refusedCount++;
      }
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
      expect(await primaries(database, 'contacts_address', person.id)).toBe(1);
    }
    if (engineName === 'PGlite') expect(refusedCount).toBe(0); // serialised: both commit in turn
  });
});

describeOn(
  'postgres',
  'two opposite moves at the same time (PostgreSQL: PGlite has one connection, so nothing runs concurrently)',
  () => {
    const ownerOf = async (id: number) =>
      (
        await database.query<{ person_id: number }>('SELECT person_id FROM contacts_address WHERE id = $1', [
          id,
        ])
      )[0]!.person_id;
    /** The sessions of this database waiting for a lock, each with the sessions it waits for. */
    const waiting = () =>
      database.query<{ pid: number; blockers: number[] }>(
        `SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' ORDER BY pid`,
      );

    it('queue one behind the other, without a deadlock: both succeed at the first attempt', async () => {
      const ada = await newPerson(database.db, { addresses: 2 });
      const bea = await newPerson(database.db, { addresses: 2, firstName: 'Bea' });
      const fromAda = ada.addresses[1]!.id;
      const fromBea = bea.addresses[1]!.id;
      const deadlocksBefore = await deadlocks();
      // A third session holds both addresses, so that both moves have taken the owners' locks
      // they take before the row's, and wait. Locking the current owner and then the target (in
      // opposite orders), each would hold one owner and, once released, want the other's: a
      // deadlock. Locking both owners in one order, the first move holds both and waits for the
      // holder, and the second waits for the first.
      const { moves, holderPid, queue } = await database.withSession((holder) =>
        holder.transaction(async (tx) => {
          const [{ pid }] = (await tx.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
          await tx.query('SELECT id FROM contacts_address WHERE id = ANY($1) FOR UPDATE', [
            [fromAda, fromBea],
          ]);
          const moves = Promise.allSettled([
            moveContact(database.db, 'address', fromAda, { personId: bea.person.id }),
            moveContact(database.db, 'address', fromBea, { personId: ada.person.id }),
          ]);
          await expect.poll(async () => (await waiting()).length, { timeout: 10_000 }).toBe(2);
          // not the promise itself, which the transaction would wait for
          return { moves, holderPid: pid, queue: await waiting() };
        }),
      );
      const first = queue.find((w) => w.blockers.includes(holderPid));
      expect(first, JSON.stringify(queue)).toBeDefined();
      expect(queue.filter((w) => w !== first)).toEqual([{ pid: expect.any(Number), blockers: [first!.pid] }]);

      const results = await moves;
      for (const r of results) if (r.status === 'rejected') expect.fail(`a move failed: ${String(r.reason)}`);
      expect([await ownerOf(fromAda), await ownerOf(fromBea)]).toEqual([bea.person.id, ada.person.id]);
      expect(await primaries(database, 'contacts_address', ada.person.id)).toBe(1);
      expect(await primaries(database, 'contacts_address', bea.person.id)).toBe(1);
      // A victim's backend reports its deadlock a moment later (at most a second or so).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await deadlocks()).toBe(deadlocksBefore);
    }, 30_000);
  },
);

/** How many deadlocks PostgreSQL has detected in this database. */
async function deadlocks(): Promise<number> {
  return (
    await database.query<{ n: number }>(
      'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()',
    )
  )[0]!.n;
}
