import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminBrowser, Form } from '../../core/admin/testing.js';
import { type ApiClient, superuserClients } from '../../core/api/testing.js';
import { indexCheckRules } from '../../core/db/check-rules.js';
import { mapDatabaseError } from '../../core/models/database-errors.js';
import { describeTable } from '../../core/models/fields.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { email } from './schema.js';
import { newPerson, refused } from './testing.js';
import { CHECK_RULES } from './validate.js';

// What a user sees for a value the contacts rules refuse, in the admin and the API: the rule
// said in words (never the name of a CHECK constraint), and every refused field at once.
let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
let personId: number;
const BAD_EMAIL = 'Enter a valid e-mail address.';

beforeAll(async () => {
  t = await buildTestApp();
  ({ browser, api } = await superuserClients(t.app, t.database.db));
  personId = (await newPerson(t.database.db)).person.id;
});
afterAll(() => t.close());

/** The person add form with one address, the given telephone and the given e-mail inline. */
function personForm(number: string, address: string): Form {
  return {
    firstName: 'Grace',
    lastName: 'Hopper',
    dateOfBirth: '',
    notes: '',
    'address_set-TOTAL_FORMS': 1,
    'address_set-0-kind': 'home',
    'address_set-0-street': 'Main 1',
    'address_set-0-postalCode': '8000',
    'address_set-0-city': 'Zürich',
    'address_set-0-country': 'CH',
    'telephone_set-TOTAL_FORMS': 1,
    'telephone_set-0-kind': 'mobile',
    'telephone_set-0-number': number,
    'email_set-TOTAL_FORMS': 1,
    'email_set-0-kind': 'work',
    'email_set-0-address': address,
    'company_person_set-TOTAL_FORMS': 0,
  };
}

/** The error list shown under one inline input, as text. */
function inlineErrors(body: string, input: string): string {
  const at = body.indexOf(`name="${input}"`);
  expect(at, `no input ${input}`).toBeGreaterThan(-1);
  const cell = body.slice(body.lastIndexOf('<td', at), body.indexOf('</td>', at));
  return [...cell.matchAll(/<li>([^<]*)<\/li>/g)].map((m) => m[1]).join(' | ');
}

describe('a bad e-mail address', () => {
  it('is refused on the admin form in words, with the bad telephone of the same form', async () => {
    const res = await browser.post(
      '/admin/contacts/person/add/',
      personForm('+41 44 abc', 'grace.example.com'),
    );
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(res.body).not.toContain('contacts_email_address_check');
    expect(inlineErrors(res.body, 'email_set-0-address')).toBe(BAD_EMAIL);
    expect(inlineErrors(res.body, 'telephone_set-0-number')).toBe(
      'A telephone number may only hold digits, a leading +, spaces and . - / ( ).',
    );
    const rows = await t.database.query("SELECT 1 FROM contacts_person WHERE first_name = 'Grace'");
    expect(rows).toEqual([]);
  });

  it('is refused on the e-mail form of the admin', async () => {
    const res = await browser.post('/admin/contacts/email/add/', {
      personId,
      kind: 'work',
      address: 'ada at example.com',
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    expect(res.body).toContain(BAD_EMAIL);
    expect(res.body).not.toContain('contacts_email_address_check');
  });

  it('is refused by the API on the field, with the other refused fields', async () => {
    const res = await api.post('/api/v1/contacts/person/', {
      firstName: 'Grace',
      lastName: 'Hopper',
      addresses: [{ street: 'Main 1', postalCode: '8000', city: 'Zürich', country: 'CH' }],
      telephones: [{ number: '+41 44 abc' }],
      emails: [{ address: 'grace@' }],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      {
        field: 'telephones[0].number',
        message: 'A telephone number may only hold digits, a leading +, spaces and . - / ( ).',
      },
      { field: 'emails[0].address', message: BAD_EMAIL },
    ]);
    const single = await api.post('/api/v1/contacts/email/', { personId, address: 'no-at-sign' });
    expect(single.statusCode, single.body).toBe(422);
    expect(single.json().errors).toEqual([{ field: 'address', message: BAD_EMAIL }]);
  });

  it('refused by the database itself reads the same', async () => {
    const error = await refused(
      t.database,
      `INSERT INTO contacts_email (person_id, address) VALUES (${personId}, 'no-at-sign')`,
    );
    expect(error).toMatchObject({ code: '23514', constraint: 'contacts_email_address_check' });
    const meta = describeTable(email);
    expect(
      mapDatabaseError(
        meta,
        'E-mail address',
        (k) => k,
        error,
        indexCheckRules([{ app: 'contacts', rules: CHECK_RULES }]).rules,
      ),
    ).toEqual({
      field: 'address',
      message: BAD_EMAIL,
    });
  });
});
