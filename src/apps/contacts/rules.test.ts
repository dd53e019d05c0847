import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../core/db/database.js';
import { engineName, migratedDatabase } from '../../core/testing/migrated-database.js';
import { inTransaction, personSql, primaries, refused } from './testing.js';

// The rules of migration contacts/0002_primary_objects, tried with raw SQL: whoever writes, the database
// refuses what breaks them, with the rule's name and a message written for users.

let t: Awaited<ReturnType<typeof migratedDatabase>>;
let database: Database;
let nextId = 1000;
const newId = () => ++nextId;

/** A committed person with one address and one telephone; returns its id. */
async function person(): Promise<number> {
  const id = newId();
  await inTransaction(database, personSql(id));
  return id;
}

const addressSql = (personId: number, street: string, extra = '') =>
  `INSERT INTO contacts_address (person_id, street, postal_code, city, country${extra ? ', is_primary' : ''})
   VALUES (${personId}, '${street}', '8000', 'Zürich', 'CH'${extra ? `, ${extra}` : ''});`;

const count = async (sql: string) => (await database.query<{ n: number }>(sql))[0]!.n;

beforeAll(async () => {
  t = await migratedDatabase();
  database = t.database;
});
afterAll(() => t.close());

describe(`the primary-object rules in the database (${engineName})`, () => {
  it('refuses to commit a person without an address or a telephone', async () => {
    const id = newId();
    const none = await refused(
      database,
      `INSERT INTO contacts_person (id, first_name, last_name) VALUES (${id}, 'No', 'Body');`,
    );
    expect(none).toMatchObject({ code: '23514', constraint: 'contacts_address_required' });
    expect(none.message).toBe('No Body must have at least one address.');

    const noPhone = await refused(
      database,
      `INSERT INTO contacts_person (id, first_name, last_name) VALUES (${id}, 'No', 'Phone'); ${addressSql(id, 'A')}`,
    );
    expect(noPhone).toMatchObject({ code: '23514', constraint: 'contacts_telephone_required' });
    expect(await count(`SELECT count(*)::int AS n FROM contacts_person WHERE id = ${id}`)).toBe(0);
  });

  it('refuses to commit a company without an address or a telephone', async () => {
    const error = await refused(database, `INSERT INTO contacts_company (name) VALUES ('Empty SA');`);
    expect(error).toMatchObject({ code: '23514', constraint: 'contacts_address_required' });
    expect(error.message).toBe('Empty SA must have at least one address.');
  });

  it('makes the first address, telephone and e-mail primary, even when inserted as not primary', async () => {
    const id = newId();
    await inTransaction(
      database,
      `INSERT INTO contacts_person (id, first_name, last_name) VALUES (${id}, 'Ada', 'Lovelace');
       ${addressSql(id, 'First', 'false')} ${addressSql(id, 'Second', 'false')}
       INSERT INTO contacts_telephone (person_id, number, is_primary) VALUES (${id}, '+41446681800', false);
       INSERT INTO contacts_email (person_id, address) VALUES (${id}, 'a@example.com'), (${id}, 'b@example.com');`,
    );
    const rows = await database.query<{ street: string; is_primary: boolean }>(
      `SELECT street, is_primary FROM contacts_address WHERE person_id = ${id} ORDER BY id`,
    );
    expect(rows).toEqual([
      { street: 'First', is_primary: true },
      { street: 'Second', is_primary: false },
    ]);
    expect(await primaries(database, 'contacts_telephone', id)).toBe(1);
    const emails = await database.query(
      `SELECT address, is_primary FROM contacts_email WHERE person_id = ${id} ORDER BY id`,
    );
    expect(emails).toEqual([
      { address: 'a@example.com', is_primary: true },
      { address: 'b@example.com', is_primary: false },
    ]);
  });

  it('refuses a second primary address, telephone or e-mail with a clear message', async () => {
    const id = await person();
    const error = await refused(database, addressSql(id, 'Second', 'true'));
    expect(error).toMatchObject({
      code: '23505',
      constraint: 'contacts_address_person_primary_uniq',
      column: 'is_primary',
    });
    expect(error.message).toBe('Ada Lovelace already has a primary address, and only one can be primary.');
    const phone = await refused(
      database,
      `INSERT INTO contacts_telephone (person_id, number, is_primary) VALUES (${id}, '+41791234567', true);`,
    );
    expect(phone.constraint).toBe('contacts_telephone_person_primary_uniq');
    await inTransaction(
      database,
      `INSERT INTO contacts_email (person_id, address) VALUES (${id}, 'a@example.com');`,
    );
    const mail = await refused(
      database,
      `INSERT INTO contacts_email (person_id, address, is_primary) VALUES (${id}, 'b@example.com', true);`,
    );
    expect(mail.constraint).toBe('contacts_email_person_primary_uniq');
  });

  it('keeps at most one primary through the partial unique index even without the trigger', async () => {
    const id = await person();
    const error = await refused(
      database,
      `ALTER TABLE contacts_address DISABLE TRIGGER contacts_address_primary_write;
       ${addressSql(id, 'Second', 'true')}`,
    );
    expect(error).toMatchObject({ code: '23505', constraint: 'contacts_address_person_primary_uniq' });
    expect(error.message).toMatch(/duplicate key/);
    expect(await primaries(database, 'contacts_address', id)).toBe(1);
  });

  it('refuses to commit an owner left without a primary, and accepts a switch in one transaction', async () => {
    const id = await person();
    await inTransaction(database, addressSql(id, 'Second'));
    const demoted = await refused(
      database,
      `UPDATE contacts_address SET is_primary = false WHERE person_id = ${id} AND is_primary;`,
    );
    expect(demoted).toMatchObject({ code: '23514', constraint: 'contacts_address_primary_required' });
    expect(demoted.message).toBe(
      'Ada Lovelace must have exactly one primary address (it has 0). Make one of them primary.',
    );
    const phone = await refused(
      database,
      `UPDATE contacts_telephone SET is_primary = false WHERE person_id = ${id};`,
    );
    expect(phone.constraint).toBe('contacts_telephone_primary_required');

    await inTransaction(
      database,
      `UPDATE contacts_address SET is_primary = false WHERE person_id = ${id} AND is_primary;
       UPDATE contacts_address SET is_primary = true WHERE person_id = ${id} AND street = 'Second';`,
    );
    const primary = await database.query(
      `SELECT street FROM contacts_address WHERE person_id = ${id} AND is_primary`,
    );
    expect(primary).toEqual([{ street: 'Second' }]);
  });

  it('refuses to delete the primary address or telephone while the person exists', async () => {
    const id = await person();
    await inTransaction(
      database,
      `${addressSql(id, 'Second')} INSERT INTO contacts_telephone (person_id, number) VALUES (${id}, '+41791234567');`,
    );
    const error = await refused(
      database,
      `DELETE FROM contacts_address WHERE person_id = ${id} AND is_primary;`,
    );
    expect(error).toMatchObject({ code: '23514', constraint: 'contacts_address_primary_protected' });
    expect(error.message).toBe(
      'This is the primary address of Ada Lovelace, so it cannot be deleted. Make another address primary first.',
    );
    const phone = await refused(
      database,
      `DELETE FROM contacts_telephone WHERE person_id = ${id} AND is_primary;`,
    );
    expect(phone.constraint).toBe('contacts_telephone_primary_protected');
    // The other rows may go, and then the primary one may not either: it is the only one.
    await inTransaction(database, `DELETE FROM contacts_address WHERE person_id = ${id} AND NOT is_primary;`);
    const only = await refused(database, `DELETE FROM contacts_address WHERE person_id = ${id};`);
    expect(only).toMatchObject({ constraint: 'contacts_address_required' });
    expect(only.message).toBe(
      'This is the only address of Ada Lovelace, who must keep one, so it cannot be deleted. Add another address and make it primary first, or delete Ada Lovelace.',
    );
  });

  it('deletes every row of a person or a company with it', async () => {
    const id = await person();
    await inTransaction(
      database,
      `${addressSql(id, 'Second')}
       INSERT INTO contacts_email (person_id, address) VALUES (${id}, 'a@example.com'), (${id}, 'b@example.com');
       INSERT INTO contacts_attachment (person_id, original_name, stored_name, content_type, size, sha256)
         VALUES (${id}, 'a.txt', 'x${id}', 'text/plain', 1, repeat('a', 64));
       INSERT INTO contacts_company (id, name) VALUES (${id}, 'Acme ${id}');
       INSERT INTO contacts_address (company_id, street, postal_code, city, country) VALUES (${id}, 'Works', '3000', 'Bern', 'CH');
       INSERT INTO contacts_telephone (company_id, number) VALUES (${id}, '+41313000000');
       INSERT INTO contacts_company_person (company_id, person_id, role) VALUES (${id}, ${id}, 'CEO');`,
    );
    await inTransaction(database, `DELETE FROM contacts_person WHERE id = ${id};`);
    for (const table of ['contacts_address', 'contacts_telephone', 'contacts_email', 'contacts_attachment'])
      expect(await count(`SELECT count(*)::int AS n FROM ${table} WHERE person_id = ${id}`)).toBe(0);
    expect(
      await count(`SELECT count(*)::int AS n FROM contacts_company_person WHERE person_id = ${id}`),
    ).toBe(0);
    await inTransaction(database, `DELETE FROM contacts_company WHERE id = ${id};`);
    expect(await count(`SELECT count(*)::int AS n FROM contacts_address WHERE company_id = ${id}`)).toBe(0);
  });

  it('refuses to move a primary row to another owner, and moves the others', async () => {
    const a = await person();
    const b = await person();
    await inTransaction(database, addressSql(a, 'Spare'));
    const error = await refused(
      database,
      `UPDATE contacts_address SET person_id = ${b} WHERE person_id = ${a} AND is_primary;`,
    );
    expect(error).toMatchObject({ code: '23514', constraint: 'contacts_address_primary_moved' });
    expect(error.message).toBe(
      'This is the primary address of Ada Lovelace, so it cannot be moved to another owner. Make another address primary first.',
    );
    const company = await refused(
      database,
      `UPDATE contacts_telephone SET person_id = NULL, company_id = NULL WHERE person_id = ${a};`,
    );
    expect(company.constraint).toBe('contacts_telephone_primary_moved');
    await inTransaction(database, `UPDATE contacts_address SET person_id = ${b} WHERE street = 'Spare';`);
    const moved = await database.query(
      `SELECT person_id, is_primary FROM contacts_address WHERE street = 'Spare'`,
    );
    expect(moved).toEqual([{ person_id: b, is_primary: false }]);
  });

  it('refuses a row that belongs to both a person and a company, or to neither', async () => {
    const id = await person();
    const neither = await refused(
      database,
      `INSERT INTO contacts_address (street, postal_code, city, country) VALUES ('Nowhere', '1', 'X', 'CH');`,
    );
    expect(neither).toMatchObject({ code: '23514', constraint: 'contacts_address_owner_check' });
    await inTransaction(
      database,
      `INSERT INTO contacts_company (id, name) VALUES (${id}, 'Both SA');
      INSERT INTO contacts_address (company_id, street, postal_code, city, country) VALUES (${id}, 'Works', '3000', 'Bern', 'CH');
      INSERT INTO contacts_telephone (company_id, number) VALUES (${id}, '+41313000000');`,
    );
    const both = await refused(
      database,
      `INSERT INTO contacts_email (person_id, company_id, address) VALUES (${id}, ${id}, 'x@example.com');`,
    );
    expect(both).toMatchObject({ code: '23514', constraint: 'contacts_email_owner_check' });
  });

  it('stores telephone numbers in E.164 and refuses what is not one', async () => {
    const id = await person();
    await inTransaction(
      database,
      `INSERT INTO contacts_telephone (person_id, number) VALUES (${id}, '+1 (415) 555-2671'), (${id}, '0041 79 123 45 67');`,
    );
    const numbers = await database.query<{ number: string }>(
      `SELECT number FROM contacts_telephone WHERE person_id = ${id} ORDER BY id`,
    );
    expect(numbers.map((n) => n.number)).toEqual(['+41446681800', '+14155552671', '+41791234567']);
    for (const bad of ['044 668 18 00', '+41 44 CALL ME', '+0123456789', '+12345'])
      expect(
        await refused(
          database,
          `INSERT INTO contacts_telephone (person_id, number) VALUES (${id}, '${bad}');`,
        ),
      ).toMatchObject({ code: '23514', constraint: 'contacts_telephone_number_check', column: 'number' });
    const error = await refused(
      database,
      `UPDATE contacts_telephone SET number = '12' WHERE person_id = ${id};`,
    );
    expect(error.message).toMatch(/^“12” is not a telephone number in international format/);
  });

  it('lets e-mails be optional, but keeps exactly one primary among those there are', async () => {
    const id = await person();
    await inTransaction(
      database,
      `INSERT INTO contacts_email (person_id, address) VALUES (${id}, 'a@example.com'), (${id}, 'b@example.com');`,
    );
    const error = await refused(
      database,
      `DELETE FROM contacts_email WHERE person_id = ${id} AND is_primary;`,
    );
    expect(error).toMatchObject({ constraint: 'contacts_email_primary_protected' });
    expect(error.message).toMatch(/cannot be deleted\. Make another e-mail address primary first\.$/);
    await inTransaction(database, `DELETE FROM contacts_email WHERE person_id = ${id} AND NOT is_primary;`);
    await inTransaction(database, `DELETE FROM contacts_email WHERE person_id = ${id};`);
    expect(await count(`SELECT count(*)::int AS n FROM contacts_email WHERE person_id = ${id}`)).toBe(0);
  });

  it('refreshes updated_at on raw updates, and keeps a value the update sets itself', async () => {
    const id = await person();
    await database.query(
      `UPDATE contacts_person SET updated_at = '2020-01-01T00:00:00Z', created_at = '2020-01-01T00:00:00Z' WHERE id = ${id}`,
    );
    const [kept] = await database.query<{ updated_at: Date }>(
      `SELECT updated_at FROM contacts_person WHERE id = ${id}`,
    );
    expect(new Date(kept!.updated_at).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    await database.query(`UPDATE contacts_person SET notes = 'x' WHERE id = ${id}`);
    const [touched] = await database.query<{ updated_at: Date; created_at: Date }>(
      `SELECT updated_at, created_at FROM contacts_person WHERE id = ${id}`,
    );
    expect(Date.now() - new Date(touched!.updated_at).getTime()).toBeLessThan(60_000);
    expect(new Date(touched!.created_at).toISOString()).toBe('2020-01-01T00:00:00.000Z');
  });
});
