import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, userWithToken } from './testing.js';

// Lists read the registration: polls questions are ordered by -pubDate, filtered on pubDate,
// searched on questionText, sortable on the list's columns (questionText, pubDate).
let t: TestApp;
let api: ApiClient;
const URL = '/api/v1/polls/question/';
const texts = (res: { json(): { results: { questionText: string }[] } }) =>
  res.json().results.map((r) => r.questionText);

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps });
  const { key } = await userWithToken(t.database.db, 'reader', ['polls.view_question', 'polls.view_choice']);
  api = new ApiClient(t.app, { token: key });
  // 25 questions, one a day from 2026-01-01; three with SQL and LIKE metacharacters.
  await t.database.query(
    `INSERT INTO polls_question (question_text, pub_date)
     SELECT 'Question ' || lpad(n::text, 2, '0'), timestamptz '2026-01-01 12:00:00+00' + (n - 1) * interval '1 day'
     FROM generate_series(1, 22) AS n`,
  );
  await t.database.query(
    `INSERT INTO polls_question (question_text, pub_date) VALUES
       ('50% off?', '2025-06-01T00:00:00Z'), ('a_b or ''c''', '2025-06-02T00:00:00Z'), ('x"; DROP TABLE polls_question; --', '2025-06-03T00:00:00Z')`,
  );
  await t.database.query(
    `INSERT INTO polls_choice (question_id, choice_text) SELECT id, 'Yes' FROM polls_question WHERE question_text = 'Question 22'`,
  );
});
afterAll(() => t.close());

describe('pagination', () => {
  it('pages with count and next/previous links, in the registration order', async () => {
    const first = await api.get(`${URL}?page_size=10`);
    expect(first.statusCode, first.body).toBe(200);
    const body = first.json();
    expect(body.count).toBe(25);
    expect(body.previous).toBeNull();
    expect(body.next).toBe('http://localhost/api/v1/polls/question/?page_size=10&page=2');
    expect(texts(first).slice(0, 2)).toEqual(['Question 22', 'Question 21']);
    expect(body.results[0].choices).toEqual([expect.objectContaining({ choiceText: 'Yes', votes: 0 })]);

    const last = await api.get(`${URL}?page_size=10&page=3`);
    expect(last.json().next).toBeNull();
    expect(last.json().previous).toBe('http://localhost/api/v1/polls/question/?page_size=10&page=2');
    expect(texts(last)).toHaveLength(5);
    const second = await api.get(`${URL}?page_size=10&page=2`);
    expect(second.json().previous).toBe('http://localhost/api/v1/polls/question/?page_size=10');
  });

  it('answers 404 past the last page and 400 for a page that is not a number', async () => {
    const past = await api.get(`${URL}?page=4&page_size=10`);
    expect(past.statusCode).toBe(404);
    expect(past.json().detail).toBe('There is no page 4: the last page is 3.');
    const bad = await api.get(`${URL}?page=two&page_size=0`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json()).toMatchObject({
      title: 'Invalid query parameters',
      status: 400,
      errors: [
        { field: 'page', message: 'Must be a whole number.' },
        { field: 'page_size', message: 'Ensure this value is greater than or equal to 1.' },
      ],
    });
  });
});

describe('search', () => {
  it('matches every word in the registered search fields, case-insensitively', async () => {
    expect(texts(await api.get(`${URL}?search=question%2007`))).toEqual(['Question 07']);
    // 22 "Question nn" and the one mentioning the polls_question table.
    expect((await api.get(`${URL}?search=QUESTION`)).json().count).toBe(23);
  });

  it('treats SQL and LIKE metacharacters as text', async () => {
    expect(texts(await api.get(`${URL}?search=${encodeURIComponent('50%')}`))).toEqual(['50% off?']);
    expect(texts(await api.get(`${URL}?search=a_b`))).toEqual(["a_b or 'c'"]);
    expect(texts(await api.get(`${URL}?search=${encodeURIComponent("'c'")}`))).toEqual(["a_b or 'c'"]);
    const drop = await api.get(`${URL}?search=${encodeURIComponent('"; DROP TABLE polls_question; --')}`);
    expect(texts(drop)).toEqual(['x"; DROP TABLE polls_question; --']);
    expect((await api.get(URL)).json().count).toBe(25);
  });
});

describe('filters', () => {
  it('takes the admin filter parameters', async () => {
    const res = await api.get(`${URL}?pubDate__gte=2026-01-20&pubDate__lt=2026-01-22`);
    expect(texts(res)).toEqual(['Question 21', 'Question 20']);
  });

  it('refuses a filter value that is not one', async () => {
    const res = await api.get(`${URL}?pubDate__gte=2026-02-30`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      { field: 'pubDate__gte', message: 'Enter a valid date (YYYY-MM-DD).' },
    ]);
  });

  it('combines with search and ordering', async () => {
    const res = await api.get(
      `${URL}?search=question&pubDate__gte=2026-01-01&pubDate__lt=2026-01-04&ordering=pubDate`,
    );
    expect(texts(res)).toEqual(['Question 01', 'Question 02', 'Question 03']);
  });
});

describe('ordering', () => {
  it('sorts by the list columns, descending with "-", the primary key last', async () => {
    const recent = `${URL}?pubDate__gte=2026-01-01&page_size=3`;
    expect(texts(await api.get(`${recent}&ordering=questionText`))).toEqual([
      'Question 01',
      'Question 02',
      'Question 03',
    ]);
    expect(texts(await api.get(`${recent}&ordering=-questionText`))).toEqual([
      'Question 22',
      'Question 21',
      'Question 20',
    ]);
  });

  it('refuses keys that are not sortable columns, naming the ones that are', async () => {
    const res = await api.get(`${URL}?ordering=${encodeURIComponent('id; DROP TABLE x')}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      {
        field: 'ordering',
        message: 'Cannot order by "id; DROP TABLE x"; choose one of: questionText, pubDate.',
      },
    ]);
  });
});
