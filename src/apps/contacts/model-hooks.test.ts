import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminBrowser } from '../../core/admin/testing.js';
import { type ApiClient, superuserClients } from '../../core/api/testing.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { engineName } from '../../core/testing/migrated-database.js';
import { describeOn } from '../../core/testing/test-database.js';
import { newCompany, newPerson } from './testing.js';

// The admin and the API write addresses, telephones and e-mails through the contacts models'
// save and delete hooks, which run the services' write parts (writes.ts) in the model layer's
// transaction: a row marked primary demotes the old one instead of being refused, a move locks
// both owners in one order, and the database's refusals keep the words and statuses they had.

let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
const TELEPHONES = '/api/v1/contacts/telephone/';
const ADDRESSES = '/api/v1/contacts/address/';
const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
  t.database.query<T>(sql, params);
const telephonesOf = (personId: number) =>
  q<{ number: string; is_primary: boolean }>(
    'SELECT number, is_primary FROM contacts_telephone WHERE person_id = $1 ORDER BY id',
    [personId],
  );
const addressesOf = (personId: number) =>
  q<{ id: number; is_primary: boolean }>(
    'SELECT id, is_primary FROM contacts_address WHERE person_id = $1 ORDER BY id',
    [personId],
  );

beforeAll(async () => {
  t = await buildTestApp();
  ({ browser, api } = await superuserClients(t.app, t.database.db));
});
afterAll(() => t.close());

describe(`contacts written by the admin and the API (${engineName})`, () => {
  it('adds a telephone marked primary through the API, demoting the old primary', async () => {
    const { person } = await newPerson(t.database.db);
    const res = await api.post(TELEPHONES, { personId: person.id, number: '079 123 45 67', isPrimary: true });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ number: '+41791234567', isPrimary: true });
    expect(await telephonesOf(person.id)).toEqual([
      { number: '+41446681800', is_primary: false },
      { number: '+41791234567', is_primary: true },
    ]);
    // Not marked: added as it is, the primary left alone.
    const plain = await api.post(TELEPHONES, { personId: person.id, number: '+41 31 300 00 00' });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json()).toMatchObject({ isPrimary: false });
  });

  it('adds a telephone marked primary on the admin’s form, demoting the old primary', async () => {
    const { person } = await newPerson(t.database.db);
    const res = await browser.post('/admin/contacts/telephone/add/', {
      personId: person.id,
      companyId: '',
      kind: 'work',
      number: '044 668 18 01',
      isPrimary: 'on',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(await telephonesOf(person.id)).toEqual([
      { number: '+41446681800', is_primary: false },
      { number: '+41446681801', is_primary: true },
    ]);
  });

  it('switches the primary with a PATCH, and refuses leaving the owner without one (422, the database’s words)', async () => {
    const { person, addresses } = await newPerson(t.database.db, { addresses: 2 });
    const res = await api.patch(`${ADDRESSES}${addresses[1]!.id}/`, { isPrimary: true });
    expect(res.statusCode, res.body).toBe(200);
    expect(await addressesOf(person.id)).toEqual([
      { id: addresses[0]!.id, is_primary: false },
      { id: addresses[1]!.id, is_primary: true },
    ]);
    const none = await api.patch(`${ADDRESSES}${addresses[1]!.id}/`, { isPrimary: false });
    expect(none.statusCode, none.body).toBe(422);
    expect(none.json().errors).toEqual([
      {
        field: null,
        message: 'Ada Lovelace must have exactly one primary address (it has 0). Make one of them primary.',
      },
    ]);
  });

  it('moves an address that is not primary through the API, and refuses moving the primary: 422', async () => {
    const { person, addresses } = await newPerson(t.database.db, { addresses: 2 });
    const { company } = await newCompany(t.database.db, 'Hooks SA');
    const moved = await api.patch(`${ADDRESSES}${addresses[1]!.id}/`, {
      personId: null,
      companyId: company.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ personId: null, companyId: company.id, isPrimary: false });
    const refused = await api.patch(`${ADDRESSES}${addresses[0]!.id}/`, {
      personId: null,
      companyId: company.id,
    });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().errors).toEqual([
      {
        field: null,
        message:
          'This is the primary address of Ada Lovelace, so it cannot be moved to another owner. Make another address primary first.',
      },
    ]);
    expect(await addressesOf(person.id)).toEqual([{ id: addresses[0]!.id, is_primary: true }]);
  });

  it('refuses moving the primary address on the admin’s form, in the database’s words', async () => {
    const { addresses } = await newPerson(t.database.db, { addresses: 2 });
    const other = await newPerson(t.database.db, { firstName: 'Bea' });
    const res = await browser.post(`/admin/contacts/address/${addresses[0]!.id}/change/`, {
      personId: other.person.id,
      companyId: '',
      kind: 'home',
      street: 'Street 1',
      postalCode: '8000',
      city: 'Zürich',
      country: 'CH',
      isPrimary: 'on',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      'This is the primary address of Ada Lovelace, so it cannot be moved to another owner. Make another address primary first.',
    );
  });

  it('refuses deleting the primary telephone through the API and the admin, in the same words', async () => {
    const { telephones } = await newPerson(t.database.db, { telephones: 2, firstName: 'Del' });
    const words =
      'This is the primary telephone of Del Lovelace, so it cannot be deleted. Make another telephone primary first: select it in the Telephones list and choose the “Make primary” action.';
    const res = await api.delete(`${TELEPHONES}${telephones[0]!.id}/`);
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ field: null, message: `Nothing was deleted. ${words}` }]);
    const page = await browser.get(`/admin/contacts/telephone/${telephones[0]!.id}/delete/`);
    expect(page.body).toContain(words);
    // The other one goes, through the delete hook.
    expect((await api.delete(`${TELEPHONES}${telephones[1]!.id}/`)).statusCode).toBe(204);
    const gone = await browser.post(`/admin/contacts/telephone/${telephones[0]!.id}/delete/`, {
      post: 'yes',
    });
    expect(gone.statusCode).toBe(403);
  });

  it('deletes rows dropped from a person’s nested list through the delete hook, in one transaction', async () => {
    const { person, telephones } = await newPerson(t.database.db, { telephones: 2 });
    const res = await api.patch(`/api/v1/contacts/person/${person.id}/`, {
      telephones: [{ id: telephones[0]!.id }, { number: '+41 61 000 00 00' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await telephonesOf(person.id)).toEqual([
      { number: '+41446681800', is_primary: true },
      { number: '+41610000000', is_primary: false },
    ]);
  });
});

describeOn('postgres', 'contacts written through the API at the same time (PostgreSQL)', () => {
  /** The sessions of this database waiting for a lock, each with the sessions it waits for. */
  const waiting = () =>
    q<{ pid: number; blockers: number[] }>(
      `SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' ORDER BY pid`,
    );
  const deadlocks = async () =>
    (
      await q<{ n: number }>(
        'SELECT deadlocks::int AS n FROM pg_stat_database WHERE datname = current_database()',
      )
    )[0]!.n;

  it('queues two opposite moves on the owners’ locks, without a deadlock', async () => {
    const ada = await newPerson(t.database.db, { addresses: 2, firstName: 'Ada' });
    const bea = await newPerson(t.database.db, { addresses: 2, firstName: 'Bea' });
    const fromAda = ada.addresses[1]!.id;
    const fromBea = bea.addresses[1]!.id;
    const before = await deadlocks();
    // A third session holds both addresses. Locking both owners in one order before the row,
    // the first move holds both owners and waits for the holder, the second waits for the
    // first. Without the owners' locks both would wait for the holder side by side.
    const { moves, holderPid, queue } = await t.database.withSession((holder) =>
      holder.transaction(async (tx) => {
        const [{ pid }] = (await tx.query('SELECT pg_backend_pid() AS pid')) as [{ pid: number }];
        await tx.query('SELECT id FROM contacts_address WHERE id = ANY($1) FOR UPDATE', [[fromAda, fromBea]]);
        const moves = Promise.all([
          api.patch(`${ADDRESSES}${fromAda}/`, { personId: bea.person.id }),
          api.patch(`${ADDRESSES}${fromBea}/`, { personId: ada.person.id }),
        ]);
        await expect.poll(async () => (await waiting()).length, { timeout: 10_000 }).toBe(2);
        return { moves, holderPid: pid, queue: await waiting() };
      }),
    );
    const first = queue.find((w) => w.blockers.includes(holderPid));
    expect(first, JSON.stringify(queue)).toBeDefined();
    expect(queue.filter((w) => w !== first)).toEqual([{ pid: expect.any(Number), blockers: [first!.pid] }]);
    const results = await moves;
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const owners = await q<{ id: number; person_id: number }>(
      'SELECT id, person_id FROM contacts_address WHERE id = ANY($1) ORDER BY id',
      [[fromAda, fromBea]],
    );
    expect(owners).toEqual([
      { id: fromAda, person_id: bea.person.id },
      { id: fromBea, person_id: ada.person.id },
    ]);
    // A victim's backend reports its deadlock a moment later (at most a second or so).
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await deadlocks()).toBe(before);
  }, 30_000);

  it('deletes a telephone through the API only once its owner’s lock is free (the delete hook)', async () => {
    const { person, telephones } = await newPerson(t.database.db, { telephones: 2, firstName: 'Dee' });
    const deleted = await t.database.withSession((holder) =>
      holder.transaction(async (tx) => {
        // As a switch of the primary on the same owner holds it.
        await tx.query('SELECT id FROM contacts_person WHERE id = $1 FOR NO KEY UPDATE', [person.id]);
        const deleted = api.delete(`${TELEPHONES}${telephones[1]!.id}/`);
        await expect.poll(async () => (await waiting()).length, { timeout: 10_000 }).toBe(1);
        return { deleted };
      }),
    );
    expect((await deleted.deleted).statusCode).toBe(204);
    expect(await telephonesOf(person.id)).toEqual([{ number: '+41446681800', is_primary: true }]);
  }, 30_000);

  it('adds two primary telephones at once: the second waits for the first and demotes it', async () => {
    const { person } = await newPerson(t.database.db, { firstName: 'Cy' });
    const posts = await t.database.withSession((holder) =>
      holder.transaction(async (tx) => {
        await tx.query('SELECT id FROM contacts_person WHERE id = $1 FOR NO KEY UPDATE', [person.id]);
        const posts = Promise.all(
          ['+41 44 000 00 01', '+41 44 000 00 02'].map((number) =>
            api.post(TELEPHONES, { personId: person.id, number, isPrimary: true }),
          ),
        );
        // Both wait for the owner's lock: neither inserts before it holds it.
        await expect.poll(async () => (await waiting()).length, { timeout: 10_000 }).toBe(2);
        return { posts };
      }),
    );
    const results = await posts.posts;
    expect(
      results.map((r) => r.statusCode),
      results.map((r) => r.body).join('\n'),
    ).toEqual([201, 201]);
    const rows = await telephonesOf(person.id);
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.is_primary)).toHaveLength(1);
    expect(rows[0]).toEqual({ number: '+41446681800', is_primary: false });
  }, 30_000);
});
