import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import type { AdminBrowser } from '../admin/testing.js';
import { defineApp } from '../apps/define-app.js';
import { makeAppMigrations } from '../db/migrate/make-migration.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { type ApiClient, superuserClients } from './testing.js';

// What a newcomer writes to add an app: its folder (a model, a migration, an admin registration
// with an api part) and one line in the installed apps. A rule written once (a CHECK and its
// words, no JavaScript copy of it) shows in the admin form, the API's 422 and the OpenAPI document.
const folder = join(mkdtempSync(join(tmpdir(), 'slipway-shelf-')), 'migrations');
const book = pgTable(
  'shelf_book',
  {
    id: serial('id').primaryKey(),
    title: varchar('title', { length: 80 }).notNull(),
    isbn: varchar('isbn', { length: 13 }),
    pages: integer('pages'),
  },
  (t) => [check('shelf_book_isbn_check', sql`${t.isbn} ~ '^[0-9]{13}$'`)],
);
const chapter = pgTable(
  'shelf_chapter',
  {
    id: serial('id').primaryKey(),
    bookId: integer('book_id')
      .notNull()
      .references(() => book.id, { onDelete: 'cascade' }),
    pages: integer('pages').notNull(),
  },
  (t) => [check('shelf_chapter_pages_check', sql`${t.pages} > 0`)],
);
const note = pgTable('shelf_note', { id: serial('id').primaryKey(), text: varchar('text', { length: 50 }) });
const ISBN = 'Enter the 13 digits of the ISBN.';
const shelf = defineApp({
  name: 'shelf',
  label: 'Shelf',
  schema: { book, chapter, note },
  migrations: folder,
  dependencies: ['auth', 'admin'],
  checkRules: [
    {
      name: 'shelf_book_isbn_check',
      column: book.isbn,
      message: ISBN,
    },
  ],
  admin: (site) => {
    site.register(book, { list: ['title'], api: { ordering: ['pages'] }, inlines: [{ table: chapter }] });
    site.register(note, { api: false });
  },
});
const apps = [...installedApps, shelf];
let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;

beforeAll(async () => {
  await makeAppMigrations({ apps, only: ['shelf'] });
  t = await buildTestApp({ apps });
  ({ browser, api } = await superuserClients(t.app, t.database.db));
});
afterAll(() => t?.close());

describe('a new app', () => {
  it('states its rule once: in the admin form, the API’s 422 and the OpenAPI document', async () => {
    const form = await browser.post('/admin/shelf/book/add/', { title: 'Dune', isbn: '12', pages: '' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(ISBN);
    const res = await api.post('/api/v1/shelf/book/', { title: 'Dune', isbn: '12' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ field: 'isbn', message: ISBN }]);
    expect((await api.get('/api/openapi.json')).body).toContain(ISBN);
    // Asked of the database before the write, so the form shows it with the write's other problems.
    const page = await browser.post('/admin/shelf/book/add/', { title: '', isbn: '12', pages: '' });
    expect(page.body).toContain(ISBN);
    expect(page.body).toContain('This field is required.');
    // The database stays the final authority.
    await expect(
      t.database.query(`INSERT INTO shelf_book (title, isbn) VALUES ('Dune', '12')`),
    ).rejects.toThrow();
    expect(await t.database.query('SELECT count(*)::int AS n FROM shelf_book')).toEqual([{ n: 0 }]);
  });

  it('reports a CHECK on each child row that breaks it, all at once', async () => {
    const res = await api.post('/api/v1/shelf/book/', {
      title: 'Emma',
      chapters: [{ pages: 0 }, { pages: 12 }, { pages: -3 }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'chapters[0].pages', message: expect.stringContaining('shelf_chapter_pages_check') },
      { field: 'chapters[2].pages', message: expect.stringContaining('shelf_chapter_pages_check') },
    ]);
  });

  it('orders its API list by the keys of its api part, which the changelist does not show', async () => {
    for (const [title, pages] of [
      ['Long', 900],
      ['Short', 90],
    ] as const)
      expect((await api.post('/api/v1/shelf/book/', { title, pages })).statusCode).toBe(201);
    // The default order is the newest first (Short, Long); -pages puts Long first.
    const list = await api.get('/api/v1/shelf/book/?ordering=-pages');
    expect(list.json().results.map((b: { title: string }) => b.title)).toEqual(['Long', 'Short']);
    expect((await api.get('/api/v1/shelf/book/?ordering=title')).statusCode).toBe(400);
  });

  it('keeps a model out of the API with api: false, and in the admin', async () => {
    expect((await api.get('/api/v1/shelf/note/')).statusCode).toBe(404);
    expect((await api.get('/api/v1/')).body).not.toContain('/api/v1/shelf/note/');
    expect((await api.get('/api/v1/')).body).toContain('/api/v1/shelf/book/');
    expect((await browser.get('/admin/shelf/note/')).statusCode).toBe(200);
  });
});
