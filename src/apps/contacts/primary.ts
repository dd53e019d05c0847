import { and, eq } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { ContactNotFoundError } from './errors.js';
import {
  type ContactKind,
  type ContactRow,
  inTransaction,
  lockOwner,
  NOUNS,
  type Owner,
  ownerCondition,
  ownerOf,
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
import { type ContactValues, changeContact, insertContact, lockRow, removeContact } from './writes.js';

/**
 * Changes to one address, telephone or e-mail: adding, editing, switching the primary, moving
 * and deleting. Each cleans its input, then runs its write part (writes.ts, the code the admin
 * and the API run too, through the models' hooks) in one transaction that first locks the
 * owner's row, so two of them on the same owner run one after the other. The database has the
 * last word (migration contacts/0002_primary_objects): what it refuses comes back as the errors
 * of errors.ts.
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

/** Finds a row and locks its owner (see lockRow), or throws ContactNotFoundError. */
async function lockedRow<K extends ContactKind>(tx: AppDb, kind: K, id: number): Promise<ContactRow<K>> {
  return found(kind, id, await lockRow(tx, kind, id));
}

function found<K extends ContactKind>(kind: K, id: number, row: ContactRow<K> | undefined): ContactRow<K> {
  if (!row) throw new ContactNotFoundError(NOUNS[kind], id);
  return row;
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
    await lockOwner(tx, owner); // before reading its primary address's country
    const values = await clean(tx, kind, owner, input, options);
    return insertContact(tx, kind, owner, values as unknown as ContactValues<K>);
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
    return found(kind, id, await changeContact(tx, kind, row, values as unknown as ContactValues<K>));
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
  return inTransaction(db, async (tx) =>
    found(kind, id, await changeContact(tx, kind, { id }, { isPrimary: true } as ContactValues<K>)),
  );
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
  return inTransaction(db, async (tx) => found(kind, id, await removeContact(tx, kind, { id })), 'delete');
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
  const changes = { personId: to.personId ?? null, companyId: to.companyId ?? null } as ContactValues<K>;
  return inTransaction(db, async (tx) => found(kind, id, await changeContact(tx, kind, { id }, changes)));
}
