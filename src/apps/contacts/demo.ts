import { count } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { person } from './schema.js';
import { addContact, createCompany, createPerson } from './service.js';

/**
 * Demo contacts for `slipway seed --demo`: three people and two companies, with several
 * addresses, telephones and e-mails so that switching a primary and the refusal to delete one can
 * be tried at once. Does nothing when the database already has a person.
 *
 * @example
 *   await seedDemoContacts(database.db);
 */
export async function seedDemoContacts(db: AppDb): Promise<void> {
  const [existing] = await db.select({ n: count() }).from(person);
  if ((existing?.n ?? 0) > 0) return;
  await db.transaction(async (tx) => {
    const t = tx as unknown as AppDb;
    await createPerson(t, {
      person: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        dateOfBirth: '1815-12-10',
        notes: 'Prefers letters.',
      },
      addresses: [
        {
          kind: 'home',
          street: 'St James’s Square 12',
          postalCode: 'SW1Y 4JH',
          city: 'London',
          country: 'GB',
        },
        { kind: 'work', street: 'Bahnhofstrasse 1', postalCode: '8001', city: 'Zürich', country: 'CH' },
      ],
      telephones: [
        { kind: 'mobile', number: '07700 900123' },
        { kind: 'work', number: '+41 44 668 18 00' },
      ],
      emails: [
        { kind: 'personal', address: 'ada@example.com' },
        { kind: 'work', address: 'ada@analytical.example' },
      ],
    });
    await createPerson(t, {
      person: { firstName: 'Grace', lastName: 'Hopper', dateOfBirth: '1906-12-09' },
      addresses: [
        { kind: 'work', street: '1 Navy Yard', postalCode: '20374', city: 'Washington', country: 'US' },
      ],
      telephones: [{ kind: 'work', number: '(202) 555-0143' }],
    });
    await createPerson(t, {
      person: { firstName: 'Niklaus', lastName: 'Wirth', dateOfBirth: '1934-02-15' },
      addresses: [
        { kind: 'home', street: 'Universitätstrasse 6', postalCode: '8092', city: 'Zürich', country: 'CH' },
      ],
      telephones: [{ kind: 'home', number: '044 632 11 11' }],
      emails: [{ address: 'niklaus@example.ch' }],
    });
    await createCompany(t, {
      company: { name: 'Analytical Engines Ltd', vatNumber: 'GB123456789' },
      addresses: [
        { kind: 'work', street: 'Dorset Street 1', postalCode: 'W1U 4EG', city: 'London', country: 'GB' },
      ],
      telephones: [{ kind: 'work', number: '020 7946 0958' }],
      emails: [{ kind: 'work', address: 'office@analytical.example' }],
    });
    const compilers = await createCompany(t, {
      company: { name: 'Compilers Inc.' },
      addresses: [
        { kind: 'work', street: '500 Main Street', postalCode: '02139', city: 'Cambridge', country: 'US' },
      ],
      telephones: [{ kind: 'work', number: '+1 617 555 0199' }],
    });
    await addContact(
      t,
      'address',
      { companyId: compilers.company.id },
      {
        kind: 'other',
        street: '77 Harbour Road',
        postalCode: '02210',
        city: 'Boston',
        country: 'US',
      },
    );
  });
}
