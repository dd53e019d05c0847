import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { user } from '../auth/schema.js';
import { checkAppModels } from '../db/migrate/check-models.js';
import { makeAppMigrations } from '../db/migrate/make-migration.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { defineApp } from './define-app.js';
import { createRegistry } from './registry.js';

// A temporary app with a model and its own migrations folder, added to the installed apps: its
// migration is written into its folder, and a test app built with it has its table. (The
// admin registration and API opt-out of such an app are tested where those are declared: give
// this manifest `admin:` and build the same way.)
const folder = join(mkdtempSync(join(tmpdir(), 'slipway-notes-')), 'migrations');
const schema = {
  note: pgTable('notes_note', {
    id: serial('id').primaryKey(),
    title: varchar('title', { length: 100 }).notNull(),
    authorId: integer('author_id').references(() => user.id, { onDelete: 'cascade' }),
  }),
};
const notes = defineApp({
  name: 'notes',
  label: 'Notes',
  schema,
  migrations: folder,
  dependencies: ['auth'],
});
const apps = [...installedApps, notes];
let t: TestApp;

beforeAll(async () => {
  const made = await makeAppMigrations({ apps, only: ['notes'] });
  expect(made.map((r) => r.created && r.path)).toEqual([join(folder, '0001_initial.sql')]);
  t = await buildTestApp({ apps });
});
afterAll(() => t?.close());

describe('an app with its own migrations', () => {
  it('gets its migration in its folder, depending on the app its foreign key points to', async () => {
    const sql = readFileSync(join(folder, '0001_initial.sql'), 'utf8');
    expect(sql).toMatch(/^-- depends: auth\/0001_initial$/m);
    expect(await checkAppModels(createRegistry(apps).apps)).toEqual([]);
  });

  it('is migrated with the installed apps, and recorded under its name', async () => {
    expect(await t.database.query("SELECT name FROM slipway_migrations WHERE name LIKE 'notes/%'")).toEqual([
      { name: 'notes/0001_initial' },
    ]);
    await t.database.query("INSERT INTO notes_note (title) VALUES ('first')");
    expect(await t.database.query('SELECT title FROM notes_note')).toEqual([{ title: 'first' }]);
  });
});
