import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { choice, question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location } from './testing.js';

// Polls as installed, plus an object-level rule: questions starting with "Locked" cannot be
// changed or deleted by anyone but superusers.
const polls = installedApps.find((a) => a.name === 'polls')!;
const lockedPolls = defineApp({
  ...polls,
  admin: (site) => {
    site.register(question, {
      str: (q) => q.questionText,
      list: ['questionText', 'pubDate'],
      search: ['questionText'],
      inlines: [{ table: choice }],
      hasObjectPermission: (user, action, row) =>
        action === 'view' || user.isSuperuser || !row.questionText.startsWith('Locked'),
    });
    site.register(choice, { str: (c) => c.choiceText, autocomplete: ['questionId'] });
  },
});

let t: TestApp;
let openId: number;
let lockedId: number;
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);

async function as(username: string, perms: string[]): Promise<AdminBrowser> {
  await createTestUser(t.database.db, username, { perms });
  const browser = new AdminBrowser(t.app);
  await browser.login(username);
  return browser;
}

beforeAll(async () => {
  t = await buildTestApp({ apps: installedApps.map((a) => (a.name === 'polls' ? lockedPolls : a)) });
  const [open] = await q(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ('Open question', now()) RETURNING id`,
  );
  const [locked] = await q(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ('Locked question', now()) RETURNING id`,
  );
  openId = open!['id'] as number;
  lockedId = locked!['id'] as number;
  await q(`INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, 'Yes'), ($1, 'No')`, [openId]);
});
afterAll(() => t.close());

const questionForm = (text: string) => ({
  questionText: text,
  pubDate: '2026-01-01T00:00',
  'choice_set-TOTAL_FORMS': 0,
  'choice_set-INITIAL_FORMS': 0,
});

describe('the index', () => {
  it('lists only the models the user holds a permission on', async () => {
    const browser = await as('question-viewer', ['polls.view_question']);
    const res = await browser.get('/admin/');
    expect(res.body).toContain('<a href="/admin/polls/question/">Questions</a>');
    expect(res.body).toContain('class="viewlink"');
    expect(res.body).not.toContain('/admin/polls/choice/');
    expect(res.body).not.toContain('/admin/auth/user/');
    expect((await browser.get('/admin/auth/user/')).statusCode).toBe(403);
    expect((await browser.get('/admin/auth/')).statusCode).toBe(404);
  });

  it('says so when the user may see nothing', async () => {
    const browser = await as('nothing', []);
    expect((await browser.get('/admin/')).body).toContain(
      'You don’t have permission to view or edit anything.',
    );
  });
});

describe('a staff user with only the view permission', () => {
  let browser: AdminBrowser;
  beforeAll(async () => {
    browser = await as('viewer', ['polls.view_question', 'polls.view_choice']);
  });

  it('gets a read-only changelist: no add link, no checkboxes, no actions', async () => {
    const res = await browser.get('/admin/polls/question/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Select question to view</h1>');
    expect(res.body).not.toContain('Add question');
    expect(res.body).not.toContain('_selected_action');
    expect(res.body).not.toContain('name="action"');
  });

  it('gets read-only object pages: values as text, no inputs, no save buttons', async () => {
    const res = await browser.get(`/admin/polls/question/${openId}/change/`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>View question</h1>');
    expect(res.body).toContain(
      '<div class="readonly" aria-labelledby="id_questionText_label">Open question</div>',
    );
    expect(res.body).not.toContain('name="questionText"');
    expect(res.body).not.toContain('name="_save"');
    expect(res.body).not.toContain('choice_set-TOTAL_FORMS');
    expect(res.body).toContain('<td class="field-choiceText">Yes</td>');
    expect((await browser.get(`/admin/polls/question/${openId}/history/`)).statusCode).toBe(200);
  });

  it('gets 403 for forged POSTs, and nothing changes', async () => {
    expect(
      (await browser.post(`/admin/polls/question/${openId}/change/`, questionForm('Hacked'))).statusCode,
    ).toBe(403);
    expect((await browser.post('/admin/polls/question/add/', questionForm('Injected'))).statusCode).toBe(403);
    expect((await browser.get('/admin/polls/question/add/')).statusCode).toBe(403);
    expect((await browser.post(`/admin/polls/question/${openId}/delete/`, { post: 'yes' })).statusCode).toBe(
      403,
    );
    expect((await browser.get(`/admin/polls/question/${openId}/delete/`)).statusCode).toBe(403);
    const bulk = await browser.post('/admin/polls/question/', {
      action: 'delete_selected',
      _selected_action: [openId],
      post: 'yes',
    });
    expect(bulk.statusCode).toBe(403);
    expect(await q('SELECT question_text FROM polls_question ORDER BY id')).toEqual([
      { question_text: 'Open question' },
      { question_text: 'Locked question' },
    ]);
  });
});

describe('model permissions', () => {
  it('change without delete: can save, cannot delete', async () => {
    const browser = await as('changer', ['polls.change_question', 'polls.view_choice']);
    const page = await browser.get(`/admin/polls/question/${openId}/change/`);
    expect(page.body).toContain('name="_save"');
    expect(page.body).not.toContain('class="deletelink"');
    expect(page.body).not.toContain('name="_addanother"');
    // Choices are view-only for this user: shown as text, not as inputs.
    expect(page.body).not.toContain('choice_set-0-choiceText');
    const res = await browser.post(
      `/admin/polls/question/${openId}/change/`,
      questionForm('Open question (edited)'),
    );
    expect(res.statusCode).toBe(303);
    expect(
      (await q('SELECT question_text FROM polls_question WHERE id = $1', [openId]))[0]!['question_text'],
    ).toBe('Open question (edited)');
    expect((await browser.post(`/admin/polls/question/${openId}/delete/`, { post: 'yes' })).statusCode).toBe(
      403,
    );
  });

  it('a forged inline row needs the child model’s add permission', async () => {
    const browser = await as('no-choice-add', ['polls.change_question', 'polls.view_choice']);
    const res = await browser.post(`/admin/polls/question/${openId}/change/`, {
      ...questionForm('Open question (edited)'),
      'choice_set-TOTAL_FORMS': 1,
      'choice_set-0-choiceText': 'Sneaked in',
      'choice_set-0-votes': '0',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You may not add choices.');
    expect(await q(`SELECT id FROM polls_choice WHERE choice_text = 'Sneaked in'`)).toEqual([]);
  });
});

describe('object permissions (hasObjectPermission)', () => {
  it('lets the user view a locked object but not change or delete it', async () => {
    const browser = await as('editor', [
      'polls.view_question',
      'polls.change_question',
      'polls.delete_question',
    ]);
    const page = await browser.get(`/admin/polls/question/${lockedId}/change/`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>View question</h1>');
    expect(page.body).not.toContain('name="_save"');
    expect(
      (await browser.post(`/admin/polls/question/${lockedId}/change/`, questionForm('Unlocked'))).statusCode,
    ).toBe(403);
    expect((await browser.get(`/admin/polls/question/${lockedId}/delete/`)).statusCode).toBe(403);
    const bulk = await browser.post('/admin/polls/question/', {
      action: 'delete_selected',
      _selected_action: [lockedId],
    });
    expect(bulk.statusCode).toBe(403);
    expect((await browser.get(`/admin/polls/question/${openId}/change/`)).body).toContain('name="_save"');
  });
});

describe('not found', () => {
  it('answers 404 for unknown models and objects, once signed in', async () => {
    const browser = await as('finder', ['polls.view_question']);
    expect((await browser.get('/admin/polls/nothing/')).statusCode).toBe(404);
    expect((await browser.get('/admin/polls/question/99999/change/')).statusCode).toBe(404);
    expect((await browser.get("/admin/polls/question/1'or'1/change/")).statusCode).toBe(404);
    const anonymous = await new AdminBrowser(t.app).get('/admin/polls/nothing/');
    expect(location(anonymous)).toContain('/admin/login/');
  });
});

describe('autocomplete', () => {
  it('searches with the target’s search fields, for users who may pick', async () => {
    const browser = await as('choice-adder', ['polls.add_choice']);
    const res = await browser.get('/admin/polls/question/autocomplete/?term=open', {
      accept: 'application/json',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      results: [{ id: String(openId), text: expect.stringContaining('Open question') }],
      more: false,
    });
    const none = await as('no-pick', ['auth.view_group']);
    expect((await none.get('/admin/polls/question/autocomplete/?term=o')).statusCode).toBe(403);
  });
});
