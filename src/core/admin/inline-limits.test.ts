import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { choice, question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser } from './testing.js';

// Polls with a stricter inline: at least one choice, at most two, one blank row offered.
const polls = installedApps.find((a) => a.name === 'polls')!;
const strictPolls = defineApp({
  ...polls,
  admin: (site) =>
    site.register(question, {
      str: (q) => q.questionText,
      inlines: [{ table: choice, min: 1, max: 2, extra: 1 }],
    }),
});

let t: TestApp;
let browser: AdminBrowser;
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);
const form = (choices: { id?: number; text: string; delete?: boolean }[]) => {
  const body: Record<string, string | number | boolean | undefined> = {
    questionText: 'Limited',
    pubDate: '2026-01-01T00:00',
    'choice_set-TOTAL_FORMS': choices.length,
  };
  choices.forEach((c, i) => {
    body[`choice_set-${i}-id`] = c.id ?? '';
    body[`choice_set-${i}-choiceText`] = c.text;
    body[`choice_set-${i}-votes`] = 0;
    body[`choice_set-${i}-DELETE`] = c.delete;
  });
  return body;
};

beforeAll(async () => {
  t = await buildTestApp({ apps: installedApps.map((a) => (a.name === 'polls' ? strictPolls : a)) });
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe('inline min and max', () => {
  it('offers `extra` blank rows, never more than max allows', async () => {
    const page = await browser.get('/admin/polls/question/add/');
    expect(page.body).toContain('name="choice_set-TOTAL_FORMS" value="1"');
    expect(page.body).toContain('name="choice_set-MAX_NUM_FORMS" value="2"');
  });

  it('refuses fewer than min rows, saving nothing', async () => {
    const res = await browser.post('/admin/polls/question/add/', form([{ text: '' }]));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Please submit at least 1 choice.');
    expect(await q('SELECT id FROM polls_question')).toEqual([]);
  });

  it('refuses more than max rows, saving nothing', async () => {
    const res = await browser.post(
      '/admin/polls/question/add/',
      form([{ text: 'a' }, { text: 'b' }, { text: 'c' }]),
    );
    expect(res.body).toContain('Please submit at most 2 choices.');
    expect(await q('SELECT id FROM polls_question')).toEqual([]);
  });

  it('counts deletions: deleting the last child is refused when min is 1', async () => {
    const ok = await browser.post('/admin/polls/question/add/', form([{ text: 'only' }]));
    expect(ok.statusCode).toBe(303);
    const [row] = await q(`SELECT c.id, c.question_id FROM polls_choice c`);
    const res = await browser.post(
      `/admin/polls/question/${row!['question_id']}/change/`,
      form([{ id: row!['id'] as number, text: 'only', delete: true }]),
    );
    expect(res.body).toContain('Please submit at least 1 choice.');
    expect(await q('SELECT choice_text FROM polls_choice')).toEqual([{ choice_text: 'only' }]);
    const swapped = await browser.post(
      `/admin/polls/question/${row!['question_id']}/change/`,
      form([{ id: row!['id'] as number, text: 'only', delete: true }, { text: 'replacement' }]),
    );
    expect(swapped.statusCode).toBe(303);
    expect(await q('SELECT choice_text FROM polls_choice')).toEqual([{ choice_text: 'replacement' }]);
  });
});
