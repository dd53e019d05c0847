import { bigint, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson } from '../../apps/contacts/testing.js';
import { type ApiClient, superuserClients } from '../api/testing.js';
import { describeTable } from '../models/fields.js';
import { parsePk } from '../models/objects.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import type { AdminBrowser } from './testing.js';

// Ids are 32-bit serials: 2147483648 is past the column's range, which PostgreSQL refuses with
// 22003 (a 500) if it ever reaches it. Paths answer 404, filters and bodies a field error.
let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
let personId: number;
let addressId: number;
const BIG = '2147483648';

beforeAll(async () => {
  t = await buildTestApp();
  ({ browser, api } = await superuserClients(t.app, t.database.db));
  const created = await newPerson(t.database.db);
  personId = created.person.id;
  addressId = created.addresses[0]!.id;
});
afterAll(() => t.close());

describe('parsePk', () => {
  const keys = pgTable('keys', {
    small: smallint('small'),
    big: bigint('big', { mode: 'bigint' }),
    big53: bigint('big53', { mode: 'number' }),
    uid: uuid('uid'),
    name: text('name'),
  });
  const meta = describeTable(keys);
  const parse = (key: string, raw: string) => parsePk(meta.field(key)!, raw);

  it('takes an integer id within the column type, and nothing past it', () => {
    expect(parse('small', '32767')).toBe(32767);
    expect(parse('small', '32768')).toBeUndefined();
    expect(parse('big53', '9007199254740991')).toBe(9007199254740991);
    expect(parse('big53', '9007199254740992')).toBeUndefined();
    expect(parse('small', '1.5')).toBeUndefined();
    expect(parse('small', '-1')).toBeUndefined();
  });

  it('takes a bigint id up to 9223372036854775807, as a string', () => {
    expect(parse('big', '9223372036854775807')).toBe('9223372036854775807');
    expect(parse('big', '0042')).toBe('42');
    expect(parse('big', '9223372036854775808')).toBeUndefined();
    expect(parse('big', 'abc')).toBeUndefined();
  });

  it('takes uuid and text ids as they are', () => {
    expect(parse('uid', '0b1e6f3c-0000-4000-8000-000000000000')).toBe('0b1e6f3c-0000-4000-8000-000000000000');
    expect(parse('name', 'any text')).toBe('any text');
  });
});

describe('in the admin', () => {
  it('answers 404 for an object id past the column range, on every object page', async () => {
    for (const page of ['change', 'delete', 'history']) {
      const res = await browser.get(`/admin/contacts/person/${BIG}/${page}/`);
      expect(res.statusCode, `${page}: ${res.body.slice(0, 300)}`).toBe(404);
      expect(res.body).toContain(`Person with ID “${BIG}” doesn’t exist.`);
    }
    const highest = await browser.get('/admin/contacts/person/2147483647/change/');
    expect(highest.statusCode).toBe(404);
  });

  it('ignores a foreign key filter past the column range, saying so', async () => {
    const res = await browser.get(`/admin/contacts/address/?personId__id__exact=${BIG}`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body).toContain('Ignored invalid filter values: personId__id__exact.');
  });

  it('refuses a foreign key past the column range in a form as an invalid choice', async () => {
    const res = await browser.post('/admin/contacts/email/add/', {
      personId: BIG,
      kind: 'work',
      address: 'ada@example.com',
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.body).toContain('Select a valid choice. That choice is not one of the available choices.');
  });
});

describe('in the API', () => {
  it('answers 404 for an object id past the column range, whatever the method', async () => {
    for (const url of [`/api/v1/contacts/person/${BIG}/`, `/api/v1/polls/question/${BIG}/`]) {
      const got = await api.get(url);
      expect(got.statusCode, got.body).toBe(404);
      expect(got.json().detail).toMatch(/with ID “2147483648” doesn’t exist/);
    }
    expect((await api.patch(`/api/v1/contacts/person/${BIG}/`, { firstName: 'X' })).statusCode).toBe(404);
    expect((await api.delete(`/api/v1/contacts/person/${BIG}/`)).statusCode).toBe(404);
  });

  it('refuses a foreign key filter past the column range as a query error', async () => {
    const res = await api.get(`/api/v1/contacts/address/?personId__id__exact=${BIG}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'personId__id__exact', message: 'Ensure this value is less than or equal to 2147483647.' },
    ]);
    const ok = await api.get(`/api/v1/contacts/address/?personId__id__exact=${personId}`);
    expect(ok.json().count).toBe(1);
  });

  it('refuses action ids past the column range as field errors', async () => {
    const res = await api.post('/api/v1/contacts/address/actions/make_primary/', {
      ids: [addressId, Number(BIG)],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'ids[1]', message: expect.any(String) }]);
  });

  it('refuses nested child and foreign key ids past the column range as field errors', async () => {
    const res = await api.patch(`/api/v1/contacts/person/${personId}/`, {
      emails: [{ id: Number(BIG), address: 'ada@example.com' }],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'emails[0].id', message: 'Ensure this value is less than or equal to 2147483647.' },
    ]);
    const fk = await api.post('/api/v1/contacts/email/', { personId: Number(BIG), address: 'a@example.com' });
    expect(fk.statusCode, fk.body).toBe(422);
    expect(fk.json().errors).toEqual([
      { field: 'personId', message: 'Ensure this value is less than or equal to 2147483647.' },
    ]);
  });

  it('says that a page past any number is not there, with the number as sent', async () => {
    const res = await api.get('/api/v1/contacts/person/?page=99999999999999999999');
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().detail).toBe('There is no page 99999999999999999999: the last page is 1.');
  });
});
