import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestClient } from '../../core/testing/auth-test-app.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { FOREIGN_CHOICE_MESSAGE, NO_CHOICE_MESSAGE, ONE_CHOICE_MESSAGE } from './errors.js';
import { percentages } from './templates/results-page.js';
import { createQuestion, votesOf } from './testing.js';

let t: TestApp;
let client: TestClient;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.database.query('DELETE FROM polls_question');
  client = new TestClient(t);
});

/** The texts of the index's question links, in page order. */
function listedQuestions(body: string): string[] {
  return [...body.matchAll(/<a class="poll-link" href="\/polls\/\d+\/">([^<]*)<\/a>/g)].map((m) => m[1]!);
}

describe('GET /polls/', () => {
  it('says "No polls are available." when there are none', async () => {
    const res = await client.get('/polls/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('No polls are available.');
    expect(listedQuestions(res.body)).toEqual([]);
  });

  it('shows past questions', async () => {
    const q = await createQuestion(t.database.db, 'Past question.', -30);
    const res = await client.get('/polls/');
    expect(listedQuestions(res.body)).toEqual(['Past question.']);
    expect(res.body).toContain(`href="/polls/${q.id}/"`);
  });

  it('never shows future questions, and says so when only future ones exist', async () => {
    await createQuestion(t.database.db, 'Future question.', 30);
    const res = await client.get('/polls/');
    expect(res.body).not.toContain('Future question.');
    expect(res.body).toContain('No polls are available.');
  });

  it('shows past questions but not future ones when both exist', async () => {
    await createQuestion(t.database.db, 'Past question.', -30);
    await createQuestion(t.database.db, 'Future question.', 30);
    expect(listedQuestions((await client.get('/polls/')).body)).toEqual(['Past question.']);
  });

  it('shows the five latest questions, newest first', async () => {
    for (let i = 1; i <= 6; i++) await createQuestion(t.database.db, `Question ${i}.`, -i);
    expect(listedQuestions((await client.get('/polls/')).body)).toEqual([
      'Question 1.',
      'Question 2.',
      'Question 3.',
      'Question 4.',
      'Question 5.',
    ]);
  });

  it('redirects /polls to /polls/', async () => {
    const res = await client.get('/polls');
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('/polls/');
  });

  it("links its stylesheet, which is served from the app's static folder", async () => {
    expect((await client.get('/polls/')).body).toContain('href="/static/polls/polls.css"');
    const css = await client.get('/static/polls/polls.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });
});

describe('GET /polls/<id>/', () => {
  it('shows a past question with a vote form: labelled radios, the CSRF token and a submit button', async () => {
    const q = await createQuestion(t.database.db, 'Past question.', -5, ['Yes', 'No']);
    const res = await client.get(`/polls/${q.id}/`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Past question.');
    expect(res.body).toContain(`<form class="vote-form" method="post" action="/polls/${q.id}/vote/">`);
    expect(res.body).toContain(
      `<input type="hidden" name="csrf_token" value="${client.jar.get('csrftoken')}">`,
    );
    for (const [i, id] of q.choiceIds.entries()) {
      expect(res.body).toContain(
        `<input type="radio" name="choice" id="choice-${id}" value="${id}" required>`,
      );
      expect(res.body).toContain(`<label for="choice-${id}">${['Yes', 'No'][i]}</label>`);
    }
    expect(res.body).toContain('<button type="submit" class="button">Vote</button>');
    expect(res.body).toContain('href="/polls/"');
    expect(res.headers['cache-control']).toBe('private, no-store');
  });

  it('answers 404 for a future question', async () => {
    const q = await createQuestion(t.database.db, 'Future question.', 5, ['A']);
    const res = await client.get(`/polls/${q.id}/`);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Future question.');
  });

  it('answers 404 for a missing question, in the polls pages with a way back', async () => {
    const res = await client.get('/polls/999999/');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('No poll with id 999999.');
    expect(res.body).toContain('<title>Poll not found · Polls</title>');
    expect(res.body).toContain('<a class="button" href="/polls/">See all polls</a>');
    const json = await t.app.inject({
      url: '/polls/999999/',
      headers: { host: 'localhost', accept: 'application/json' },
    });
    expect(json.statusCode).toBe(404);
    expect(json.json()).toMatchObject({ status: 404, code: 'POLLS_QUESTION_NOT_FOUND' });
  });

  it.each([
    '',
    '%20',
    'abc',
    '0',
    '01',
    '-1',
    '1e3',
    '1.5',
    '99999999999',
    '2147483648',
    '%00',
    '%3Cscript%3E',
  ])('answers 404, not 500, for the id %j', async (id) => {
    for (const url of [`/polls/${id}/`, `/polls/${id}/results/`]) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('<script>');
    }
    expect((await client.post(`/polls/${id}/vote/`, { choice: '1' })).statusCode).toBe(404);
  });

  it('says so when the question has no choices yet', async () => {
    const q = await createQuestion(t.database.db, 'Empty.', -1);
    const res = await client.get(`/polls/${q.id}/`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('This poll has no choices yet.');
    expect(res.body).not.toContain('<form');
  });
});

describe('GET /polls/<id>/results/', () => {
  it('shows each choice with its votes, the total and a "Vote again?" link', async () => {
    const q = await createQuestion(t.database.db, 'Counted?', -1, ['Yes', 'No']);
    await client.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    await client.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    await client.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[1]) });
    const res = await client.get(`/polls/${q.id}/results/`);
    expect(res.statusCode).toBe(200);
    const text = res.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Yes 2 votes (67%)');
    expect(text).toContain('No 1 vote (33%)');
    expect(text).toContain('Total: 3 votes');
    expect(res.body).toContain(`<a class="button" href="/polls/${q.id}/">Vote again?</a>`);
    expect(res.body).toContain(`<meter min="0" max="3" value="2"`);
  });

  it('shows shares that add up to 100 %', async () => {
    expect(percentages([5, 3, 2, 4])).toEqual([36, 21, 14, 29]);
    expect(percentages([1, 1, 1])).toEqual([34, 33, 33]);
    expect(percentages([0, 0])).toEqual([0, 0]);
    const q = await createQuestion(t.database.db, 'Thirds?', -1, ['A', 'B', 'C']);
    for (const id of q.choiceIds) await client.post(`/polls/${q.id}/vote/`, { choice: String(id) });
    const text = (await client.get(`/polls/${q.id}/results/`)).body
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(text).toContain('A 1 vote (34%)');
    expect(text).toContain('B 1 vote (33%)');
    expect(text).toContain('C 1 vote (33%)');
  });

  it('answers 404 for a future or missing question', async () => {
    const q = await createQuestion(t.database.db, 'Future question.', 5, ['A']);
    expect((await client.get(`/polls/${q.id}/results/`)).statusCode).toBe(404);
    expect((await client.get('/polls/999999/results/')).statusCode).toBe(404);
  });
});

describe('POST /polls/<id>/vote/', () => {
  it('increments exactly the chosen choice and redirects (303) to the results', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A', 'B', 'C']);
    const res = await client.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[2]) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/polls/${q.id}/results/`);
    expect(await votesOf(t.database.db, q.id)).toEqual([0, 0, 1]);
  });

  it('re-renders the form with 400 and "You didn\'t select a choice." when no choice is sent', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A', 'B']);
    for (const form of [{}, { choice: '' }] as Record<string, string>[]) {
      const res = await client.post(`/polls/${q.id}/vote/`, form);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(
        `<p class="error" id="vote-error" role="alert">You didn&#39;t select a choice.</p>`,
      );
      expect(res.body).toContain('<fieldset aria-describedby="vote-error">');
      expect(res.body).toContain(`action="/polls/${q.id}/vote/"`);
    }
    expect(NO_CHOICE_MESSAGE).toBe("You didn't select a choice.");
    expect(await votesOf(t.database.db, q.id)).toEqual([0, 0]);
  });

  it("re-renders the form with 400 for another question's choice, and changes nothing", async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A', 'B']);
    const other = await createQuestion(t.database.db, 'Another.', -1, ['X']);
    const res = await client.post(`/polls/${q.id}/vote/`, { choice: String(other.choiceIds[0]) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('That choice is not an answer to this question.');
    expect(FOREIGN_CHOICE_MESSAGE).toMatch(/^That choice is not an answer to this question\./);
    expect(await votesOf(t.database.db, q.id)).toEqual([0, 0]);
    expect(await votesOf(t.database.db, other.id)).toEqual([0]);
  });

  it.each(['999999', 'abc', '-1', '1e3', '99999999999'])(
    're-renders the form with 400 for the unknown choice %j',
    async (choice) => {
      const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A']);
      const res = await client.post(`/polls/${q.id}/vote/`, { choice });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('role="alert"');
      expect(await votesOf(t.database.db, q.id)).toEqual([0]);
    },
  );

  it('answers 400 for a repeated choice field (two values), and counts nothing', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A', 'B']);
    const res = await t.app.inject({
      method: 'POST',
      url: `/polls/${q.id}/vote/`,
      headers: {
        host: 'localhost',
        cookie: `csrftoken=${client.jar.get('csrftoken')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `csrf_token=${client.jar.get('csrftoken')}&choice=${q.choiceIds[0]}&choice=${q.choiceIds[1]}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(ONE_CHOICE_MESSAGE);
    expect(await votesOf(t.database.db, q.id)).toEqual([0, 0]);
  });

  it('answers GET with 405 and Allow: POST, and 404 for a poll that does not exist', async () => {
    const q = await createQuestion(t.database.db, 'Get?', -1, ['A']);
    const res = await client.get(`/polls/${q.id}/vote/`);
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body).toContain('Votes are sent with the form on the question');
    expect((await client.get('/polls/999999/vote/')).statusCode).toBe(404);
  });

  it('accepts the choice as a number from a JSON client', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A', 'B']);
    const res = await t.app.inject({
      method: 'POST',
      url: `/polls/${q.id}/vote/`,
      headers: {
        host: 'localhost',
        cookie: `csrftoken=${client.jar.get('csrftoken')}`,
        'x-csrf-token': client.jar.get('csrftoken')!,
      },
      payload: { choice: q.choiceIds[1] },
    });
    expect(res.statusCode).toBe(303);
    expect(await votesOf(t.database.db, q.id)).toEqual([0, 1]);
  });

  it('answers 404 for a vote on a future or missing question, and counts nothing', async () => {
    const q = await createQuestion(t.database.db, 'Scheduled.', 3, ['A']);
    expect((await client.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) })).statusCode).toBe(
      404,
    );
    expect((await client.post(`/polls/${q.id}/vote/`, {})).statusCode).toBe(404);
    expect((await client.post('/polls/999999/vote/', { choice: String(q.choiceIds[0]) })).statusCode).toBe(
      404,
    );
    expect(await votesOf(t.database.db, q.id)).toEqual([0]);
  });

  it('is refused with 403 without the CSRF token, and counts nothing', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A']);
    const form = `choice=${q.choiceIds[0]}`;
    const noToken = await t.app.inject({
      method: 'POST',
      url: `/polls/${q.id}/vote/`,
      headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    expect(noToken.statusCode).toBe(403);
    const wrongToken = await client.post(`/polls/${q.id}/vote/`, {
      choice: String(q.choiceIds[0]),
      csrf_token: 'x'.repeat(43),
    });
    expect(wrongToken.statusCode).toBe(403);
    expect(await votesOf(t.database.db, q.id)).toEqual([0]);
  });

  it('is not a GET: GET (and HEAD) on the vote URL answer 404 and change nothing', async () => {
    const q = await createQuestion(t.database.db, 'Pick one.', -1, ['A']);
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await t.app.inject({
        method,
        url: `/polls/${q.id}/vote/?choice=${q.choiceIds[0]}`,
        headers: { host: 'localhost' },
      });
      expect([404, 405]).toContain(res.statusCode);
    }
    expect(await votesOf(t.database.db, q.id)).toEqual([0]);
  });
});

describe('stored markup is escaped', () => {
  const XSS = `<script>alert("x")</script>'"&`;
  const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;';

  it('on the index, detail, error re-render and results pages', async () => {
    const q = await createQuestion(t.database.db, XSS, -1, [`${XSS} choice`]);
    const pages = [
      await client.get('/polls/'),
      await client.get(`/polls/${q.id}/`),
      await client.post(`/polls/${q.id}/vote/`, {}),
      await client.get(`/polls/${q.id}/results/`),
    ];
    for (const res of pages) {
      expect(res.body).not.toContain('<script');
      expect(res.body).toContain(ESCAPED);
    }
    // The choice's text shows on the detail and results pages.
    expect(pages[1]!.body).toContain(`${ESCAPED} choice`);
    expect(pages[3]!.body).toContain(`${ESCAPED} choice`);
  });
});
