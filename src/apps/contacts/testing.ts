import type { AppDb, Database } from '../../core/db/database.js';
import { databaseError, type PgErrorInfo } from '../../core/models/database-errors.js';
import { createCompany, createPerson } from './service.js';

/**
 * Helpers for the contacts tests: raw SQL in a transaction, and people and companies made
 * through the services. The database harness itself is src/core/testing/migrated-database.ts.
 */

/** Runs an SQL script in one transaction on one connection (COMMIT runs the deferred checks). */
export function inTransaction(database: Database, sql: string): Promise<void> {
  return database.withSession((session) => session.transaction((tx) => tx.exec(sql)));
}

/** Runs a script that the database must refuse, and returns the PostgreSQL error. */
export async function refused(database: Database, sql: string): Promise<PgErrorInfo> {
  const error = await inTransaction(database, sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error(`the database accepted:\n${sql}`);
  const pg = databaseError(error);
  if (!pg) throw error;
  return pg;
}

/** SQL creating person `id` with one address and one telephone (the minimum the rules allow). */
export function personSql(id: number, name = 'Ada'): string {
  return `INSERT INTO contacts_person (id, first_name, last_name) VALUES (${id}, '${name}', 'Lovelace');
INSERT INTO contacts_address (person_id, street, postal_code, city, country) VALUES (${id}, 'Main ${id}', '8000', 'Zürich', 'CH');
INSERT INTO contacts_telephone (person_id, number) VALUES (${id}, '+41446681800');`;
}

/** Creates a person through the service: by default one address and one telephone. */
export function newPerson(
  db: AppDb,
  options: { addresses?: number; telephones?: number; emails?: number; firstName?: string } = {},
) {
  const n = (count: number | undefined, fallback: number) =>
    Array.from({ length: count ?? fallback }, (_, i) => i);
  return createPerson(db, {
    person: { firstName: options.firstName ?? 'Ada', lastName: 'Lovelace' },
    addresses: n(options.addresses, 1).map((i) => ({
      street: `Street ${i + 1}`,
      postalCode: '8000',
      city: 'Zürich',
      country: 'CH',
    })),
    telephones: n(options.telephones, 1).map((i) => ({ number: `+4144668180${i}` })),
    emails: n(options.emails, 0).map((i) => ({ address: `ada${i}@example.com` })),
  });
}

/** Creates a company through the service, with one address and one telephone. */
export function newCompany(db: AppDb, name = 'Acme SA') {
  return createCompany(db, {
    company: { name },
    addresses: [{ street: 'Industriestrasse 5', postalCode: '3000', city: 'Bern', country: 'CH' }],
    telephones: [{ number: '+41313000000' }],
  });
}

/** How many primary rows of a table an owner has. */
export async function primaries(database: Database, table: string, personId: number): Promise<number> {
  const [row] = await database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table} WHERE person_id = $1 AND is_primary`,
    [personId],
  );
  return row!.n;
}
