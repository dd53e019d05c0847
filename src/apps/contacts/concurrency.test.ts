import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseError } from '../../core/admin/services/constraint-errors.js';
import type { Database } from '../../core/db/database.js';
import { engineName, migratedDatabase } from '../../core/testing/migrated-database.js';
import { setPrimary } from './service.js';
import { newPerson, primaries } from './testing.js';

// Two transactions switching the primary address of the same person at the same time. On
// PostgreSQL each runs on its own pool connection; PGlite runs them one after the other. Either
// way the person must end every round with exactly one primary address.

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
