import { eq, type SQL } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { retryTransaction } from '../../core/db/retry-transaction.js';
import { ContactNotFoundError, contactsError } from './errors.js';
import { address, company, email, person, telephone } from './schema.js';

/**
 * What the services share about the rows an owner has: addresses, telephones and e-mails. The
 * three tables have the same id, person_id, company_id and is_primary columns.
 */

export type ContactKind = 'address' | 'telephone' | 'email';
export const contactTables = { address, telephone, email } as const;
export type ContactRow<K extends ContactKind> = (typeof contactTables)[K]['$inferSelect'];
export type AnyContactRow = ContactRow<ContactKind>;

/** Who a contact belongs to: exactly one of the two. */
export type Owner = { personId: number; companyId?: undefined } | { companyId: number; personId?: undefined };

export const NOUNS: Readonly<Record<ContactKind, string>> = {
  address: 'address',
  telephone: 'telephone',
  email: 'e-mail address',
};

/** The table of a kind, typed by its shared columns (any of the three would do). */
export const tableOf = (kind: ContactKind) => contactTables[kind] as unknown as typeof email;

export function isContactKind(kind: unknown): kind is ContactKind {
  return typeof kind === 'string' && Object.hasOwn(contactTables, kind);
}

/**
 * Runs `fn` in one transaction (a savepoint inside a caller's) and turns the database's
 * primary-object refusals, including those raised at COMMIT, into the errors of errors.ts. A
 * deadlock or serialization failure reruns `fn` (see {@link retryTransaction}), then gives up
 * with ConcurrentUpdateError (409): each service's `fn` is its whole unit of work.
 */
export async function inTransaction<T>(
  db: AppDb,
  fn: (tx: AppDb) => Promise<T>,
  during?: 'delete',
): Promise<T> {
  try {
    return await retryTransaction(db, fn);
  } catch (error) {
    throw contactsError(error, during) ?? error;
  }
}

export const ownerCondition = (kind: ContactKind, owner: Owner): SQL =>
  owner.personId !== undefined
    ? eq(tableOf(kind).personId, owner.personId)
    : eq(tableOf(kind).companyId, owner.companyId!);

export const ownerOf = (row: { personId: number | null; companyId: number | null }): Owner =>
  row.personId !== null ? { personId: row.personId } : { companyId: row.companyId! };

/**
 * Locks the owner's row until COMMIT (FOR NO KEY UPDATE, which inserts of its children do not
 * wait for), so that concurrent changes to its primaries queue up instead of failing. Throws
 * {@link ContactNotFoundError} when it does not exist.
 */
export async function lockOwner(tx: AppDb, owner: Owner): Promise<void> {
  await lockOwners(tx, [owner]);
}

/**
 * Locks several owners' rows as {@link lockOwner} does, always in the same order whatever the
 * order given: people before companies, each by id. Two transactions that need the same two
 * owners (moving a row from A to B, and another from B to A) then queue on the first of them
 * instead of each holding one and waiting for the other, which PostgreSQL would end as a
 * deadlock. Locks nothing more than once.
 *
 * @example
 *   await lockOwners(tx, [{ personId: 9 }, { personId: 4 }]); // locks person 4, then person 9
 */
export async function lockOwners(tx: AppDb, owners: readonly Owner[]): Promise<void> {
  const rank = (o: Owner): [number, number] =>
    o.personId !== undefined ? [0, o.personId] : [1, o.companyId!];
  const unique = new Map(owners.map((o) => [rank(o).join(':'), o]));
  const sorted = [...unique.values()].sort((a, b) => {
    const [[ta, ia], [tb, ib]] = [rank(a), rank(b)];
    return ta - tb || ia - ib;
  });
  for (const owner of sorted) {
    const found =
      owner.personId !== undefined
        ? await tx
            .select({ id: person.id })
            .from(person)
            .where(eq(person.id, owner.personId))
            .for('no key update')
        : await tx
            .select({ id: company.id })
            .from(company)
            .where(eq(company.id, owner.companyId!))
            .for('no key update');
    if (found.length === 0)
      throw new ContactNotFoundError(
        owner.personId !== undefined ? 'person' : 'company',
        owner.personId ?? owner.companyId,
      );
  }
}
