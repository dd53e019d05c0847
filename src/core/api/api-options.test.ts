import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boolean, date, integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import type { ModelAdminOptions } from '../admin/options.js';
import { buildAdminSite } from '../admin/site.js';
import { defineApp } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import { listQuerySchema, writeSchema } from './json-schema.js';
import { describeResource, describeResources, resourceProblems } from './resource.js';

// A registration's `api` part: what the API publishes, when it differs from the admin's pages.
const book = pgTable('shelf_book', {
  id: serial('id').primaryKey(),
  title: varchar('title', { length: 120 }).notNull(),
  isbn: varchar('isbn', { length: 13 }),
  pages: integer('pages'),
  published: date('published'),
  lent: boolean('lent').notNull().default(false),
});
const note = pgTable('shelf_note', { id: serial('id').primaryKey(), text: varchar('text', { length: 50 }) });

function siteWith(options: ModelAdminOptions<typeof book>) {
  const shelf = defineApp({
    name: 'shelf',
    label: 'Shelf',
    schema: { book, note },
    admin: (s) => {
      s.register(book, { list: ['title', 'pages'], filters: ['published', 'lent'], ...options });
      s.register(note, { api: false });
    },
  });
  return buildAdminSite(createRegistry([...installedApps.slice(0, 3), shelf]));
}

describe("a registration's api part", () => {
  it('defaults to what the admin shows', () => {
    const books = describeResource(siteWith({}).get('shelf', 'book')!);
    expect(books.fields.map((f) => f.key)).toEqual(['id', 'title', 'isbn', 'pages', 'published', 'lent']);
    expect([...books.writable]).toEqual(['title', 'isbn', 'pages', 'published', 'lent']);
    expect(books.orderingKeys).toEqual(['title', 'pages']);
    expect(books.filters.map((f) => f.name)).toEqual([
      'published__gte',
      'published__lt',
      'published__isnull',
      'lent__exact',
    ]);
  });

  it('leaves a model out of the API with api: false, and keeps it in the admin', () => {
    const site = siteWith({});
    expect(site.get('shelf', 'note')).toBeDefined();
    expect(describeResources(site).map((r) => r.path)).not.toContain('/api/v1/shelf/note/');
    expect(describeResources(site).map((r) => r.path)).toContain('/api/v1/shelf/book/');
  });

  it('chooses the fields, the writable ones, the ordering keys and the filters', () => {
    const books = describeResource(
      siteWith({
        api: {
          fields: ['id', 'title', 'pages'],
          writable: ['title'],
          ordering: ['id', 'title'],
          filters: ['lent'],
        },
      }).get('shelf', 'book')!,
    );
    expect(books.fields.map((f) => f.key)).toEqual(['id', 'title', 'pages']);
    expect([...books.writable]).toEqual(['title']);
    expect(books.orderingKeys).toEqual(['id', 'title']);
    expect(books.filters.map((f) => f.name)).toEqual(['lent__exact']);
    const create = writeSchema(books, 'create');
    expect(Object.keys(create['properties'] as object)).toEqual(['id', 'title', 'pages']);
    expect((create['properties'] as Record<string, { readOnly?: boolean }>)['pages']!.readOnly).toBe(true);
    expect(Object.keys(listQuerySchema(books)['properties'] as object)).toContain('lent__exact');
    expect(Object.keys(listQuerySchema(books)['properties'] as object)).not.toContain('published__gte');
  });

  it('takes maxLength from the column in the OpenAPI schema', () => {
    const books = describeResource(siteWith({}).get('shelf', 'book')!);
    const props = writeSchema(books, 'create')['properties'] as Record<string, { maxLength?: number }>;
    expect(props['title']!.maxLength).toBe(120);
    expect(props['isbn']!.maxLength).toBe(13);
  });

  it("documents a column's CHECK rule in the OpenAPI schema, in the words the 422 uses", () => {
    const site = buildAdminSite(createRegistry(installedApps));
    const addresses = describeResource(site.get('contacts', 'address')!);
    const props = writeSchema(addresses, 'create')['properties'] as Record<string, { description?: string }>;
    expect(props['country']!.description).toBe('Enter a two-letter country code (ISO 3166-1), e.g. CH.');
    expect(props['city']!.description).toBeUndefined();
  });

  it('is checked at boot: every key it names must exist', () => {
    const books = describeResource(
      siteWith({
        api: { fields: ['title', 'nope' as never], ordering: ['pagez' as never], filters: ['pages'] },
      }).get('shelf', 'book')!,
    );
    expect(resourceProblems(books)).toEqual([
      '/api/v1/shelf/book/: api.fields names "nope", which is not a column (api.E002)',
      '/api/v1/shelf/book/: api.ordering names "pagez", which is not a column (api.E002)',
      `/api/v1/shelf/book/: api.filters names "pages", which is not one of the admin's filters (api.E002)`,
    ]);
  });
});

describe('the JSON API', () => {
  it('imports from the admin only its registry: it lists, looks up and writes through src/core/models', () => {
    // The registration types and the index of registered models (with their `api` part) are the
    // registry both transports read; any other admin module (its services, routes, templates) is
    // the admin's own. admin.ts is the API's own admin registration, and token-admin-page.tsx
    // the admin's page for tokens (HTML): neither is part of the JSON API; nor is testing.ts, the
    // tests' helpers (a browser signed in to the admin).
    const registry = new Set(['site', 'registration', 'options']);
    const dir = import.meta.dirname;
    const files = readdirSync(dir).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !['admin.ts', 'testing.ts'].includes(f),
    );
    const offenders = files.flatMap((f) =>
      [...readFileSync(join(dir, f), 'utf8').matchAll(/from '\.\.\/admin\/([\w/-]+)\.js'/g)]
        .filter((m) => !registry.has(m[1]!))
        .map((m) => `${f}: ${m[1]}`),
    );
    expect(offenders).toEqual([]);
  });
});
