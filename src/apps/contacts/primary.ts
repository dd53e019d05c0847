import { and, eq } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { ContactNotFoundError } from './errors.js';
import {
  type ContactKind,
  type ContactRow,
  inTransaction,
  lockOwner,
  lockOwners,
  NOUNS,
  type Owner,
  ownerCondition,
  ownerOf,
  tableOf,
} from './owned.js';
import { normalizePhoneNumber, type PhoneResult } from './phone.js';
import { address } from './schema.js';
import {
  type AddressInput,
  cleanAddress,
  cleanEmail,
  cleanTelephone,
  type EmailInput,
  FieldErrors,
  type TelephoneInput,
} from './validate.js';

/**
 * Changes to one address, telephone or e-mail: adding, editing, switching the primary, moving
 * and deleting. Each runs in one transaction that first locks the owner's row, so two of them
 * on the same owner run one after the other. The database has the last word (migration
 * contacts/0002_primary_objects): what it refuses comes back as the errors of errors.ts.
 */

export type ContactInput<K extends ContactKind> = K extends 'address'
  ? AddressInput
  : K extends 'telephone'
    ? TelephoneInput
    : EmailInput;

export interface ContactOptions {
  /** The country of national telephone numbers; by default the owner's primary address's. */
  defaultCountry?: string;
}

/** The country of the owner's primary address: the default for its national telephone numbers. */
export async function primaryCountry(tx: AppDb, owner: Owner): Promise<string | undefined> {
  const [row] = await tx
    .select({ country: address.country })
    .from(address)
    .where(and(ownerCondition('address', owner), eq(address.isPrimary, true)));
  return row?.country;
}

/**
 * A telephone number as stored (E.164), or why not: a national number is read in
 * `defaultCountry`, else in the country of the owner's primary address. The one reading of a
 * number, for the services and the admin's telephone form alike.
 *
 * @example
 *   await ownerTelephone(db, { personId: 7 }, '044 668 18 00') // { ok: true, e164: '+41446681800' } (a Swiss primary address)
 */
export async function ownerTelephone(
  db: AppDb,
  owner: Owner | undefined,
  raw: string,
  defaultCountry?: string,
): Promise<PhoneResult> {
  return normalizePhoneNumber(raw, defaultCountry ?? (owner ? await primaryCountry(db, owner) : undefined));
}

async function clean<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  owner: Owner,
  input: ContactInput<K>,
  options: ContactOptions,
) {
  const errors = new FieldErrors();
  const values =
    kind === 'address'
      ? cleanAddress(input as AddressInput, '', errors)
      : kind === 'telephone'
        ? cleanTelephone(
            input as TelephoneInput,
            '',
            errors,
            options.defaultCountry ?? (await primaryCountry(tx, owner)),
          )
        : cleanEmail(input as EmailInput, '', errors);
  errors.throwIfAny();
  return values;
}

/** Demotes the owner's primary row of this kind, if any (the first half of a switch). */
async function demote(tx: AppDb, kind: ContactKind, owner: Owner): Promise<void> {
  const table = tableOf(kind);
  await tx
    .update(table)
    .set({ isPrimary: false })
    .where(and(ownerCondition(kind, owner), eq(table.isPrimary, true)));
}

/**
 * Finds a row and locks its owner, and `also` (a move's target) with it, in the fixed order of
 * {@link lockOwners}; re-reads the row once locked (a row that is not primary may have moved
 * meanwhile, to an owner that is then locked too).
 */
async function lockedRow<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  id: number,
  also?: Owner,
): Promise<ContactRow<K>> {
  const table = tableOf(kind);
  for (let attempt = 0; attempt < 3; attempt++) {
    const [before] = await tx.select().from(table).where(eq(table.id, id));
    if (!before) break;
    await lockOwners(tx, also ? [ownerOf(before), also] : [ownerOf(before)]);
    const [row] = await tx.select().from(table).where(eq(table.id, id)).for('update');
    if (!row) break;
    if (row.personId === before.personId && row.companyId === before.companyId) return row as ContactRow<K>;
  }
  throw new ContactNotFoundError(NOUNS[kind], id);
}

/**
 * Adds an address, telephone or e-mail to a person or company. It becomes primary when the owner
 * has no primary one, or when `isPrimary` is set (the old primary is demoted in the same
 * transaction).
 *
 * @example
 *   await addContact(db, 'telephone', { personId: 7 }, { number: '079 123 45 67', isPrimary: true });
 */
export async function addContact<K extends ContactKind>(
  db: AppDb,
  kind: K,
  owner: Owner,
  input: ContactInput<K>,
  options: ContactOptions = {},
): Promise<ContactRow<K>> {
  return inTransaction(db, async (tx) => {
    await lockOwner(tx, owner);
    const values = await clean(tx, kind, owner, input, options);
    if (values.isPrimary) await demote(tx, kind, owner);
    const [row] = await tx
      .insert(tableOf(kind))
      .values({ ...values, ...owner } as never)
      .returning();
    return row as ContactRow<K>;
  });
}

/**
 * Changes an address, telephone or e-mail; the fields not given keep their values. `isPrimary:
 * true` makes it the primary one (demoting the old one); `isPrimary: false` on the primary one is
 * refused at COMMIT, since the owner would have none.
 *
 * @example
 *   await updateContact(db, 'address', 12, { city: 'Bern', isPrimary: true });
 */
export async function updateContact<K extends ContactKind>(
  db: AppDb,
  kind: K,
  id: number,
  changes: Partial<ContactInput<K>>,
  options: ContactOptions = {},
): Promise<ContactRow<K>> {
  return inTransaction(db, async (tx) => {
    const row = await lockedRow(tx, kind, id);
    const owner = ownerOf(row);
    const merged = { ...row, ...changes } as unknown as ContactInput<K>;
    const values = await clean(tx, kind, owner, merged, options);
    if (values.isPrimary && !row.isPrimary) await demote(tx, kind, owner);
    const table = tableOf(kind);
    const [updated] = await tx
      .update(table)
      .set(values as never)
      .where(eq(table.id, id))
      .returning();
    return updated as ContactRow<K>;
  });
}

/**
 * Makes a row the primary one of its kind for its owner: the old primary is demoted, then this
 * one promoted, in one transaction. Concurrent switches on the same owner queue on its lock; the
 * partial unique index and the deferred check guarantee exactly one primary whatever happens.
 *
 * @example
 *   await setPrimary(db, 'address', 12);
 */
export async function setPrimary<K extends ContactKind>(
  db: AppDb,
  kind: K,
  id: number,
): Promise<ContactRow<K>> {
  return inTransaction(db, async (tx) => {
    const row = await lockedRow(tx, kind, id);
    if (row.isPrimary) return row;
    await demote(tx, kind, ownerOf(row));
    const table = tableOf(kind);
    const [updated] = await tx.update(table).set({ isPrimary: true }).where(eq(table.id, id)).returning();
    return updated as ContactRow<K>;
  });
}

/**
 * Deletes an address, telephone or e-mail. The primary one is refused with
 * {@link PrimaryDeletionRefusedError} ("make another address primary first"), and so is a
 * person's or company's only address or telephone. Deleting the owner deletes all its rows.
 *
 * @example
 *   await deleteContact(db, 'address', 12); // or deleteAddress(db, 12)
 */
export async function deleteContact<K extends ContactKind>(
  db: AppDb,
  kind: K,
  id: number,
): Promise<ContactRow<K>> {
  return inTransaction(
    db,
    async (tx) => {
      await lockedRow(tx, kind, id);
      const table = tableOf(kind);
      const [deleted] = await tx.delete(table).where(eq(table.id, id)).returning();
      return deleted as ContactRow<K>;
    },
    'delete',
  );
}

export const deleteAddress = (db: AppDb, id: number) => deleteContact(db, 'address', id);
export const deleteTelephone = (db: AppDb, id: number) => deleteContact(db, 'telephone', id);
export const deleteEmail = (db: AppDb, id: number) => deleteContact(db, 'email', id);

/**
 * Moves a row that is not primary to another person or company. A primary row is refused with
 * {@link PrimaryMoveRefusedError}: make another one primary first. Both owners are locked in
 * the fixed order of {@link lockOwners}, so two opposite moves queue instead of deadlocking.
 *
 * @example
 *   await moveContact(db, 'telephone', 31, { companyId: 4 });
 */
export async function moveContact<K extends ContactKind>(
  db: AppDb,
  kind: K,
  id: number,
  to: Owner,
): Promise<ContactRow<K>> {
  return inTransaction(db, async (tx) => {
    await lockedRow(tx, kind, id, to);
    const table = tableOf(kind);
    const [moved] = await tx
      .update(table)
      .set({ personId: to.personId ?? null, companyId: to.companyId ?? null })
      .where(eq(table.id, id))
      .returning();
    return moved as ContactRow<K>;
  });
}
