import { pgTable, serial } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { choice, question } from '../../apps/polls/schema.js';
import { type AppManifest, defineApp } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import auth from '../auth/app.js';
import { buildTestApp } from '../testing/build-test-app.js';
import adminApp from './app.js';
import { AdminRegistrationError } from './errors.js';
import type { AdminSite } from './site.js';
import { buildAdminSite } from './site.js';

const pollsSchema = { question, choice };
function withPolls(admin: (site: AdminSite) => void): AppManifest[] {
  return [auth, adminApp, defineApp({ name: 'polls', label: 'Polls', schema: pollsSchema, admin })];
}
function problemsOf(apps: AppManifest[]): string {
  try {
    buildAdminSite(createRegistry(apps));
  } catch (error) {
    expect(error).toBeInstanceOf(AdminRegistrationError);
    return (error as Error).message;
  }
  throw new Error('the registrations were accepted');
}

describe('admin registrations are checked at boot', () => {
  it('accepts the installed apps’ registrations', () => {
    const site = buildAdminSite(createRegistry(installedApps));
    expect(site.registrations.map((r) => `${r.app}/${r.model}`).sort()).toEqual([
      'api/token',
      'auth/group',
      'auth/user',
      'contacts/address',
      'contacts/attachment',
      'contacts/company',
      'contacts/email',
      'contacts/person',
      'contacts/telephone',
      'polls/choice',
      'polls/question',
    ]);
    expect(site.get('polls', 'question')?.url).toBe('/admin/polls/question/');
  });

  it('names the app, the table and the option of an unknown list column (admin.E108)', () => {
    const message = problemsOf(
      withPolls((site) => site.register(question, { list: ['questionText', 'pubDat' as never] })),
    );
    expect(message).toContain(
      'app "polls", admin for polls_question: list[1] refers to "pubDat", which is not a column of polls_question (admin.E108)',
    );
  });

  it('reports unknown columns in every option at once', () => {
    const message = problemsOf(
      withPolls((site) =>
        site.register(question, {
          search: ['nope' as never],
          filters: ['missing' as never],
          ordering: ['-gone' as never],
          readonly: ['ghost' as never],
          fieldsets: [{ fields: ['phantom'] }],
          labels: { wrong: 'x' } as never,
        }),
      ),
    );
    expect(message).toContain('search[0] refers to "nope"');
    expect(message).toContain('(admin.E126)');
    expect(message).toContain('filters[0] refers to "missing"');
    expect(message).toContain('ordering[0] refers to "gone"');
    expect(message).toContain('readonly[0] refers to "ghost"');
    expect(message).toContain('fieldsets[0].fields[0] refers to "phantom"');
    expect(message).toContain('labels refers to "wrong"');
  });

  it('refuses a filter on a column type it cannot filter', () => {
    expect(problemsOf(withPolls((site) => site.register(question, { filters: ['questionText'] })))).toContain(
      'filters[0] "questionText" is a text column',
    );
  });

  it('refuses a table registered twice, naming both apps', () => {
    const message = problemsOf([
      ...withPolls((site) => site.register(question)),
      defineApp({ name: 'extra', label: 'Extra', admin: (site) => site.register(question) }),
    ]);
    expect(message).toContain(
      'app "extra": polls_question is already registered by app "polls" (admin.E001)',
    );
  });

  it('refuses an inline whose table has no foreign key to the parent (admin.E202)', () => {
    const message = problemsOf(
      withPolls((site) => site.register(choice, { inlines: [{ table: question }] })),
    );
    expect(message).toContain(
      'app "polls", admin for polls_choice: inlines[0]: polls_question has no foreign key to polls_choice (admin.E202)',
    );
  });

  it('refuses an inline naming a column that is not its foreign key', () => {
    const message = problemsOf(
      withPolls((site) => site.register(question, { inlines: [{ table: choice, fk: 'votes' }] })),
    );
    expect(message).toContain('inlines[0]: "votes" is not a foreign key of polls_choice to polls_question');
  });

  it('refuses autocomplete on a column that is not a foreign key, or to a model without search', () => {
    expect(problemsOf(withPolls((site) => site.register(choice, { autocomplete: ['votes'] })))).toContain(
      'autocomplete[0] "votes" is not a foreign key (admin.E039)',
    );
    const message = problemsOf(
      withPolls((site) => {
        site.register(question);
        site.register(choice, { autocomplete: ['questionId'] });
      }),
    );
    expect(message).toContain(
      'autocomplete "questionId" needs polls_question registered with search fields (admin.E040)',
    );
  });

  it('refuses a table that no installed app defines, and link tables without a single primary key', () => {
    const stray = pgTable('stray_table', { id: serial('id').primaryKey() });
    expect(problemsOf(withPolls((site) => site.register(stray)))).toContain(
      'app "polls": stray_table is not defined by any installed app (admin.E002)',
    );
    const message = problemsOf([
      ...withPolls(() => {}),
      defineApp({
        name: 'links',
        label: 'Links',
        admin: (site) => site.register((auth.schema as never)['userGroup']),
      }),
    ]);
    expect(message).toContain('admin for auth_user_groups: the table has no single-column primary key');
  });

  it('stops the server from booting, with the message', async () => {
    await expect(
      buildTestApp({
        apps: withPolls((site) => site.register(question, { list: ['nope' as never] })),
        migrate: false,
      }),
    ).rejects.toThrow(/list\[0\] refers to "nope"/);
  });
});
