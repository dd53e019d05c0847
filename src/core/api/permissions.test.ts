import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { choice, question } from '../../apps/polls/schema.js';
import { defineApp } from '../apps/define-app.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';

// The admin's permissions, unchanged: model codenames, the child model's own permissions for
// nested rows, the registration's object-level hook, and the cascade of a delete.
const lockedPolls = defineApp({
  ...pollsApps.find((a) => a.name === 'polls')!,
  admin: (site) => {
    site.register(question, {
      str: (q) => q.questionText,
      list: ['questionText', 'pubDate'],
      inlines: [{ table: choice }],
      hasObjectPermission: (user, action, row) =>
        action === 'view' || user.isSuperuser || !row.questionText.startsWith('Locked'),
    });
    site.register(choice, { str: (c) => c.choiceText });
  },
});

let t: TestApp;
const URL = '/api/v1/polls/question/';
let openId: number;
let lockedId: number;
const as = async (username: string, perms: string[]) =>
  new ApiClient(t.app, { token: (await userWithToken(t.database.db, username, perms)).key });

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps.map((a) => (a.name === 'polls' ? lockedPolls : a)) });
  const rows = await t.database.query<{ id: number }>(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ('Open', now()), ('Locked', now()) RETURNING id`,
  );
  [openId, lockedId] = rows.map((r) => r.id) as [number, number];
  await t.database.query(`INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, 'Yes')`, [openId]);
});
afterAll(() => t.close());

describe('a user with only the view permission', () => {
  let api: ApiClient;
  beforeAll(async () => {
    api = await as('viewer', ['polls.view_question']);
  });

  it('lists and retrieves, without the children it may not view', async () => {
    const list = await api.get(URL);
    expect(list.statusCode).toBe(200);
    expect(list.json().count).toBe(2);
    const one = await api.get(`${URL}${openId}/`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).not.toHaveProperty('choices');
  });

  it('cannot POST, PUT, PATCH or DELETE: 403 before the body is validated', async () => {
    const body = { questionText: 'Mine now', pubDate: '2026-01-01T00:00:00Z' };
    const answers = [
      await api.post(URL, { not: 'even valid' }),
      await api.put(`${URL}${openId}/`, body),
      await api.patch(`${URL}${openId}/`, { questionText: 'Mine now' }),
      await api.delete(`${URL}${openId}/`),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(answers[0]!.json().detail).toBe('You do not have permission to add questions.');
    const [row] = await t.database.query<{ question_text: string }>(
      'SELECT question_text FROM polls_question WHERE id = $1',
      [openId],
    );
    expect(row!.question_text).toBe('Open');
  });
});

describe('users without the model permission', () => {
  it('get 403 on the list and on objects', async () => {
    const api = await as('nobody', []);
    expect((await api.get(URL)).statusCode).toBe(403);
    expect((await api.get(`${URL}${openId}/`)).statusCode).toBe(403);
    expect((await api.get('/api/v1/auth/user/')).statusCode).toBe(403);
  });
});

describe('nested children', () => {
  it("follow the child model's permissions", async () => {
    const api = await as('question-editor', ['polls.change_question']);
    const res = await api.patch(`${URL}${openId}/`, { choices: [] });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toBe('You do not have permission to change choices.');

    const viewer = await as('choice-viewer', ['polls.change_question', 'polls.view_choice']);
    const add = await viewer.patch(`${URL}${openId}/`, { choices: [{ choiceText: 'Maybe' }] });
    expect(add.statusCode).toBe(422);
    expect(add.json().errors).toEqual(
      expect.arrayContaining([{ field: 'choices[0]', message: 'You may not add choices.' }]),
    );
  });
});

describe('the object-level hook', () => {
  it('refuses changing or deleting a locked question, but lets it be viewed', async () => {
    const api = await as('editor', ['polls.change_question', 'polls.delete_question', 'polls.delete_choice']);
    expect((await api.get(`${URL}${lockedId}/`)).statusCode).toBe(200);
    const change = await api.patch(`${URL}${lockedId}/`, { questionText: 'Unlocked' });
    expect(change.statusCode).toBe(403);
    expect(change.json().detail).toBe('You do not have permission to change this question.');
    expect((await api.delete(`${URL}${lockedId}/`)).statusCode).toBe(403);
    expect((await api.patch(`${URL}${openId}/`, { questionText: 'Still open' })).statusCode).toBe(200);
  });
});

describe('deleting', () => {
  it('is refused when the cascade reaches rows the user may not delete', async () => {
    const api = await as('deleter', ['polls.delete_question']);
    const res = await api.delete(`${URL}${openId}/`);
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toBe(
      'Deleting the question “Still open” would also delete choices, which you may not delete.',
    );
  });
});
