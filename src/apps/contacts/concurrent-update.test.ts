import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminBrowser, createTestUser, location } from '../../core/admin/testing.js';
import { ApiClient, userWithToken } from '../../core/api/testing.js';
import { defineApp } from '../../core/apps/define-app.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { engineName } from '../../core/testing/migrated-database.js';
import { installedApps } from '../installed.js';
import { moveContact } from './service.js';
import { newPerson } from './testing.js';

// What the admin and the API answer when a transaction keeps failing because of a concurrent
// one. A trigger in this file's database makes every write of an address whose street is
// "Busy <SQLSTATE>" fail with that SQLSTATE (40001 serialization failure, 40P01 deadlock), as
// PostgreSQL does to the loser of a collision; the services retry, then give up with a 409.
// "Make primary" on such a row is an action that did nothing (an error) or only part (a warning).

const MESSAGE =
  'The record was changed by someone else at the same time, so nothing was saved. Please try again.';

/** A test-only route that calls a contacts service directly: the server's error handler answers. */
const moveApp = defineApp({
  name: 'movetest',
  label: 'Move test route',
  routes: (app, ctx) => {
    app.post('/t/move/:id/:personId/', { config: { csrf: false } }, async (request) => {
      const { id, personId } = request.params as { id: string; personId: string };
      return moveContact(ctx.database.db, 'address', Number(id), { personId: Number(personId) });
    });
  },
});

let t: TestApp;
let api: ApiClient;
let browser: AdminBrowser;
let ownerId: number;
let otherId: number;
/** Two addresses of another person, created before the busy ones (so they sort first). */
let pam: number[];
const busy: Record<string, number> = {};
const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  t.database.query<T>(sql, params);
const isPrimary = async (id: number) =>
  (await q<{ is_primary: boolean }>('SELECT is_primary FROM contacts_address WHERE id = $1', [id]))[0]
    ?.is_primary;
const streetOf = async (id: number) =>
  (await q<{ street: string }>('SELECT street FROM contacts_address WHERE id = $1', [id]))[0]?.street;

beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, moveApp] });
  await t.database.exec(`
    CREATE FUNCTION test_busy_address() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE street text := CASE TG_OP WHEN 'DELETE' THEN OLD.street ELSE NEW.street END;
    BEGIN
      IF street LIKE 'Busy %' THEN
        RAISE EXCEPTION 'could not serialize access' USING ERRCODE = substr(street, 6);
      END IF;
      RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    END $$;
    CREATE TRIGGER test_busy_address BEFORE UPDATE OR DELETE ON contacts_address
      FOR EACH ROW EXECUTE FUNCTION test_busy_address();`);
  const owner = await newPerson(t.database.db);
  const other = await newPerson(t.database.db, { firstName: 'Bea' });
  ownerId = owner.person.id;
  otherId = other.person.id;
  pam = (await newPerson(t.database.db, { addresses: 2, firstName: 'Pam' })).addresses.map((a) => a.id);
  for (const sqlState of ['40001', '40P01']) {
    const [row] = await q<{ id: number }>(
      `INSERT INTO contacts_address (person_id, street, postal_code, city, country)
       VALUES ($1, $2, '8000', 'Zürich', 'CH') RETURNING id`,
      [ownerId, `Busy ${sqlState}`],
    );
    busy[sqlState] = row!.id;
  }
  const { key } = await userWithToken(t.database.db, 'root', [], { superuser: true });
  api = new ApiClient(t.app, { token: key });
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe(`a write that keeps colliding with concurrent transactions (${engineName})`, () => {
  for (const sqlState of ['40001', '40P01']) {
    it(`is a 409 problem through the API after ${sqlState}, saying to try again`, async () => {
      const res = await api.patch(`/api/v1/contacts/address/${busy[sqlState]}/`, { city: 'Bern' });
      expect(res.statusCode, res.body).toBe(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        status: 409,
        title: 'Conflict',
        detail: MESSAGE,
        errors: [{ field: null, message: MESSAGE }],
      });
      expect(res.body).not.toContain('stack');
      expect((await q('SELECT city FROM contacts_address WHERE id = $1', [busy[sqlState]]))[0]!['city']).toBe(
        'Zürich',
      );
    });

    it(`is a message on the admin's form after ${sqlState}, not a 500`, async () => {
      const res = await browser.post(`/admin/contacts/address/${busy[sqlState]}/change/`, {
        personId: ownerId,
        companyId: '',
        kind: 'home',
        street: `Busy ${sqlState}`,
        postalCode: '3000',
        city: 'Bern',
        country: 'CH',
      });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain(MESSAGE);
      expect(res.body).not.toContain('Internal Server Error');
      expect(await streetOf(busy[sqlState]!)).toBe(`Busy ${sqlState}`);
    });
  }

  it('is a 409 problem when a service route gives up, in JSON or as a page, without a stack trace', async () => {
    const url = `/t/move/${busy['40P01']}/${otherId}/`;
    const json = await t.app.inject({
      method: 'POST',
      url,
      headers: { host: 'localhost', accept: 'application/json' },
    });
    expect(json.statusCode, json.body).toBe(409);
    expect(json.headers['content-type']).toContain('application/problem+json');
    expect(json.json()).toMatchObject({ status: 409, detail: MESSAGE, code: 'SLIPWAY_CONCURRENT_UPDATE' });
    expect(json.json()).not.toHaveProperty('stack');
    const page = await t.app.inject({
      method: 'POST',
      url,
      headers: { host: 'localhost', accept: 'text/html' },
    });
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain(MESSAGE);
    expect(page.body).not.toContain('ConcurrentUpdateError');
    expect(
      (await q('SELECT person_id FROM contacts_address WHERE id = $1', [busy['40P01']]))[0]!['person_id'],
    ).toBe(ownerId);
  });

  it('is an error message on the admin’s delete, and a 409 through the API, deleting nothing', async () => {
    const id = busy['40001']!;
    const res = await browser.post(`/admin/contacts/address/${id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(303);
    const page = await browser.get(location(res));
    expect(page.body).toContain(`message-error">Nothing was deleted. ${MESSAGE}`);
    const deleted = await api.delete(`/api/v1/contacts/address/${id}/`);
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().detail).toBe(`Nothing was deleted. ${MESSAGE}`);
    expect(await streetOf(id)).toBe('Busy 40001');
  });

  it('makes “Make primary” flash an error when nothing could be switched, and a warning when part was', async () => {
    const alone = await browser.post('/admin/contacts/address/', {
      action: 'make_primary',
      _selected_action: [busy['40P01']!],
    });
    expect(alone.statusCode).toBe(303);
    expect((await browser.get(location(alone))).body).toContain(
      `<li class="message message-error">Nothing was changed. ${MESSAGE}</li>`,
    );
    const part = await browser.post('/admin/contacts/address/', {
      action: 'make_primary',
      _selected_action: [busy['40001']!, pam[1]!],
    });
    expect((await browser.get(location(part))).body).toContain(
      `<li class="message message-warning">1 made primary, then stopped. ${MESSAGE}</li>`,
    );
    expect([await isPrimary(pam[1]!), await isPrimary(busy['40001']!)]).toEqual([true, false]);
  });

  it('makes the API’s “Make primary” a 409 saying how far it got, with the objects as they are', async () => {
    const action = '/api/v1/contacts/address/actions/make_primary/';
    const alone = await api.post(action, { ids: [busy['40001']] });
    expect(alone.statusCode, alone.body).toBe(409);
    expect(alone.json()).toMatchObject({ level: 'error', detail: `Nothing was changed. ${MESSAGE}` });
    expect(alone.json()).not.toHaveProperty('results');

    const part = await api.post(action, { ids: [busy['40P01'], pam[0]] });
    expect(part.statusCode, part.body).toBe(409);
    expect(part.headers['content-type']).toContain('application/problem+json');
    expect(part.json()).toMatchObject({
      type: '/api/docs#problem-action',
      level: 'warning',
      detail: `1 made primary, then stopped. ${MESSAGE}`,
      results: [
        { id: busy['40P01'], isPrimary: false },
        { id: pam[0], isPrimary: true },
      ],
    });
    expect([await isPrimary(pam[0]!), await isPrimary(pam[1]!)]).toEqual([true, false]);
  });
});
