import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location } from './testing.js';

// A table whose foreign key protects questions (ON DELETE RESTRICT), created by hand below. Its
// registration refuses to delete pinned notes (deleteBlockers), as contacts' primary rows are.
const note = pgTable('review_note', {
  id: serial('id').primaryKey(),
  questionId: integer('question_id')
    .notNull()
    .references(() => question.id, { onDelete: 'restrict' }),
  body: text('body').notNull(),
});
const review = defineApp({
  name: 'review',
  label: 'Review',
  dependencies: ['polls'],
  schema: { reviewNote: note },
  admin: (site) =>
    site.register(note, {
      str: (n) => n.body,
      deleteBlockers: async (_ctx, rows) =>
        rows
          .filter((n) => n.body.startsWith('Pinned'))
          .map((row) => ({ row, message: `“${row.body}” is pinned. Unpin it first.` })),
    }),
});

let t: TestApp;
let browser: AdminBrowser;
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);

async function questionWithChoices(text: string, choices: string[]): Promise<number> {
  const [row] = await q(
    'INSERT INTO polls_question (question_text, pub_date) VALUES ($1, now()) RETURNING id',
    [text],
  );
  const id = row!['id'] as number;
  for (const c of choices)
    await q('INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, $2)', [id, c]);
  return id;
}

beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, review] });
  await t.database.exec(
    'CREATE TABLE review_note (id serial PRIMARY KEY, question_id integer NOT NULL REFERENCES polls_question(id) ON DELETE RESTRICT, body text NOT NULL)',
  );
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.database.exec('DELETE FROM review_note; DELETE FROM polls_question;');
});

describe('deleting one object', () => {
  it('lists the cascade, then deletes the object and its children and logs it', async () => {
    const id = await questionWithChoices('Doomed', ['Yes', 'No']);
    const page = await browser.get(`/admin/polls/question/${id}/delete/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      'Are you sure you want to delete the question “Doomed”? All of the following related items will be deleted:',
    );
    expect(page.body).toContain('<li>Questions: 1</li><li>Choices: 2</li>');
    expect(page.body).toMatch(
      /<li>Question: <a href="\/admin\/polls\/question\/\d+\/change\/">Doomed<\/a><ul><li>Choice: <a href="[^"]+">Yes<\/a><\/li><li>Choice: <a href="[^"]+">No<\/a><\/li><\/ul><\/li>/,
    );
    expect(page.body).toContain('<input type="hidden" name="post" value="yes">');
    expect(await q('SELECT count(*)::int AS n FROM polls_question WHERE id = $1', [id])).toEqual([{ n: 1 }]);

    const res = await browser.post(`/admin/polls/question/${id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(303);
    expect(location(res)).toBe('/admin/polls/question/');
    expect(await q('SELECT count(*)::int AS n FROM polls_choice WHERE question_id = $1', [id])).toEqual([
      { n: 0 },
    ]);
    expect((await browser.get('/admin/polls/question/')).body).toContain(
      'The question “Doomed” was deleted successfully.',
    );
    const [log] = await q(
      `SELECT action, object_repr FROM admin_log_entry WHERE model = 'question' AND object_id = $1`,
      [String(id)],
    );
    expect(log).toEqual({ action: 'delete', object_repr: 'Doomed' });
    expect((await browser.get('/admin/')).body).toContain('<span class="action-label">Deleted</span> Doomed');
  });

  it('shows protected objects, offers no button, and refuses a forged POST', async () => {
    const id = await questionWithChoices('Protected', ['A']);
    await q(`INSERT INTO review_note (question_id, body) VALUES ($1, 'Keep this one')`, [id]);
    const page = await browser.get(`/admin/polls/question/${id}/delete/`);
    expect(page.body).toContain(
      'Deleting the question “Protected” would require deleting the following protected related objects:',
    );
    expect(page.body).toMatch(
      /<li>Note: <a href="\/admin\/review\/note\/\d+\/change\/">Keep this one<\/a><\/li>/,
    );
    expect(page.body).not.toContain('name="post"');
    const res = await browser.post(`/admin/polls/question/${id}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(403);
    expect(await q('SELECT count(*)::int AS n FROM polls_question WHERE id = $1', [id])).toEqual([{ n: 1 }]);
  });

  it('lists rows whose reference is set to NULL as updated (a user’s history)', async () => {
    const victim = await createTestUser(t.database.db, 'leaving', { superuser: true });
    const own = new AdminBrowser(t.app);
    await own.login('leaving');
    await own.post('/admin/polls/question/add/', {
      questionText: 'By leaving',
      pubDate: '2026-01-01T00:00',
      'choice_set-TOTAL_FORMS': 0,
    });
    const page = await browser.get(`/admin/auth/user/${victim.id}/delete/`);
    expect(page.body).toContain('<h2>Updated</h2>');
    expect(page.body).toMatch(/<li>Log entry: Log entry object \(\d+\)<\/li>/);
    expect(page.body).toMatch(/<li>Sessions?: /);
    expect((await browser.post(`/admin/auth/user/${victim.id}/delete/`, { post: 'yes' })).statusCode).toBe(
      303,
    );
    const [log] = await q(`SELECT user_id FROM admin_log_entry WHERE object_repr = 'By leaving'`);
    expect(log).toEqual({ user_id: null });
  });
});

describe('objects the registration will not let go (deleteBlockers)', () => {
  const addNote = async (questionId: number, body: string) =>
    (
      await q('INSERT INTO review_note (question_id, body) VALUES ($1, $2) RETURNING id', [questionId, body])
    )[0]!['id'] as number;

  it('says why on the delete page, offers no button, and refuses a forged POST', async () => {
    const pinned = await addNote(await questionWithChoices('Q', []), 'Pinned <b>note</b>');
    const page = await browser.get(`/admin/review/note/${pinned}/delete/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Cannot delete note</h1>');
    expect(page.body).toContain(
      `<p class="errornote" role="alert">Deleting the note “Pinned &lt;b&gt;note&lt;/b&gt;” is not possible:</p>\n<div class="delete-list refused"><ul><li>Note: <a href="/admin/review/note/${pinned}/change/">Pinned &lt;b&gt;note&lt;/b&gt;</a><p>“Pinned &lt;b&gt;note&lt;/b&gt;” is pinned. Unpin it first.</p></li></ul></div>`,
    );
    expect(page.body).not.toContain('name="post"');
    const res = await browser.post(`/admin/review/note/${pinned}/delete/`, { post: 'yes' });
    expect(res.statusCode).toBe(403);
    expect(await q('SELECT id FROM review_note')).toEqual([{ id: pinned }]);
  });

  it('refuses a bulk delete that includes one, listing only those, and deletes the others alone', async () => {
    const question = await questionWithChoices('Q', []);
    const pinned = await addNote(question, 'Pinned');
    const plain = await addNote(question, 'Plain');
    const both = await browser.post('/admin/review/note/', {
      action: 'delete_selected',
      _selected_action: [pinned, plain],
      post: 'yes',
    });
    expect(both.statusCode).toBe(403);
    expect(both.body).toContain('<h1>Cannot delete notes</h1>');
    expect(both.body).toContain('Deleting the selected notes is not possible:');
    expect(both.body).toContain('<p>“Pinned” is pinned. Unpin it first.</p>');
    expect(both.body).not.toContain(`/admin/review/note/${plain}/change/`);
    expect(await q('SELECT count(*)::int AS n FROM review_note')).toEqual([{ n: 2 }]);

    const alone = await browser.post('/admin/review/note/', {
      action: 'delete_selected',
      _selected_action: [plain],
      post: 'yes',
    });
    expect(alone.statusCode).toBe(303);
    expect(await q('SELECT id FROM review_note')).toEqual([{ id: pinned }]);
  });
});

describe('bulk delete', () => {
  it('asks for confirmation listing every object, then deletes them all', async () => {
    const a = await questionWithChoices('First doomed', ['a1']);
    const b = await questionWithChoices('Second doomed', ['b1', 'b2']);
    const keep = await questionWithChoices('Survivor', []);
    const confirm = await browser.post('/admin/polls/question/?q=doomed', {
      action: 'delete_selected',
      _selected_action: [a, b],
    });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('<h1>Are you sure?</h1>');
    expect(confirm.body).toContain('Are you sure you want to delete the selected questions?');
    expect(confirm.body).toContain('<li>Questions: 2</li><li>Choices: 3</li>');
    expect(confirm.body).toContain(`<input type="hidden" name="_selected_action" value="${a}">`);
    expect(confirm.body).toContain('<input type="hidden" name="action" value="delete_selected">');
    expect(await q('SELECT count(*)::int AS n FROM polls_question')).toEqual([{ n: 3 }]);

    const res = await browser.post('/admin/polls/question/?q=doomed', {
      action: 'delete_selected',
      _selected_action: [a, b],
      post: 'yes',
    });
    expect(res.statusCode).toBe(303);
    expect(location(res)).toBe('/admin/polls/question/?q=doomed');
    expect(await q('SELECT id FROM polls_question')).toEqual([{ id: keep }]);
    expect((await browser.get('/admin/polls/question/')).body).toContain('Successfully deleted 2 questions.');
    const logs = await q(
      `SELECT object_repr FROM admin_log_entry WHERE action = 'delete' AND object_id IN ($1, $2) ORDER BY id`,
      [String(a), String(b)],
    );
    expect(logs).toEqual([{ object_repr: 'First doomed' }, { object_repr: 'Second doomed' }]);
  });

  it('says what to do when nothing or no action is selected', async () => {
    await browser.post('/admin/polls/question/', { action: 'delete_selected' });
    expect((await browser.get('/admin/polls/question/')).body).toContain(
      'Items must be selected in order to perform actions on them.',
    );
    await browser.post('/admin/polls/question/', { action: '', _selected_action: [1] });
    expect((await browser.get('/admin/polls/question/')).body).toContain('No action selected.');
  });

  it('blocks the deletion when the cascade reaches a model the user may not delete', async () => {
    const id = await questionWithChoices('Has choices', ['c']);
    await createTestUser(t.database.db, 'half-deleter', {
      perms: ['polls.view_question', 'polls.delete_question'],
    });
    const user = new AdminBrowser(t.app);
    await user.login('half-deleter');
    const page = await user.post('/admin/polls/question/', {
      action: 'delete_selected',
      _selected_action: [id],
    });
    expect(page.body).toContain(
      'your account doesn’t have permission to delete the following types of objects:',
    );
    expect(page.body).toContain('<li>Choices</li>');
    const forced = await user.post('/admin/polls/question/', {
      action: 'delete_selected',
      _selected_action: [id],
      post: 'yes',
    });
    expect(forced.statusCode).toBe(403);
    expect(await q('SELECT count(*)::int AS n FROM polls_question WHERE id = $1', [id])).toEqual([{ n: 1 }]);
  });
});
