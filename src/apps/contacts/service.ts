import { asc, desc } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import {
  type ContactKind,
  type ContactRow,
  inTransaction,
  type Owner,
  ownerCondition,
  tableOf,
} from './owned.js';
import { type address, company, type email, person, type telephone } from './schema.js';
import {
  type AddressInput,
  type CompanyInput,
  cleanAddress,
  cleanCompany,
  cleanEmail,
  cleanPerson,
  cleanTelephone,
  type EmailInput,
  FieldErrors,
  type PersonInput,
  primaryIndex,
  type TelephoneInput,
} from './validate.js';
import { type ContactValues, insertContact } from './writes.js';

/**
 * The contacts services: plain functions of a Drizzle handle (the app's `db`, or a transaction
 * to join), for the admin, the API and the demo seed. Each write runs in ONE transaction, so
 * the deferred primary-object checks run at its COMMIT. They throw the errors of errors.ts:
 * ContactValidationError (422, messages by field path such as `telephones.0.number`),
 * ContactNotFoundError (404), ContactRuleError and its subclasses PrimaryDeletionRefusedError
 * and PrimaryMoveRefusedError (409, with the database's message). A transaction that PostgreSQL
 * rolls back for a deadlock or a serialization failure is run again, twice at most, and then
 * fails with the framework's ConcurrentUpdateError (409, "try again"). The services lock owners
 * in one order (lockOwners in owned.ts), so two opposite moves queue rather than deadlock.
 */

export type { ContactKind, ContactRow, Owner } from './owned.js';
export {
  addContact,
  deleteAddress,
  deleteContact,
  deleteEmail,
  deleteTelephone,
  moveContact,
  setPrimary,
  updateContact,
} from './primary.js';
export type { AddressInput, CompanyInput, EmailInput, PersonInput, TelephoneInput } from './validate.js';

type AddressRow = typeof address.$inferSelect;
type TelephoneRow = typeof telephone.$inferSelect;
type EmailRow = typeof email.$inferSelect;

export interface NewContacts {
  addresses: AddressInput[];
  telephones: TelephoneInput[];
  emails?: EmailInput[];
}
export interface OwnerContacts {
  addresses: AddressRow[];
  telephones: TelephoneRow[];
  emails: EmailRow[];
}
export interface Options {
  /** The country of national telephone numbers; by default the (primary) address's country. */
  defaultCountry?: string;
}

const validCountry = (code: string | undefined) => (code && /^[A-Z]{2}$/.test(code) ? code : undefined);

function cleanContacts(input: NewContacts, options: Options, errors: FieldErrors) {
  const addresses = input.addresses.map((a, i) => cleanAddress(a, `addresses.${i}`, errors));
  const primaryAddress = primaryIndex(addresses, 'addresses', 'address', errors);
  const country = options.defaultCountry ?? validCountry(addresses[primaryAddress]?.country);
  const telephones = input.telephones.map((t, i) => cleanTelephone(t, `telephones.${i}`, errors, country));
  const emails = (input.emails ?? []).map((e, i) => cleanEmail(e, `emails.${i}`, errors));
  return {
    addresses,
    telephones,
    emails,
    primary: {
      address: primaryAddress,
      telephone: primaryIndex(telephones, 'telephones', 'telephone', errors),
      email: primaryIndex(emails, 'emails', 'e-mail address', errors),
    },
  };
}

/**
 * Inserts new rows for one owner through the write part every writer uses (insertContact), the
 * one to be primary first (so the database never sees two, and its "first becomes primary"
 * trigger agrees); returns them in input order.
 */
async function insertOwned<K extends ContactKind>(
  tx: AppDb,
  kind: K,
  owner: Owner,
  rows: readonly { isPrimary: boolean }[],
  primary: number,
): Promise<ContactRow<K>[]> {
  const out: ContactRow<K>[] = new Array(rows.length);
  const order = [primary, ...rows.keys()].filter((i, n, all) => i < rows.length && all.indexOf(i) === n);
  for (const i of order) {
    const values = { ...rows[i], isPrimary: i === primary } as unknown as ContactValues<K>;
    out[i] = await insertContact(tx, kind, owner, values);
  }
  return out;
}

async function createOwner<T>(
  db: AppDb,
  what: 'person' | 'company',
  insert: (tx: AppDb) => Promise<T & { id: number }>,
  contacts: ReturnType<typeof cleanContacts>,
): Promise<{ row: T } & OwnerContacts> {
  return inTransaction(db, async (tx) => {
    const row = await insert(tx);
    const owner: Owner = what === 'person' ? { personId: row.id } : { companyId: row.id };
    const { primary } = contacts;
    return {
      row,
      addresses: await insertOwned(tx, 'address', owner, contacts.addresses, primary.address),
      telephones: await insertOwned(tx, 'telephone', owner, contacts.telephones, primary.telephone),
      emails: await insertOwned(tx, 'email', owner, contacts.emails, primary.email),
    };
  });
}

function requireContacts(input: NewContacts, who: string, errors: FieldErrors): void {
  if (!Array.isArray(input.addresses) || input.addresses.length === 0)
    errors.add('addresses', `A ${who} needs at least one address.`);
  if (!Array.isArray(input.telephones) || input.telephones.length === 0)
    errors.add('telephones', `A ${who} needs at least one telephone.`);
}

/**
 * Creates a person with their addresses, telephones and e-mails in one transaction. At least one
 * address and one telephone are required; in each list the row marked `isPrimary` (at most one)
 * or else the first becomes primary. Telephone numbers are stored in E.164; national ones take
 * `options.defaultCountry` or the primary address's country.
 *
 * @example
 *   const { person, addresses } = await createPerson(db, {
 *     person: { firstName: 'Ada', lastName: 'Lovelace' },
 *     addresses: [{ street: 'Bahnhofstrasse 1', postalCode: '8001', city: 'Zürich', country: 'CH' }],
 *     telephones: [{ number: '044 668 18 00' }], // stored as +41446681800
 *   });
 */
export async function createPerson(
  db: AppDb,
  input: NewContacts & { person: PersonInput },
  options: Options = {},
): Promise<{ person: typeof person.$inferSelect } & OwnerContacts> {
  const errors = new FieldErrors();
  requireContacts(input, 'person', errors);
  const values = cleanPerson(input.person ?? ({} as PersonInput), '', errors);
  const contacts = cleanContacts(input, options, errors);
  errors.throwIfAny();
  const { row, ...rest } = await createOwner(
    db,
    'person',
    async (tx) => (await tx.insert(person).values(values).returning())[0]!,
    contacts,
  );
  return { person: row, ...rest };
}

/** Creates a company with its contacts, as {@link createPerson} does for a person. */
export async function createCompany(
  db: AppDb,
  input: NewContacts & { company: CompanyInput },
  options: Options = {},
): Promise<{ company: typeof company.$inferSelect } & OwnerContacts> {
  const errors = new FieldErrors();
  requireContacts(input, 'company', errors);
  const values = cleanCompany(input.company ?? ({} as CompanyInput), '', errors);
  const contacts = cleanContacts(input, options, errors);
  errors.throwIfAny();
  const { row, ...rest } = await createOwner(
    db,
    'company',
    async (tx) => (await tx.insert(company).values(values).returning())[0]!,
    contacts,
  );
  return { company: row, ...rest };
}

/** The owner's addresses, telephones and e-mails, primary first. */
export async function contactsOf(db: AppDb, owner: Owner): Promise<OwnerContacts> {
  const list = async <R>(kind: ContactKind) =>
    (await db
      .select()
      .from(tableOf(kind))
      .where(ownerCondition(kind, owner))
      .orderBy(desc(tableOf(kind).isPrimary), asc(tableOf(kind).id))) as R[];
  return {
    addresses: await list<AddressRow>('address'),
    telephones: await list<TelephoneRow>('telephone'),
    emails: await list<EmailRow>('email'),
  };
}
