/**
 * The admin half of `bench/render.ts`: view models of a changelist and a change form, loaded once
 * through the admin's own services from a fresh migrated test database, then rendered many times.
 */
import pino from 'pino';
import { installedApps } from '../src/apps/installed.js';
import { choice, question } from '../src/apps/polls/schema.js';
import { visibleApps } from '../src/core/admin/services/access.js';
import { initialForm } from '../src/core/admin/services/object-form.js';
import { loadWidgetData } from '../src/core/admin/services/widget-data.js';
import { buildAdminSite } from '../src/core/admin/site.js';
import { ChangelistPage } from '../src/core/admin/templates/changelist-page.js';
import { FormPage } from '../src/core/admin/templates/form-page.js';
import { type AdminChrome, AdminLayout } from '../src/core/admin/templates/layout.js';
import { createRegistry } from '../src/core/apps/registry.js';
import { toAuthUser } from '../src/core/auth/request-user.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { renderPage } from '../src/core/html/render.js';
import { loadChangelist } from '../src/core/models/list.js';
import { modelPerms } from '../src/core/models/permissions.js';
import { createTestDatabase } from '../src/core/testing/test-database.js';

export async function measureAdmin(measure: (name: string, render: () => string) => void): Promise<void> {
  const testDb = await createTestDatabase({ migrated: true });
  const registry = createRegistry(installedApps);
  const database = await openDatabase(testDb.config, {
    log: pino({ level: 'silent' }),
    schema: registry.schema,
    role: 'client',
  });
  try {
    const db = database.db;
    const rows = await db
      .insert(question)
      .values(
        Array.from({ length: 150 }, (_, i) => ({
          questionText: `Question <${i}> & "friends"`,
          pubDate: new Date(Date.UTC(2026, 0, 1 + i)),
        })),
      )
      .returning();
    await db.insert(choice).values(
      rows.flatMap((q) =>
        ['Red', 'Green & blue', '"Ultraviolet"', "Octarine's"].map((choiceText, i) => ({
          questionId: q.id,
          choiceText,
          votes: i * 3,
        })),
      ),
    );
    const index = buildAdminSite(registry);
    const reg = index.get('polls', 'question');
    if (!reg) throw new Error('polls/question is not registered in the admin');
    const user = toAuthUser(
      {
        id: 1,
        username: 'admin',
        email: 'admin@example.com',
        isActive: true,
        isStaff: true,
        isSuperuser: true,
      } as never,
      new Set(),
    );
    const chrome: AdminChrome = {
      csrfToken: 'x'.repeat(43),
      staffUsername: user.username,
      apps: visibleApps(user, index),
      messages: [{ level: 'success', message: 'The question “Question <1>” was changed successfully.' }],
    };
    const perms = modelPerms(user, reg);
    const query = new URLSearchParams();
    const list = await loadChangelist(db, index, reg, user, query);
    measure(`admin changelist (${list.rows.length} rows)`, () =>
      renderPage(
        <AdminLayout
          chrome={chrome}
          options={{ title: 'Select question to change', bodyClass: 'change-list', current: reg.url }}
        >
          {ChangelistPage({
            csrfToken: chrome.csrfToken,
            reg,
            list,
            perms,
            query,
            actions: [['delete_selected', 'Delete selected questions']],
          })}
        </AdminLayout>,
      ),
    );

    const original = rows[0] as Record<string, unknown>;
    const state = await initialForm({ db, index, user }, reg, original);
    const widgets = await loadWidgetData(db, index, reg, state);
    const objectUrl = `${reg.url}${original['id']}/`;
    measure('admin change form (4 inline rows)', () =>
      renderPage(
        <AdminLayout
          chrome={chrome}
          options={{ title: 'Change question', heading: 'Change question', current: reg.url }}
        >
          {FormPage({
            csrfToken: chrome.csrfToken,
            reg,
            state,
            widgets,
            readonlyTexts: new Map(),
            editable: true,
            canAdd: true,
            canDelete: true,
            filters: '',
            objectUrl,
            subtitle: reg.str(original as never),
            tools: [{ label: 'History', href: `${objectUrl}history/` }],
            extraFields: [],
          })}
        </AdminLayout>,
      ),
    );
  } finally {
    await database.close();
    await testDb.drop();
  }
}
