import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';

// Questions with their choices through /api/v1/polls/question/, as a superuser with a token.
let t: TestApp;
let api: ApiClient;
const URL = '/api/v1/polls/question/';
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps });
  const { key } = await userWithToken(t.database.db, 'root', [], { superuser: true });
  api = new ApiClient(t.app, { token: key });
});
afterAll(() => t.close());

describe('a question with nested choices', () => {
  let id: number;
  let choiceIds: number[];

  it('is created with its choices in one request', async () => {
    const res = await api.post(URL, {
      questionText: 'What is new?',
      pubDate: '2026-03-01T12:30:15.250Z',
      choices: [{ choiceText: 'Not much' }, { choiceText: 'The sky', votes: 3 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    id = body.id;
    choiceIds = body.choices.map((c: { id: number }) => c.id);
    expect(res.headers['location']).toBe(`${URL}${id}/`);
    expect(body).toEqual({
      id,
      questionText: 'What is new?',
      pubDate: '2026-03-01T12:30:15.250Z',
      choices: [
        { id: choiceIds[0], choiceText: 'Not much', votes: 0 },
        { id: choiceIds[1], choiceText: 'The sky', votes: 3 },
      ],
    });
    const rows = await q('SELECT choice_text, votes FROM polls_choice WHERE question_id = $1 ORDER BY id', [
      id,
    ]);
    expect(rows).toEqual([
      { choice_text: 'Not much', votes: 0 },
      { choice_text: 'The sky', votes: 3 },
    ]);
  });

  it('is retrieved with its choices', async () => {
    const res = await api.get(`${URL}${id}/`);
    expect(res.statusCode).toBe(200);
    expect(res.json().choices).toHaveLength(2);
  });

  it('is changed partially by PATCH, keeping the choices when they are not sent', async () => {
    const res = await api.patch(`${URL}${id}/`, { questionText: 'What is newer?' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ questionText: 'What is newer?', pubDate: '2026-03-01T12:30:15.250Z' });
    expect(res.json().choices).toHaveLength(2);
  });

  it('is replaced by PUT: listed choices kept and changed, new ones added, the rest deleted', async () => {
    const res = await api.put(`${URL}${id}/`, {
      questionText: 'What is newest?',
      pubDate: '2026-03-02T00:00:00+02:00',
      choices: [{ id: choiceIds[1], choiceText: 'The clouds' }, { choiceText: 'Everything' }],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.pubDate).toBe('2026-03-01T22:00:00.000Z');
    expect(body.choices.map((c: { choiceText: string; votes: number }) => [c.choiceText, c.votes])).toEqual([
      ['The clouds', 3],
      ['Everything', 0],
    ]);
    expect(body.choices[0].id).toBe(choiceIds[1]);
    expect(await q('SELECT id FROM polls_choice WHERE id = $1', [choiceIds[0]])).toEqual([]);
  });

  it('records each change in the admin history', async () => {
    const rows = await q(
      `SELECT action FROM admin_log_entry WHERE app = 'polls' AND model = 'question' AND object_id = $1 ORDER BY id`,
      [String(id)],
    );
    expect(rows.map((r) => r['action'])).toEqual(['add', 'change', 'change']);
  });

  it('is deleted with its choices', async () => {
    const res = await api.delete(`${URL}${id}/`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await api.get(`${URL}${id}/`)).statusCode).toBe(404);
    expect(await q('SELECT id FROM polls_choice WHERE question_id = $1', [id])).toEqual([]);
  });
});

describe('read-only and unknown fields', () => {
  it('ignores the primary key sent in a body', async () => {
    const res = await api.post(URL, { id: 999_999, questionText: 'Mine?', pubDate: '2026-01-01T00:00:00Z' });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(999_999);
  });

  it('answers 404 for an id that cannot exist', async () => {
    expect((await api.get(`${URL}abc/`)).statusCode).toBe(404);
    expect((await api.get(`${URL}99999999999999999999/`)).statusCode).toBe(404);
  });

  it('answers with problem+json for paths that do not exist', async () => {
    const res = await api.get('/api/v1/polls/nothing/');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
