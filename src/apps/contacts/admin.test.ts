import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser, createTestUser, type Form, location } from '../../core/admin/testing.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { engineName } from '../../core/testing/migrated-database.js';

// The contacts admin over HTTP: a person with address and telephone inlines, the refusal to
// delete the primary address (a message, never a 500), and switching the primary.

let t: TestApp;
let browser: AdminBrowser;
const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  t.database.query<T>(sql, params);

interface Row {
  id?: number;
  delete?: boolean;
  [field: string]: string | number | boolean | undefined;
}

/** The person form: its fields, then each inline's rows as Django's formset fields. */
function personForm(fields: Record<string, string>, inlines: Record<string, Row[]>): Form {
  const body: Form = { dateOfBirth: '', notes: '', ...fields };
  for (const prefix of ['address_set', 'telephone_set', 'email_set', 'company_person_set']) {
    const rows = inlines[prefix] ?? [];
    body[`${prefix}-TOTAL_FORMS`] = rows.length;
    rows.forEach(({ id, delete: del, ...values }, i) => {
      body[`${prefix}-${i}-id`] = id ?? '';
      body[`${prefix}-${i}-DELETE`] = del;
      for (const [key, value] of Object.entries(values)) body[`${prefix}-${i}-${key}`] = value;
    });
  }
  return body;
}

const home = { kind: 'home', street: 'Bahnhofstrasse 1', postalCode: '8001', city: 'Zürich', country: 'CH' };
const work = { kind: 'work', street: 'Bundesplatz 3', postalCode: '3005', city: 'Bern', country: 'CH' };
const mobile = { kind: 'mobile', number: '+41 79 123 45 67' };

async function addPerson(firstName: string, addresses: Row[] = [home], telephones: Row[] = [mobile]) {
  return browser.post(
    '/admin/contacts/person/add/',
    personForm({ firstName, lastName: 'Lovelace' }, { address_set: addresses, telephone_set: telephones }),
  );
}

const addressesOf = (personId: number) =>
  q<{ id: number; street: string; is_primary: boolean }>(
    'SELECT id, street, is_primary FROM contacts_address WHERE person_id = $1 ORDER BY id',
    [personId],
  );
const personId = async (firstName: string) =>
  (await q<{ id: number }>('SELECT id FROM contacts_person WHERE first_name = $1', [firstName]))[0]!.id;

beforeAll(async () => {
  t = await buildTestApp();
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe(`the contacts admin (${engineName})`, () => {
  it('offers address and telephone inlines that need at least one row each', async () => {
    const page = await browser.get('/admin/contacts/person/add/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="address_set-MIN_NUM_FORMS" value="1"');
    expect(page.body).toContain('name="telephone_set-MIN_NUM_FORMS" value="1"');
    expect(page.body).toContain('name="email_set-MIN_NUM_FORMS" value="0"');
    // Primary is shown, not edited: the input does not exist.
    expect(page.body).not.toContain('name="address_set-0-isPrimary"');
  });

  it('creates a person with an address and a telephone inline; the first of each is primary', async () => {
    const res = await addPerson('Ada');
    expect(res.statusCode).toBe(303);
    const id = await personId('Ada');
    expect(await addressesOf(id)).toEqual([
      { id: expect.any(Number), street: 'Bahnhofstrasse 1', is_primary: true },
    ]);
    expect(await q('SELECT number, is_primary FROM contacts_telephone WHERE person_id = $1', [id])).toEqual([
      { number: '+41791234567', is_primary: true },
    ]);
  });

  it("reads a national number on the telephone form in the country of the owner's primary address", async () => {
    const id = await personId('Ada');
    const res = await browser.post('/admin/contacts/telephone/add/', {
      personId: id,
      companyId: '',
      kind: 'home',
      number: '044 668 18 00',
    });
    expect(res.statusCode).toBe(303);
    expect(
      await q('SELECT number, is_primary FROM contacts_telephone WHERE person_id = $1 ORDER BY id', [id]),
    ).toEqual([
      { number: '+41791234567', is_primary: true },
      { number: '+41446681800', is_primary: false },
    ]);
    const bad = await browser.post('/admin/contacts/telephone/add/', {
      personId: id,
      companyId: '',
      kind: 'home',
      number: '12',
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain(
      'Enter a valid telephone number: the country code and the number, 7 to 15 digits in all.',
    );
  });

  it('refuses a person without an address, saving nothing', async () => {
    const res = await addPerson('Nobody', []);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Please submit at least 1 address.');
    expect(await q("SELECT id FROM contacts_person WHERE first_name = 'Nobody'")).toEqual([]);
  });

  it("runs the telephone model's own rules on the person form's telephone rows", async () => {
    // A new person has no primary address yet to read a national number in.
    const res = await addPerson('National', [home], [{ kind: 'mobile', number: '079 123 45 67' }]);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_telephone_set-0-number_error"><li>Enter the number with its country code, e.g. +41 44 668 18 00.</li></ul>',
    );
    expect(await q("SELECT id FROM contacts_person WHERE first_name = 'National'")).toEqual([]);

    // An existing person's: read in the country of the primary address, stored in E.164.
    await addPerson('Inline');
    const id = await personId('Inline');
    const [address] = await addressesOf(id);
    const [phone] = await q<{ id: number }>('SELECT id FROM contacts_telephone WHERE person_id = $1', [id]);
    const change = (number: string) =>
      browser.post(
        `/admin/contacts/person/${id}/change/`,
        personForm(
          { firstName: 'Inline', lastName: 'Lovelace' },
          {
            address_set: [{ id: address!.id, ...home }],
            telephone_set: [
              { id: phone!.id, ...mobile },
              { kind: 'home', number },
            ],
          },
        ),
      );
    const bad = await change('12');
    expect(bad.statusCode).toBe(200);
    expect(bad.body).toContain(
      'Enter a valid telephone number: the country code and the number, 7 to 15 digits in all.',
    );
    expect((await change('044 668 18 00')).statusCode).toBe(303);
    expect(
      await q('SELECT number, is_primary FROM contacts_telephone WHERE person_id = $1 ORDER BY id', [id]),
    ).toEqual([
      { number: '+41791234567', is_primary: true },
      { number: '+41446681800', is_primary: false },
    ]);
  });

  it('refuses to delete the primary address from the person form, with a clear message and no 500', async () => {
    await addPerson('<b>Bea</b>', [home, work]);
    const id = await personId('<b>Bea</b>');
    const [primary, other] = await addressesOf(id);
    const res = await browser.post(
      `/admin/contacts/person/${id}/change/`,
      personForm(
        { firstName: '<b>Bea</b>', lastName: 'Lovelace' },
        {
          address_set: [
            { id: primary!.id, ...home, delete: true },
            { id: other!.id, ...work },
          ],
        },
      ),
    );
    expect(res.statusCode).toBe(200);
    // On the row, saying where the primary is switched ("Is primary" is read-only here).
    expect(res.body).toContain(
      '<ul class="errorlist" id="address_set-0-errors"><li>This is the primary address of &lt;b&gt;Bea&lt;/b&gt; Lovelace, so it cannot be deleted. Make another address primary first: select it in the Addresses list and choose the “Make primary” action.</li></ul>',
    );
    expect(res.body).toContain('<p>Please correct the error below.</p>');
    expect(res.body).not.toContain('<b>Bea</b>');
    expect(await addressesOf(id)).toHaveLength(2);
  });

  it('says on the bulk delete confirmation which primary rows cannot be deleted, and why', async () => {
    const id = await personId('<b>Bea</b>');
    const [primary, other] = await addressesOf(id);
    const confirm = (ids: number[], model = 'address') =>
      browser.post(`/admin/contacts/${model}/`, { action: 'delete_selected', _selected_action: ids });

    const alone = await confirm([primary!.id]);
    expect(alone.statusCode).toBe(200);
    expect(alone.body).toContain('<h1>Cannot delete address</h1>');
    expect(alone.body).toContain(
      `<p class="errornote" role="alert">Deleting the selected address is not possible:</p>\n<div class="delete-list refused"><ul><li>Address: <a href="/admin/contacts/address/${primary!.id}/change/">Bahnhofstrasse 1, 8001 Zürich (CH)</a><p>This is the primary address of &lt;b&gt;Bea&lt;/b&gt; Lovelace, so it cannot be deleted. Make another address primary first: select it in the Addresses list and choose the “Make primary” action.</p></li></ul></div>`,
    );
    expect(alone.body).not.toContain('Yes, I’m sure');

    const both = await confirm([primary!.id, other!.id]);
    expect(both.body).toContain(
      '<p>These are all the addresses of &lt;b&gt;Bea&lt;/b&gt; Lovelace, who must keep one, so the primary one cannot be deleted. Keep one of them and make it primary first: select it in the Addresses list and choose the “Make primary” action.</p>',
    );
    expect(both.body).not.toContain(`/admin/contacts/address/${other!.id}/change/">`);
    expect(both.body).not.toContain('Yes, I’m sure');
    const forced = await browser.post('/admin/contacts/address/', {
      action: 'delete_selected',
      _selected_action: [primary!.id, other!.id],
      post: 'yes',
    });
    expect(forced.statusCode).toBe(403);
    expect(await addressesOf(id)).toHaveLength(2);

    // A row that is not primary may go.
    const spare = await confirm([other!.id]);
    expect(spare.body).toContain('<h1>Are you sure?</h1>');
    expect(spare.body).toContain('Yes, I’m sure');

    // E-mails are optional: the only one may go, the primary one of two only last.
    await q(
      `INSERT INTO contacts_email (person_id, address) VALUES ($1, 'bea@example.com'), ($1, 'bea2@example.com')`,
      [id],
    );
    const mails = await q<{ id: number }>('SELECT id FROM contacts_email WHERE person_id = $1 ORDER BY id', [
      id,
    ]);
    const mailBoth = await confirm(
      mails.map((m) => m.id),
      'email',
    );
    expect(mailBoth.body).toContain(
      '<p>This is the primary e-mail address of &lt;b&gt;Bea&lt;/b&gt; Lovelace, so it can only be deleted last. Delete the other e-mail addresses of &lt;b&gt;Bea&lt;/b&gt; Lovelace first.</p>',
    );
    await q('DELETE FROM contacts_email WHERE id = $1', [mails[1]!.id]);
    expect((await confirm([mails[0]!.id], 'email')).body).toContain('Yes, I’m sure');
    await q('DELETE FROM contacts_email WHERE person_id = $1', [id]);
  });

  it('says on the delete page of the primary address that it cannot be deleted, and why, with no button', async () => {
    const id = await personId('Ada');
    const [primary] = await addressesOf(id);
    const page = await browser.get(`/admin/contacts/address/${primary!.id}/delete/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Cannot delete address</h1>');
    expect(page.body).toContain(
      '<p class="errornote" role="alert">Deleting the address “Bahnhofstrasse 1, 8001 Zürich (CH)” is not possible:</p>',
    );
    expect(page.body).toContain(
      '<p>This is the only address of Ada Lovelace, who must keep one, so it cannot be deleted. Add another address and make it primary first (select it in the Addresses list and choose the “Make primary” action), or delete Ada Lovelace.</p>',
    );
    expect(page.body).not.toContain('Yes, I’m sure');
    expect(page.body).not.toContain('name="post"');
    const res = await browser.post(`/admin/contacts/address/${primary!.id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(403);
    expect(await addressesOf(id)).toHaveLength(1);
  });

  it('switches the primary with “Make primary”, after which the old one can be deleted', async () => {
    const id = await personId('<b>Bea</b>');
    const [first, second] = await addressesOf(id);
    const res = await browser.post(`/admin/contacts/address/?personId__id__exact=${id}`, {
      action: 'make_primary',
      _selected_action: [second!.id],
    });
    expect(res.statusCode).toBe(303);
    expect((await browser.get(location(res))).body).toContain(
      '<li class="message message-success">The address is now primary.</li>',
    );
    expect(await addressesOf(id)).toEqual([
      { id: first!.id, street: first!.street, is_primary: false },
      { id: second!.id, street: second!.street, is_primary: true },
    ]);

    const deleted = await browser.post(
      `/admin/contacts/person/${id}/change/`,
      personForm(
        { firstName: '<b>Bea</b>', lastName: 'Lovelace' },
        {
          address_set: [
            { id: first!.id, ...home, delete: true },
            { id: second!.id, ...work },
          ],
        },
      ),
    );
    expect(deleted.statusCode).toBe(303);
    expect(await addressesOf(id)).toEqual([{ id: second!.id, street: second!.street, is_primary: true }]);
  });

  it('refuses to make two addresses of one person primary at once, flashing an error', async () => {
    await addPerson('Cy', [home, work]);
    const rows = await addressesOf(await personId('Cy'));
    const res = await browser.post('/admin/contacts/address/', {
      action: 'make_primary',
      _selected_action: rows.map((r) => r.id),
    });
    expect(res.statusCode).toBe(303);
    const page = (await browser.get(location(res))).body;
    expect(page).toContain(
      '<li class="message message-error">Nothing was changed: select one address per person or company.</li>',
    );
    expect(page).not.toContain('message-success">Nothing was changed');
    expect(await addressesOf(await personId('Cy'))).toEqual(rows);
  });

  it('deletes a person with all their rows, primary ones included', async () => {
    const id = await personId('Ada');
    const confirm = await browser.get(`/admin/contacts/person/${id}/delete/`);
    expect(confirm.body).toContain('<h1>Are you sure?</h1>');
    expect(confirm.body).toContain('<li>Addresses: 1</li>');
    expect(confirm.body).toContain('Yes, I’m sure');
    const res = await browser.post(`/admin/contacts/person/${id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(303);
    expect(await addressesOf(id)).toEqual([]);
    expect(await q('SELECT id FROM contacts_telephone WHERE person_id = $1', [id])).toEqual([]);
  });
});
