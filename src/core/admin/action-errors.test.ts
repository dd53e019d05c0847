import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { type ApiClient, superuserClients } from '../api/testing.js';
import { defineApp } from '../apps/define-app.js';
import { SlipwayError } from '../errors.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { type AdminBrowser, location } from './testing.js';

// Bulk actions whose `run` throws instead of returning a refusal: a typed error (SlipwayError
// below 500) is the action's refusal, flashed on the changelist and the API's problem with its
// status; anything else is still a 500.
const item = pgTable('trial_item', { id: serial('id').primaryKey(), name: text('name').notNull() });
const thrower = (name: string, error: () => Error) => ({
  name,
  label: name,
  async run(): Promise<undefined> {
    throw error();
  },
});
const trial = defineApp({
  name: 'trial',
  label: 'Trial',
  schema: { item },
  admin: (site) =>
    site.register(item, {
      str: (i) => i.name,
      actions: [
        thrower('locked', () => new SlipwayError('TRIAL_LOCKED', 409, 'The item <b>is</b> locked.')),
        thrower('invalid', () => new SlipwayError('TRIAL_INVALID', 422, 'The item has no name.')),
        thrower(
          'unnamed',
          () =>
            new SlipwayError('TRIAL_INVALID', 422, 'Please correct the errors.', {
              errors: [
                { field: 'name', message: 'The name is taken.' },
                { field: null, message: 'The item is archived.' },
              ],
            }),
        ),
        thrower('gone', () => new SlipwayError('TRIAL_GONE', 404, 'There is no such item any more.')),
        thrower('crash', () => new Error('a bug in the action')),
      ],
    }),
});

let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
let id: number;

beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, trial] });
  await t.database.exec('CREATE TABLE trial_item (id serial PRIMARY KEY, name text NOT NULL)');
  [{ id }] = (await t.database.query('INSERT INTO trial_item (name) VALUES ($1) RETURNING id', [
    'Widget',
  ])) as [{ id: number }];
  ({ browser, api } = await superuserClients(t.app, t.database.db));
});
afterAll(() => t.close());

describe('an action that throws, in the admin', () => {
  it('flashes a typed error on the changelist, escaped, instead of the error page', async () => {
    for (const [action, message] of [
      ['locked', 'The item &lt;b&gt;is&lt;/b&gt; locked.'],
      ['gone', 'There is no such item any more.'],
    ] as const) {
      const res = await browser.post('/admin/trial/item/?q=Wid', { action, _selected_action: [id] });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
      expect(location(res)).toBe('/admin/trial/item/?q=Wid');
      const page = await browser.get(location(res));
      expect(page.body).toContain(`<li class="message message-error">${message}</li>`);
    }
  });

  it('is still a 500 for an unexpected error, without its message', async () => {
    const res = await browser.post('/admin/trial/item/', { action: 'crash', _selected_action: [id] });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('a bug in the action');
  });
});

describe('an action that throws, through the API', () => {
  const call = (action: string) => api.post(`/api/v1/trial/item/actions/${action}/`, { ids: [id] });

  it('answers a typed 409 as the action’s refusal', async () => {
    const res = await call('locked');
    expect(res.statusCode, res.body).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      type: '/api/docs#problem-action',
      level: 'error',
      detail: 'The item <b>is</b> locked.',
      errors: [{ field: null, message: 'The item <b>is</b> locked.' }],
    });
  });

  it('answers a typed 422 as a validation problem that keeps the fields it named, and other statuses as they are', async () => {
    const invalid = await call('invalid');
    expect(invalid.statusCode, invalid.body).toBe(422);
    expect(invalid.json()).toMatchObject({
      type: '/api/docs#problem-validation',
      errors: [{ field: null, message: 'The item has no name.' }],
    });
    const named = await call('unnamed');
    expect(named.statusCode, named.body).toBe(422);
    expect(named.json()).toMatchObject({
      type: '/api/docs#problem-validation',
      errors: [
        { field: 'name', message: 'The name is taken.' },
        { field: null, message: 'The item is archived.' },
      ],
    });
    const gone = await call('gone');
    expect(gone.statusCode, gone.body).toBe(404);
    expect(gone.json()).toMatchObject({ detail: 'There is no such item any more.', code: 'TRIAL_GONE' });
  });

  it('answers 500 for an unexpected error, without its message', async () => {
    const res = await call('crash');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('a bug in the action');
  });
});
