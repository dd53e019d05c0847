import { and, eq } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import {
  type ContactKind,
  type ContactRow,
  lockOwner,
  lockOwners,
  type Owner,
  ownerCondition,
  ownerOf,
  tableOf,
} from './owned.js';

/**
 * The write parts of the contacts services: what happens to the rows once the input is valid,
 * inside a transaction the caller holds. The services (primary.ts, service.ts) clean their typed
 * input and run these in their own transaction; the contacts models' `save` and `delete` hooks
 * (models.ts) run them in the model layer's transaction, for the admin and the API. So every
 * writer of an address, telephone or e-mail locks the owners in one order, demotes the old
 * primary first and lets the database refuse what it must, in the same code.
 *
 * They translate nothing: a refusal of the database (migration contacts/0002_primary_objects)
 * is thrown as the driver's error, and each caller words it once: the services as the errors of
 * errors.ts (contactsError), the model layer as a FieldError on the field or child row it
 * concerns (mapDatabaseError). A row that no longer exists gives `undefined`.
 */

/** The columns a write may set: any of the row's but its key and timestamps. */
export type ContactValues<K extends ContactKind> = Partial<
  Omit<ContactRow<K>, 'id' | 'createdAt' | 'updatedAt'>
>;

/** Demotes the owner's primary row of this kind, if any (the first half of a switch). */
async function demote(tx: AppDb, kind: ContactKind, owner: Owner): Promise<void> {
  const table = tableOf(kind);
  await tx
    .update(table)
    .set({ isPrimary: false })
    .where(and(ownerCondition(kind, owner), eq(table.isPrimary, true)));
}

/**
 * Finds a row and locks its owner, and `also(row)` (a move's target) with it, in the fixed order
 * of {@link lockOwners}; re-reads the row once locked (a row that is not primary may have moved
 * meanwhile, to an owner that is then locked too). Undefined when the row does not exist.
 */
export async function lockRow<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  id: number,
  also?: (row: ContactRow<ContactKind>) => Owner | undefined,
): Promise<ContactRow<K> | undefined> {
  const table = tableOf(kind);
  for (let attempt = 0; attempt < 3; attempt++) {
    const [before] = await tx.select().from(table).where(eq(table.id, id));
    if (!before) return undefined;
    const target = also?.(before);
    await lockOwners(tx, target ? [ownerOf(before), target] : [ownerOf(before)]);
    const [row] = await tx.select().from(table).where(eq(table.id, id)).for('update');
    if (!row) return undefined;
    if (row.personId === before.personId && row.companyId === before.companyId) return row as ContactRow<K>;
  }
  return undefined;
}

/**
 * The owner a change gives the row when it is another one than `row`'s; undefined when the
 * owner stays, or when the change leaves no single owner (the row's owner CHECK refuses that).
 */
function newOwner(row: ContactRow<ContactKind>, changes: ContactValues<ContactKind>): Owner | undefined {
  const personId = changes.personId === undefined ? row.personId : changes.personId;
  const companyId = changes.companyId === undefined ? row.companyId : changes.companyId;
  if ((personId === null) === (companyId === null)) return undefined;
  if (personId === row.personId && companyId === row.companyId) return undefined;
  return personId !== null ? { personId } : { companyId: companyId! };
}

/**
 * Inserts an address, telephone or e-mail for `owner`: locks the owner's row (so a concurrent
 * switch on the same owner queues), demotes its primary row of this kind when `values.isPrimary`
 * is set, then inserts. A row that is not marked primary becomes primary when the owner has none
 * of its kind (the database's trigger). Throws ContactNotFoundError when the owner does not exist.
 *
 * @example
 *   await inTransaction(db, (tx) => insertContact(tx, 'telephone', { personId: 7 }, { number: '+41791234567', isPrimary: true }));
 */
export async function insertContact<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  owner: Owner,
  values: ContactValues<K>,
): Promise<ContactRow<K>> {
  await lockOwner(tx, owner);
  if (values.isPrimary) await demote(tx, kind, owner);
  const [row] = await tx
    .insert(tableOf(kind))
    .values({ ...values, personId: owner.personId ?? null, companyId: owner.companyId ?? null } as never)
    .returning();
  return row as ContactRow<K>;
}

/**
 * Changes a row. A move (`personId` or `companyId` changed) locks both owners in the order of
 * {@link lockOwners}, so two opposite moves queue instead of deadlocking; the database refuses
 * moving a primary row. `isPrimary: true` on a row that is not primary demotes the (new) owner's
 * primary first; `isPrimary: false` on the primary row is refused at COMMIT. Changes equal to
 * the row's values write nothing. Undefined when the row no longer exists.
 *
 * @example
 *   await changeContact(tx, 'address', { id: 12 }, { companyId: 4, personId: null }); // a move
 *   await changeContact(tx, 'address', { id: 12 }, { isPrimary: true });              // a switch
 */
export async function changeContact<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  original: { readonly id: number },
  changes: ContactValues<K>,
): Promise<ContactRow<K> | undefined> {
  const row = await lockRow(tx, kind, original.id, (before) => newOwner(before, changes));
  if (!row) return undefined;
  const changed = Object.entries(changes).filter(
    ([key, value]) => value !== undefined && value !== (row as Record<string, unknown>)[key],
  );
  if (changed.length === 0) return row;
  // Locked now: the row's owner cannot change under us, so the target is read again from it.
  const to = newOwner(row, changes) ?? ownerOf(row);
  if (changes.isPrimary === true && !row.isPrimary) await demote(tx, kind, to);
  const table = tableOf(kind);
  const [updated] = await tx
    .update(table)
    .set(Object.fromEntries(changed) as never)
    .where(eq(table.id, original.id))
    .returning();
  return updated as ContactRow<K> | undefined;
}

/**
 * Deletes a row, its owner locked first. The database refuses the primary row while its owner
 * has others, and an owner's only address or telephone. Undefined when the row no longer exists.
 *
 * @example
 *   await removeContact(tx, 'email', { id: 31 });
 */
export async function removeContact<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  row: { readonly id: number },
): Promise<ContactRow<K> | undefined> {
  if (!(await lockRow(tx, kind, row.id))) return undefined;
  const table = tableOf(kind);
  const [deleted] = await tx.delete(table).where(eq(table.id, row.id)).returning();
  return deleted as ContactRow<K> | undefined;
}
