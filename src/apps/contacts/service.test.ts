import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppDb, Database } from '../../core/db/database.js';
import { errorsByField } from '../../core/errors.js';
import { databaseError } from '../../core/models/database-errors.js';
import { engineName, migratedDatabase } from '../../core/testing/migrated-database.js';
import { seedDemoContacts } from './demo.js';
import {
  ContactNotFoundError,
  ContactRuleError,
  ContactValidationError,
  PrimaryDeletionRefusedError,
  PrimaryMoveRefusedError,
} from './errors.js';
import { person } from './schema.js';
import {
  addContact,
  contactsOf,
  createPerson,
  deleteAddress,
  deleteContact,
  deleteTelephone,
  moveContact,
  setPrimary,
  updateContact,
} from './service.js';
import { newCompany, newPerson, primaries } from './testing.js';
import { changeContact, insertContact, removeContact } from './writes.js';

let t: Awaited<ReturnType<typeof migratedDatabase>>;
let db: AppDb;
let database: Database;

beforeAll(async () => {
  t = await migratedDatabase();
  database = t.database;
  db = database.db;
});
afterAll(() => t.close());

/** The error a promise rejects with (the test fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error('expected a rejection');
  return error;
}

describe(`the contacts services (${engineName})`, () => {
  it('creates a person with addresses, telephones and e-mails in one transaction, the first primary', async () => {
    const created = await createPerson(db, {
      person: { firstName: ' Ada ', lastName: 'Lovelace', dateOfBirth: '1815-12-10' },
      addresses: [
        { street: 'Home 1', postalCode: '8000', city: 'Zürich', country: 'ch' },
        { kind: 'work', street: 'Work 2', postalCode: '3000', city: 'Bern', country: 'CH' },
      ],
      telephones: [{ number: '044 668 18 00' }, { kind: 'work', number: '+1 415 555 2671', isPrimary: true }],
      emails: [{ address: 'ada@example.com' }],
    });
    expect(created.person).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      dateOfBirth: '1815-12-10',
    });
    expect(created.addresses.map((a) => [a.street, a.country, a.isPrimary])).toEqual([
      ['Home 1', 'CH', true],
      ['Work 2', 'CH', false],
    ]);
    // National numbers take the primary address's country; the one marked primary is primary.
    expect(created.telephones.map((p) => [p.number, p.isPrimary])).toEqual([
      ['+41446681800', false],
      ['+14155552671', true],
    ]);
    expect(created.emails.map((e) => e.isPrimary)).toEqual([true]);
    expect(created.person.createdAt).toBeInstanceOf(Date);
  });

  it('refuses a person without an address or a telephone, naming the fields', async () => {
    const error = await rejection(
      createPerson(db, { person: { firstName: '', lastName: 'X' }, addresses: [], telephones: [] }),
    );
    expect(error).toBeInstanceOf(ContactValidationError);
    expect((error as ContactValidationError).status).toBe(422);
    expect(errorsByField((error as ContactValidationError).errors)).toEqual({
      firstName: ['This field is required.'],
      addresses: ['A person needs at least one address.'],
      telephones: ['A person needs at least one telephone.'],
    });
    expect(await db.select().from(person).where(eq(person.lastName, 'X'))).toEqual([]);
  });

  it('reports invalid telephone numbers, countries and e-mails by field path, and saves nothing', async () => {
    const error = (await rejection(
      createPerson(db, {
        person: { firstName: 'Bad', lastName: 'Input', dateOfBirth: '2999-01-01' },
        addresses: [{ street: 'S', postalCode: '1', city: 'C', country: 'Switzerland' }],
        telephones: [{ number: '+41 44 CALL ME' }, { number: '044 668 18 00', isPrimary: true }],
        emails: [
          { address: 'not-an-address' },
          { address: 'a@b.ch', isPrimary: true },
          { address: 'c@d.ch', isPrimary: true },
        ],
      }),
    )) as ContactValidationError;
    expect(errorsByField(error.errors)).toEqual({
      dateOfBirth: ['The date of birth cannot be in the future.'],
      'addresses.0.country': ['Enter a two-letter country code (ISO 3166-1), e.g. CH.'],
      'telephones.0.number': ['A telephone number may only hold digits, a leading +, spaces and . - / ( ).'],
      'telephones.1.number': ['Enter the number with its country code, e.g. +41 44 668 18 00.'],
      'emails.0.address': ['Enter a valid e-mail address.'],
      emails: ['Only one e-mail address can be primary.'],
    });
  });

  it('creates a company with its contacts', async () => {
    const created = await newCompany(db, 'Service SA');
    expect(created.company.name).toBe('Service SA');
    expect(created.addresses[0]!.isPrimary).toBe(true);
    expect(created.telephones[0]!.companyId).toBe(created.company.id);
  });

  it('switches the primary address: the old one is demoted in the same transaction', async () => {
    const { person: p, addresses } = await newPerson(db, { addresses: 3 });
    const updated = await setPrimary(db, 'address', addresses[2]!.id);
    expect(updated.isPrimary).toBe(true);
    const { addresses: after } = await contactsOf(db, { personId: p.id });
    expect(after.map((a) => [a.id, a.isPrimary])).toEqual([
      [addresses[2]!.id, true],
      [addresses[0]!.id, false],
      [addresses[1]!.id, false],
    ]);
    expect(await setPrimary(db, 'address', addresses[2]!.id)).toMatchObject({ isPrimary: true });
    await expect(setPrimary(db, 'telephone', 999_999)).rejects.toBeInstanceOf(ContactNotFoundError);
  });

  it('refuses to delete the primary address or telephone: make another one primary first', async () => {
    const { person: p, addresses, telephones } = await newPerson(db, { addresses: 2, telephones: 2 });
    const error = await rejection(deleteAddress(db, addresses[0]!.id));
    expect(error).toBeInstanceOf(PrimaryDeletionRefusedError);
    expect(error.message).toBe(
      'This is the primary address of Ada Lovelace, so it cannot be deleted. Make another address primary first.',
    );
    expect((error as PrimaryDeletionRefusedError).status).toBe(409);
    expect((error as PrimaryDeletionRefusedError).rule).toBe('contacts_address_primary_protected');
    await expect(deleteTelephone(db, telephones[0]!.id)).rejects.toBeInstanceOf(PrimaryDeletionRefusedError);

    await setPrimary(db, 'address', addresses[1]!.id);
    expect((await deleteAddress(db, addresses[0]!.id)).id).toBe(addresses[0]!.id);
    const only = await rejection(deleteAddress(db, addresses[1]!.id));
    expect(only).toBeInstanceOf(PrimaryDeletionRefusedError);
    expect(only.message).toMatch(/^This is the only address of Ada Lovelace/);
    expect(await primaries(database, 'contacts_address', p.id)).toBe(1);
    await expect(deleteContact(db, 'email', 999_999)).rejects.toBeInstanceOf(ContactNotFoundError);
  });

  it('adds contacts: primary when the owner has none of the kind, or when asked (demoting the old one)', async () => {
    const { person: p, telephones } = await newPerson(db);
    const mail = await addContact(db, 'email', { personId: p.id }, { address: 'first@example.com' });
    expect(mail.isPrimary).toBe(true);
    const phone = await addContact(
      db,
      'telephone',
      { personId: p.id },
      { number: '079 123 45 67', isPrimary: true },
    );
    expect(phone).toMatchObject({ number: '+41791234567', isPrimary: true });
    const { telephones: after } = await contactsOf(db, { personId: p.id });
    expect(after.find((x) => x.id === telephones[0]!.id)?.isPrimary).toBe(false);
    const invalid = (await rejection(
      addContact(db, 'telephone', { personId: p.id }, { number: '12' }),
    )) as ContactValidationError;
    expect(errorsByField(invalid.errors)).toEqual({
      number: [expect.stringMatching(/^Enter a valid telephone number/)],
    });
    await expect(
      addContact(
        db,
        'address',
        { companyId: 999_999 },
        { street: 'S', postalCode: '1', city: 'C', country: 'CH' },
      ),
    ).rejects.toBeInstanceOf(ContactNotFoundError);
  });

  it('updates a contact, and refuses to leave the owner without a primary', async () => {
    const { addresses } = await newPerson(db, { addresses: 2 });
    const moved = await updateContact(db, 'address', addresses[1]!.id, { city: 'Basel', isPrimary: true });
    expect(moved).toMatchObject({ city: 'Basel', isPrimary: true });
    const error = await rejection(updateContact(db, 'address', addresses[1]!.id, { isPrimary: false }));
    expect(error).toBeInstanceOf(ContactRuleError);
    expect(error.message).toBe(
      'Ada Lovelace must have exactly one primary address (it has 0). Make one of them primary.',
    );
  });

  it('refuses to move a primary row to another owner, and moves the others', async () => {
    const { telephones } = await newPerson(db, { telephones: 2 });
    const { company } = await newCompany(db, 'Mover SA');
    const error = await rejection(moveContact(db, 'telephone', telephones[0]!.id, { companyId: company.id }));
    expect(error).toBeInstanceOf(PrimaryMoveRefusedError);
    expect(error.message).toMatch(
      /^This is the primary telephone of Ada Lovelace, so it cannot be moved to another owner\. Make another/,
    );
    const moved = await moveContact(db, 'telephone', telephones[1]!.id, { companyId: company.id });
    expect(moved).toMatchObject({ companyId: company.id, personId: null, isPrimary: false });
  });

  it('runs the write parts in the caller’s transaction, leaving the refusal’s wording to the caller', async () => {
    const { person: p, telephones } = await newPerson(db, { telephones: 2 });
    const { company } = await newCompany(db, 'Writer SA');
    // A switch and a move in one transaction of the caller: both kept at its COMMIT.
    await db.transaction(async (tx) => {
      const t = tx as unknown as AppDb;
      expect(await changeContact(t, 'telephone', telephones[1]!, { isPrimary: true })).toMatchObject({
        isPrimary: true,
      });
      expect(
        await changeContact(t, 'telephone', telephones[0]!, { personId: null, companyId: company.id }),
      ).toMatchObject({ companyId: company.id, isPrimary: false });
    });
    expect(await primaries(database, 'contacts_telephone', p.id)).toBe(1);
    // A primary moved: the database's own error, untranslated (the services and the model
    // layer each word it once), and nothing kept.
    const error = await rejection(
      db.transaction((tx) =>
        changeContact(tx as unknown as AppDb, 'telephone', telephones[1]!, {
          personId: null,
          companyId: company.id,
        }),
      ),
    );
    expect(error).not.toBeInstanceOf(PrimaryMoveRefusedError);
    expect(databaseError(error)).toMatchObject({
      code: '23514',
      constraint: 'contacts_telephone_primary_moved',
    });
    expect(
      await db.transaction((tx) => removeContact(tx as unknown as AppDb, 'email', { id: 999_999 })),
    ).toBe(undefined);
    const row = await db.transaction((tx) =>
      insertContact(tx as unknown as AppDb, 'email', { personId: p.id }, { address: 'w@example.com' }),
    );
    expect(row).toMatchObject({ personId: p.id, companyId: null, isPrimary: true });
  });

  it('keeps updated_at current through Drizzle', async () => {
    const { person: p } = await newPerson(db);
    await new Promise((r) => setTimeout(r, 5));
    const [row] = await db
      .update(person)
      .set({ notes: 'Met at the lab.' })
      .where(eq(person.id, p.id))
      .returning();
    expect(row!.updatedAt.getTime()).toBeGreaterThan(p.updatedAt.getTime());
    expect(row!.createdAt).toEqual(p.createdAt);
  });
});

describe(`the demo contacts (${engineName})`, () => {
  it('seeds people and companies that satisfy every rule, once', async () => {
    await database.exec('DELETE FROM contacts_person; DELETE FROM contacts_company;');
    await seedDemoContacts(db);
    await seedDemoContacts(db);
    const [people] = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM contacts_person');
    expect(people!.n).toBe(3);
    const phones = await database.query<{ number: string }>(
      "SELECT t.number FROM contacts_telephone t JOIN contacts_person p ON p.id = t.person_id WHERE p.last_name = 'Hopper'",
    );
    expect(phones).toEqual([{ number: '+12025550143' }]);
  });
});
