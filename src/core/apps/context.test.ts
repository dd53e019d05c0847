import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { type AppContext, defineApp } from './define-app.js';

// The admin index is built once at boot, by the admin app's `provide`, and handed to every app on
// the context: the admin's pages and the API read the same one.
const item = pgTable('trial_item', { id: serial('id').primaryKey(), name: text('name').notNull() });
let adminHookCalls = 0;
let seen: AppContext | undefined;
const trial = defineApp({
  name: 'trial',
  label: 'Trial',
  schema: { item },
  admin: (site) => {
    adminHookCalls++;
    site.register(item, { str: (i) => i.name });
  },
  routes: (_app, ctx) => {
    seen = ctx;
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, trial] });
});
afterAll(() => t.close());

describe('the app context', () => {
  it('builds the admin index once at boot, for the admin and the API alike', async () => {
    expect(adminHookCalls).toBe(1);
    expect(seen?.admin?.get('trial', 'item')?.label).toBe('Item');
    // The API serves the registration from that same index.
    const res = await t.app.inject({ url: '/api/openapi.json', headers: { host: 'localhost' } });
    expect(Object.keys(res.json().paths)).toContain('/api/v1/trial/item/');
    expect(adminHookCalls).toBe(1);
  });

  it('is frozen: nothing is added to it after boot', () => {
    expect(Object.isFrozen(seen)).toBe(true);
  });
});
