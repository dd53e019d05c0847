import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, userWithToken } from './testing.js';

// Contacts through the generic API: a person with addresses and telephones in one request (one
// transaction, the database's primary-object rules at COMMIT), and the rules' refusals as
// problem documents with the database's message.
let t: TestApp;
let api: ApiClient;
const PERSONS = '/api/v1/contacts/person/';
const ADDRESSES = '/api/v1/contacts/address/';
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);

const ada = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  addresses: [
    { kind: 'home', street: 'Main 1', postalCode: '8000', city: 'Zürich', country: 'CH' },
    { kind: 'work', street: 'Quai 2', postalCode: '1200', city: 'Genève', country: 'CH' },
  ],
  telephones: [{ number: '+41 44 668 18 00' }],
};

beforeAll(async () => {
  t = await buildTestApp();
  const { key } = await userWithToken(t.database.db, 'root', [], { superuser: true });
  api = new ApiClient(t.app, { token: key });
});
afterAll(() => t.close());

describe('a person with addresses and telephones', () => {
  let personId: number;
  let addressIds: number[];

  it('is created in one request, the first address and telephone becoming primary', async () => {
    const res = await api.post(PERSONS, ada);
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    personId = body.id;
    addressIds = body.addresses.map((a: { id: number }) => a.id);
    expect(body.addresses.map((a: { city: string; isPrimary: boolean }) => [a.city, a.isPrimary])).toEqual([
      ['Zürich', true],
      ['Genève', false],
    ]);
    expect(body.telephones).toEqual([expect.objectContaining({ number: '+41446681800', isPrimary: true })]);
    expect(body.emails).toEqual([]);
  });

  it('is refused whole, naming the inline, without an address', async () => {
    const before = await q('SELECT count(*)::int AS n FROM contacts_person');
    const res = await api.post(PERSONS, { ...ada, firstName: 'Nobody', addresses: [] });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'addresses', message: 'Please submit at least 1 address.' }]);
    expect(await q('SELECT count(*)::int AS n FROM contacts_person')).toEqual(before);
  });

  it('rolls everything back when a telephone number is refused, pointing at it', async () => {
    const before = await q('SELECT count(*)::int AS n FROM contacts_person');
    // A national number: the telephone model's own rule (its clean hook, run on child rows as
    // on the telephone endpoint) cannot read it, since a new person has no primary address yet.
    const res = await api.post(PERSONS, {
      ...ada,
      firstName: 'Bad',
      telephones: [{ number: '044 668 18 00' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      expect.objectContaining({
        field: 'telephones[0].number',
        message: 'Enter the number with its country code, e.g. +41 44 668 18 00.',
      }),
    ]);
    expect(await q('SELECT count(*)::int AS n FROM contacts_person')).toEqual(before);
  });

  it("reads a national number of a nested telephone in the country of the person's primary address", async () => {
    const [phone] = await q('SELECT id FROM contacts_telephone WHERE person_id = $1', [personId]);
    const put = (number: string) =>
      api.put(`${PERSONS}${personId}/`, {
        firstName: 'Ada',
        lastName: 'Lovelace',
        telephones: [{ id: phone!['id'] }, { kind: 'home', number }],
      });
    const bad = await put('12');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      {
        field: 'telephones[1].number',
        message: 'Enter a valid telephone number: the country code and the number, 7 to 15 digits in all.',
      },
    ]);
    const res = await put('079 123 45 67');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().telephones.map((p: { number: string }) => p.number)).toEqual([
      '+41446681800',
      '+41791234567',
    ]);
    await q('DELETE FROM contacts_telephone WHERE person_id = $1 AND NOT is_primary', [personId]);
  });

  it('refuses deleting the primary address, in the words of the admin’s delete page', async () => {
    const res = await api.delete(`${ADDRESSES}${addressIds[0]}/`);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors[0].message).toBe(
      'Nothing was deleted. This is the primary address of Ada Lovelace, so it cannot be deleted. Make another address primary first: select it in the Addresses list and choose the “Make primary” action.',
    );
    expect((await api.get(`${ADDRESSES}${addressIds[0]}/`)).statusCode).toBe(200);
  });

  it('refuses dropping the primary address from the list on PUT, and changes nothing', async () => {
    const res = await api.put(`${PERSONS}${personId}/`, {
      firstName: 'Ada',
      lastName: 'Lovelace',
      addresses: [{ id: addressIds[1] }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      {
        field: 'addresses',
        message: `Address with id ${addressIds[0]}: This is the primary address of Ada Lovelace, so it cannot be deleted. Make another address primary first: select it in the Addresses list and choose the “Make primary” action.`,
      },
    ]);
    const rows = await q('SELECT id FROM contacts_address WHERE person_id = $1 ORDER BY id', [personId]);
    expect(rows.map((r) => r['id'])).toEqual(addressIds);
  });

  it('refuses making two addresses of one person primary at once: 409 with the action’s message', async () => {
    const res = await api.post(`${ADDRESSES}actions/make_primary/`, { ids: addressIds });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const message = 'Nothing was changed: select one address per person or company.';
    expect(res.json()).toMatchObject({
      type: '/api/docs#problem-action',
      title: 'Action not completed',
      status: 409,
      detail: message,
      level: 'error',
      errors: [{ field: null, message }],
    });
    const rows = await q('SELECT id, is_primary FROM contacts_address WHERE person_id = $1 ORDER BY id', [
      personId,
    ]);
    expect(rows.map((r) => r['is_primary'])).toEqual([true, false]);
  });

  it('switches the primary through the admin’s action, then lets the old one go', async () => {
    const res = await api.post(`${ADDRESSES}actions/make_primary/`, { ids: [addressIds[1]] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().results).toEqual([expect.objectContaining({ id: addressIds[1], isPrimary: true })]);
    const person = (await api.get(`${PERSONS}${personId}/`)).json();
    expect(person.addresses.map((a: { isPrimary: boolean }) => a.isPrimary)).toEqual([false, true]);
    expect((await api.delete(`${ADDRESSES}${addressIds[0]}/`)).statusCode).toBe(204);
  });

  it('refuses moving a primary address to another person, with the rule’s message', async () => {
    const other = (await api.post(PERSONS, { ...ada, firstName: 'Grace' })).json();
    const res = await api.patch(`${ADDRESSES}${addressIds[1]}/`, { personId: other.id });
    expect(res.statusCode).toBe(422);
    expect(JSON.stringify(res.json().errors)).toContain(
      'This is the primary address of Ada Lovelace, so it cannot be moved to another owner. Make another address primary first.',
    );
  });

  it('deletes the whole person with every row they own', async () => {
    expect((await api.delete(`${PERSONS}${personId}/`)).statusCode).toBe(204);
    expect(await q('SELECT id FROM contacts_address WHERE person_id = $1', [personId])).toEqual([]);
    expect(await q('SELECT id FROM contacts_telephone WHERE person_id = $1', [personId])).toEqual([]);
  });
});

describe('the contacts list', () => {
  it('pages persons like the admin, with their contacts nested', async () => {
    expect((await api.post(PERSONS, { ...ada, firstName: 'Hedy' })).statusCode).toBe(201);
    const res = await api.get(`${PERSONS}?page_size=1&page=2&ordering=firstName`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ count: 2, results: [{ firstName: 'Hedy' }] });
    expect(res.json().results[0].addresses).toHaveLength(2);
  });
});

describe('attachments', () => {
  const ATTACHMENTS = '/api/v1/contacts/attachment/';
  const base64 = (text: string) => Buffer.from(text).toString('base64');
  let ownerId: number;
  beforeAll(async () => {
    ownerId = (await api.post(PERSONS, { ...ada, firstName: 'Filed' })).json().id;
  });

  it('are uploaded as base64 in the JSON, stored under MEDIA_ROOT with a generated name', async () => {
    const res = await api.post(ATTACHMENTS, {
      personId: ownerId,
      kind: 'document',
      file: { filename: '../../etc/notes.txt', content: base64('Hello, file.') },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ personId: ownerId, contentType: 'text/plain', size: 12 });
    expect(body.originalName).not.toContain('/');
    expect(body).not.toHaveProperty('file');
    const [row] = await q('SELECT stored_name FROM contacts_attachment WHERE id = $1', [body.id]);
    const stored = String(row!['stored_name']);
    expect(stored).not.toContain('notes');
    expect(existsSync(join(t.config.mediaRoot, stored))).toBe(true);

    expect((await api.delete(`${ATTACHMENTS}${body.id}/`)).statusCode).toBe(204);
    await expect.poll(() => existsSync(join(t.config.mediaRoot, stored))).toBe(false);
  });

  it('refuse a file whose content is not what its name says, and storing nothing', async () => {
    const res = await api.post(ATTACHMENTS, {
      personId: ownerId,
      kind: 'document',
      file: { filename: 'invoice.pdf', content: base64('not a pdf at all') },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'file', message: expect.any(String) }]);
  });

  it('need a file when created, in base64', async () => {
    const missing = await api.post(ATTACHMENTS, { personId: ownerId, kind: 'document' });
    expect(missing.json().errors).toEqual([{ field: 'file', message: 'This field is required.' }]);
    const garbled = await api.post(ATTACHMENTS, {
      personId: ownerId,
      kind: 'document',
      file: { filename: 'a.txt', content: 'not base64!' },
    });
    expect(garbled.statusCode).toBe(422);
    expect(garbled.json().errors).toEqual([
      { field: 'file.content', message: 'Enter the file’s content in base64.' },
    ]);
  });
});
