import { integer, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { buildAdminSite } from '../admin/site.js';
import { defineApp } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import { writeSchema } from './json-schema.js';
import { describeResource, describeResources, resourceProblems } from './resource.js';

// What the API reads from a registration, without a database.
const site = buildAdminSite(createRegistry(installedApps));
const resource = (app: string, model: string) => describeResource(site.get(app, model)!);

describe('resources', () => {
  it('are one per admin registration, at /api/v1/<app>/<model>/', () => {
    const paths = describeResources(site).map((r) => r.path);
    expect(paths).toContain('/api/v1/polls/question/');
    expect(paths).toContain('/api/v1/auth/user/');
    expect(paths).toContain('/api/v1/api/token/');
    expect(paths).toHaveLength(site.registrations.length);
  });

  it('nest inlines under the child model’s plural', () => {
    expect(resource('polls', 'question').children.map((c) => c.key)).toEqual(['choices']);
  });

  it('leave excluded columns out entirely, and read-only ones out of what is written', () => {
    const users = resource('auth', 'user');
    expect(users.fields.map((f) => f.key)).not.toContain('password');
    expect(users.writable.has('lastLogin')).toBe(false);
    expect(users.writable.has('isSuperuser')).toBe(true);
    expect(users.manyToMany.map((m) => m.key)).toEqual(['groups', 'userPermissions']);
    const create = writeSchema(users, 'create');
    expect(Object.keys(create['properties'] as object)).toEqual(
      expect.arrayContaining(['password1', 'password2']),
    );
    expect(Object.keys(writeSchema(users, 'update')['properties'] as object)).not.toContain('password1');
  });

  it('order and filter as the changelist does', () => {
    const questions = resource('polls', 'question');
    expect(questions.orderingKeys).toEqual(['questionText', 'pubDate']);
    expect(questions.filters.map((f) => f.name)).toEqual(['pubDate__gte', 'pubDate__lt']);
  });
});

describe('resourceProblems', () => {
  it('reports a nested array named like a column', () => {
    const poll = pgTable('clash_poll', { id: serial('id').primaryKey(), choices: text('choices') });
    const option = pgTable('clash_choice', {
      id: serial('id').primaryKey(),
      pollId: integer('poll_id').references(() => poll.id),
      label: varchar('label', { length: 10 }),
    });
    const clash = defineApp({
      name: 'clash',
      label: 'Clash',
      schema: { poll, option },
      admin: (s) => s.register(poll, { inlines: [{ table: option }] }),
    });
    const index = buildAdminSite(createRegistry([...installedApps.slice(0, 3), clash]));
    expect(resourceProblems(describeResource(index.get('clash', 'poll')!))).toEqual([
      '/api/v1/clash/poll/: the inline of clash_choice "choices" has the name of a column; the API cannot tell them apart (api.E001)',
    ]);
  });
});
