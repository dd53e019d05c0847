import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';

// Bodies are checked first by the JSON Schema derived from the table, then by the model layer
// (src/core/models); both report every problem by field, as RFC 9457 problem documents.
let t: TestApp;
let api: ApiClient;
const QUESTIONS = '/api/v1/polls/question/';
const CHOICES = '/api/v1/polls/choice/';
let questionId: number;

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps });
  const { key } = await userWithToken(t.database.db, 'root', [], { superuser: true });
  api = new ApiClient(t.app, { token: key });
  const [row] = await t.database.query<{ id: number }>(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ('Existing', now()) RETURNING id`,
  );
  questionId = row!.id;
});
afterAll(() => t.close());

describe('the schema check', () => {
  it('lists every missing, mistyped, too long and unknown field at once', async () => {
    const res = await api.post(QUESTIONS, {
      questionText: 'x'.repeat(201),
      pubDate: 'yesterday',
      color: 'red',
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      type: '/api/docs#problem-validation',
      title: 'Validation failed',
      status: 422,
      instance: QUESTIONS,
    });
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { field: 'color', message: 'Unknown field.' },
        { field: 'questionText', message: 'Ensure this value has at most 200 characters.' },
        {
          field: 'pubDate',
          message: 'Enter a valid date and time with its offset, e.g. 2026-01-31T12:00:00Z.',
        },
      ]),
    );
    expect(res.json().errors).toHaveLength(3);
  });

  it('names required fields and does not coerce types', async () => {
    const missing = await api.post(QUESTIONS, {});
    expect(missing.json().errors).toEqual([
      { field: 'questionText', message: 'This field is required.' },
      { field: 'pubDate', message: 'This field is required.' },
    ]);
    const typed = await api.post(CHOICES, { questionId: String(questionId), choiceText: 7, votes: 2 ** 31 });
    expect(typed.json().errors).toEqual([
      { field: 'questionId', message: 'Must be a whole number.' },
      { field: 'choiceText', message: 'Must be a string.' },
      { field: 'votes', message: 'Ensure this value is less than or equal to 2147483647.' },
    ]);
  });

  it('points into nested children', async () => {
    const res = await api.post(QUESTIONS, {
      questionText: 'Nested?',
      pubDate: '2026-01-01T00:00:00Z',
      choices: [{ choiceText: '' }, { votes: 'many' }, { choiceText: 'Fine', extra: true }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'choices[0].choiceText', message: 'This field may not be blank.' },
      { field: 'choices[1].choiceText', message: 'This field is required.' },
      { field: 'choices[1].votes', message: 'Must be a whole number.' },
      { field: 'choices[2].extra', message: 'Unknown field.' },
    ]);
  });

  it('wants an object, and says so for a list or bad JSON', async () => {
    const list = await api.post(QUESTIONS, [1, 2]);
    expect(list.statusCode).toBe(422);
    expect(list.json().errors).toEqual([{ field: null, message: 'Must be an object.' }]);
    const broken = await api.request('POST', QUESTIONS, undefined, '{"questionText": ');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.json().detail).toContain('not valid JSON');
  });

  it('refuses a text/plain body with 415, naming the type', async () => {
    const res = await api.request('POST', QUESTIONS, undefined, 'questionText=x', 'text/plain');
    expect(res.statusCode).toBe(415);
    expect(res.json().detail).toContain('"text/plain"');
  });

  it('lets PATCH leave out required fields, but still checks what it sends', async () => {
    const ok = await api.patch(`${QUESTIONS}${questionId}/`, { questionText: 'Renamed' });
    expect(ok.statusCode).toBe(200);
    const bad = await api.patch(`${QUESTIONS}${questionId}/`, { pubDate: null });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'pubDate', message: 'Must be a string.' }]);
  });
});

describe('the model layer, after the schema', () => {
  it('refuses blank text and related objects that do not exist', async () => {
    const res = await api.post(CHOICES, { questionId: 999_999, choiceText: '   ' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'choiceText', message: 'This field is required.' },
      {
        field: 'questionId',
        message: 'Select a valid choice. That choice is not one of the available choices.',
      },
    ]);
  });

  it("refuses a child id that is not this object's child", async () => {
    const [other] = await t.database.query<{ id: number }>(
      `WITH q AS (INSERT INTO polls_question (question_text, pub_date) VALUES ('Other', now()) RETURNING id)
       INSERT INTO polls_choice (question_id, choice_text) SELECT id, 'Elsewhere' FROM q RETURNING id`,
    );
    const [mine] = await t.database.query<{ id: number }>(
      `INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, 'Mine') RETURNING id`,
      [questionId],
    );
    const foreign = other!.id;
    const res = await api.patch(`${QUESTIONS}${questionId}/`, {
      choices: [{ id: foreign, choiceText: 'Stolen' }, { id: mine!.id }, { id: mine!.id }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'choices[0].id', message: 'No choice with this id belongs to this question.' },
      { field: 'choices[2].id', message: 'This id is listed twice.' },
    ]);
  });

  it('answers 409 for a child deleted since the client read the object, and saves nothing', async () => {
    const [gone] = await t.database.query<{ id: number }>(
      `INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, 'Gone') RETURNING id`,
      [questionId],
    );
    expect((await api.delete(`${CHOICES}${gone!.id}/`)).statusCode).toBe(204);
    const res = await api.patch(`${QUESTIONS}${questionId}/`, {
      questionText: 'Not saved',
      choices: [{ id: gone!.id, choiceText: 'Renamed' }],
    });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().errors).toEqual([
      { field: 'choices[0].id', message: expect.stringMatching(/deleted/) },
    ]);
    const [question] = await t.database.query<{ question_text: string }>(
      'SELECT question_text FROM polls_question WHERE id = $1',
      [questionId],
    );
    expect(question!.question_text).not.toBe('Not saved');
  });

  it('keeps instants to the millisecond and accepts any offset', async () => {
    const res = await api.patch(`${QUESTIONS}${questionId}/`, { pubDate: '2026-05-01T09:30:00.123-02:00' });
    expect(res.json().pubDate).toBe('2026-05-01T11:30:00.123Z');
  });
});
