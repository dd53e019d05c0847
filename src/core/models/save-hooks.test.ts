import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import type { AdminBrowser } from '../admin/testing.js';
import { type ApiClient, superuserClients } from '../api/testing.js';
import { defineApp } from '../apps/define-app.js';
import { makeAppMigrations } from '../db/migrate/make-migration.js';
import { SlipwayError } from '../errors.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { defineModel } from './define-model.js';

// A model's `save` and `delete` hooks write its rows instead of the model layer, in the write's
// one transaction, for its own objects and as child rows of another model; what an app's hook
// throws comes back as the model layer's own refusals: on the field or child row, with its status.
const folder = join(mkdtempSync(join(tmpdir(), 'slipway-crate-')), 'migrations');
const crate = pgTable('crate_box', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 40 }).notNull(),
});
const item = pgTable('crate_item', {
  id: serial('id').primaryKey(),
  boxId: integer('box_id').references(() => crate.id, { onDelete: 'cascade' }),
  label: varchar('label', { length: 40 }).notNull(),
});
const TAKEN = 'This label is taken by another crate.';
const BAD = 'This label is not allowed.';
const KEEP = 'This item is kept: empty the crate instead.';

/** The hook's rules: `taken` a conflict (409), `bad` a rule broken (422), `keep` never deleted. */
const itemModel = defineModel(item, {
  async save({ tx, values, original }) {
    const label = String(values['label'] ?? original?.label);
    if (label === 'taken')
      throw new SlipwayError('CRATE_TAKEN', 409, TAKEN, { errors: [{ field: 'label', message: TAKEN }] });
    if (label === 'bad')
      throw new SlipwayError('CRATE_BAD', 422, BAD, { errors: [{ field: 'label', message: BAD }] });
    // A write the database refuses (a NULL label), as a buggy or racing hook's would be.
    if (label === 'void')
      return (
        await tx
          .insert(item)
          .values({ label: null as never })
          .returning()
      )[0];
    // Written by the hook, not the model layer: the label in capitals.
    const written = {
      ...values,
      ...(values['label'] ? { label: String(values['label']).toUpperCase() } : {}),
    };
    if (!original)
      return (
        await tx
          .insert(item)
          .values(written as never)
          .returning()
      )[0];
    return (await tx.update(item).set(written).where(eq(item.id, original.id)).returning())[0];
  },
  async delete({ tx, row }) {
    if (row.label === 'KEEP') throw new SlipwayError('CRATE_KEEP', 409, KEEP);
    return (await tx.delete(item).where(eq(item.id, row.id)).returning())[0];
  },
});
const crateApp = defineApp({
  name: 'crate',
  label: 'Crates',
  schema: { crate, item },
  migrations: folder,
  dependencies: ['auth', 'admin'],
  admin: (site) => {
    site.register(crate, { inlines: [{ table: item, fk: 'boxId', fields: ['label'] }] });
    site.register(item, { model: itemModel });
  },
});
const apps = [...installedApps, crateApp];
let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
const ITEMS = '/api/v1/crate/item/';
const labels = async () =>
  (await t.database.query<{ label: string }>('SELECT label FROM crate_item ORDER BY id')).map((r) => r.label);

beforeAll(async () => {
  await makeAppMigrations({ apps, only: ['crate'] });
  t = await buildTestApp({ apps });
  ({ browser, api } = await superuserClients(t.app, t.database.db));
});
afterAll(() => t?.close());

describe('a model’s save and delete hooks', () => {
  it('write its own objects, through the API and the admin', async () => {
    const res = await api.post(ITEMS, { label: 'first' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ label: 'FIRST' });
    const changed = await api.patch(`${ITEMS}${res.json().id}/`, { label: 'renamed' });
    expect(changed.json()).toMatchObject({ label: 'RENAMED' });
    const form = await browser.post('/admin/crate/item/add/', { boxId: '', label: 'admin' });
    expect(form.statusCode, form.body).toBe(303);
    expect(await labels()).toEqual(['RENAMED', 'ADMIN']);
  });

  it('write child rows in the parent’s transaction, a refusal going on the row and rolling back all', async () => {
    const res = await api.post('/api/v1/crate/box/', {
      name: 'A',
      items: [{ label: 'one' }, { label: 'two' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().items.map((i: { label: string }) => i.label)).toEqual(['ONE', 'TWO']);
    const before = await labels();
    const refused = await api.post('/api/v1/crate/box/', {
      name: 'B',
      items: [{ label: 'ok' }, { label: 'taken' }],
    });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().errors).toEqual([{ field: 'items[1].label', message: TAKEN }]);
    const refusedByDb = await api.post('/api/v1/crate/box/', {
      name: 'V',
      items: [{ label: 'ok' }, { label: 'void' }],
    });
    expect(refusedByDb.statusCode, refusedByDb.body).toBe(422);
    expect(refusedByDb.json().errors).toEqual([
      { field: 'items[1].label', message: 'This field is required.' },
    ]);
    const bad = await api.post('/api/v1/crate/box/', { name: 'C', items: [{ label: 'bad' }] });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'items[0].label', message: BAD }]);
    expect(await labels()).toEqual(before);
    expect(await t.database.query('SELECT name FROM crate_box ORDER BY id')).toEqual([{ name: 'A' }]);
  });

  it('refuse in the app’s words and status: 409 or 422 through the API, on the field in the admin', async () => {
    const taken = await api.post(ITEMS, { label: 'taken' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().errors).toEqual([{ field: 'label', message: TAKEN }]);
    const bad = await api.post(ITEMS, { label: 'bad' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'label', message: BAD }]);
    const form = await browser.post('/admin/crate/item/add/', { boxId: '', label: 'taken' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(TAKEN);
  });

  it('delete through the delete hook, whose refusal is the deletion’s', async () => {
    const kept = (await api.post(ITEMS, { label: 'keep' })).json();
    const res = await api.delete(`${ITEMS}${kept.id}/`);
    expect(res.statusCode).toBe(409);
    expect(res.json().errors).toEqual([{ field: null, message: `Nothing was deleted. ${KEEP}` }]);
    const page = await browser.post(`/admin/crate/item/${kept.id}/delete/`, { post: 'yes' });
    expect(page.statusCode).toBe(303);
    expect((await browser.get(page.headers.location as string)).body).toContain(
      `Nothing was deleted. ${KEEP}`,
    );
    // A child row dropped from the parent's list goes through it too.
    const box = (await api.post('/api/v1/crate/box/', { name: 'K', items: [{ label: 'keep' }] })).json();
    const dropped = await api.patch(`/api/v1/crate/box/${box.id}/`, { items: [] });
    expect(dropped.statusCode, dropped.body).toBe(409);
    expect(dropped.json().errors).toEqual([
      { field: 'items', message: `Item with id ${box.items[0].id}: ${KEEP}` },
    ]);
    const other = (await api.post(ITEMS, { label: 'gone' })).json();
    expect((await api.delete(`${ITEMS}${other.id}/`)).statusCode).toBe(204);
  });
});
