import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { type ApiClient, superuserClients } from './testing.js';

// Updates racing deletes of the same object end in 404 or 409, never a 500 (the UPDATE that
// finds no row, the foreign key to a parent deleted meanwhile). PGlite runs one statement at a
// time, so only PostgreSQL's connection pool lets them interleave.
let t: TestApp;
let api: ApiClient;
const Q = '/api/v1/polls/question/';
const C = '/api/v1/polls/choice/';
const ROUNDS = Number(process.env['RACE_ROUNDS'] ?? 30);

// PostgreSQL only: vitest.config.ts leaves this file out of PGlite runs.
describe('updates racing deletes (PostgreSQL)', () => {
  beforeAll(async () => {
    t = await buildTestApp();
    ({ api } = await superuserClients(t.app, t.database.db));
  });
  afterAll(() => t?.close());

  it('answers 404 or 409 to the loser, never a 500, and leaves no half-written row', {
    timeout: 60_000,
  }, async () => {
    const statuses = new Map<string, number>();
    const count = (what: string, status: number) =>
      statuses.set(`${what} ${status}`, (statuses.get(`${what} ${status}`) ?? 0) + 1);
    for (let round = 0; round < ROUNDS; round++) {
      const created = await api.post(Q, {
        questionText: `Race ${round}?`,
        pubDate: '2026-01-01T00:00:00Z',
        choices: [{ choiceText: 'A' }, { choiceText: 'B' }, { choiceText: 'C' }],
      });
      expect(created.statusCode, created.body).toBe(201);
      const question = created.json();
      const [a, b, c] = question.choices.map((x: { id: number }) => x.id);
      // Each round: PATCHes of the choices against deleting one choice, replacing the question
      // without another, and (every third round) deleting the whole question.
      const requests: [string, Promise<{ statusCode: number; body: string }>][] = [
        ['patch', api.patch(`${C}${a}/`, { choiceText: 'A2', votes: 1 })],
        ['patch', api.patch(`${C}${b}/`, { choiceText: 'B2' })],
        ['patch', api.patch(`${C}${c}/`, { choiceText: 'C2' })],
        ['delete', api.delete(`${C}${a}/`)],
        [
          'put',
          api.put(`${Q}${question.id}/`, {
            questionText: `Race ${round}, replaced?`,
            pubDate: '2026-01-01T00:00:00Z',
            choices: [{ id: c, choiceText: 'C3' }],
          }),
        ],
        ['patch', api.patch(`${C}${b}/`, { choiceText: 'B3' })],
      ];
      if (round % 3 === 0) requests.push(['delete', api.delete(`${Q}${question.id}/`)]);
      for (const [what, pending] of requests) {
        const res = await pending;
        count(what, res.statusCode);
        // A PATCH of a choice may find its question deleted (422 on questionId); a PUT of the
        // question whose listed child was deleted meanwhile is a conflict, never a 422.
        const allowed = what === 'put' ? [200, 404, 409] : [200, 204, 404, 409, 422];
        expect(allowed, `${what}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
      }
    }
    // No choice is left without its question.
    const [orphans] = await t.database.query<{ n: string }>(
      'SELECT count(*) AS n FROM polls_choice c WHERE NOT EXISTS (SELECT 1 FROM polls_question q WHERE q.id = c.question_id)',
    );
    expect(Number(orphans!.n)).toBe(0);
    console.info(`races: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // The losers were answered 404/409: the races did happen.
    expect([...statuses.keys()].some((k) => / (404|409)$/.test(k))).toBe(true);
  });

  it('answers 409 (or 404) to a PUT whose listed child is deleted meanwhile, never 422', {
    timeout: 60_000,
  }, async () => {
    const statuses: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const created = await api.post(Q, {
        questionText: `Child race ${round}?`,
        pubDate: '2026-01-01T00:00:00Z',
        choices: [{ choiceText: 'A' }, { choiceText: 'B' }],
      });
      expect(created.statusCode, created.body).toBe(201);
      const question = created.json();
      const [a, b] = question.choices.map((x: { id: number }) => x.id);
      const [put, removed] = await Promise.all([
        api.put(`${Q}${question.id}/`, {
          questionText: `Child race ${round}, renamed?`,
          pubDate: '2026-01-01T00:00:00Z',
          choices: [
            { id: a, choiceText: 'A2' },
            { id: b, choiceText: 'B2' },
          ],
        }),
        api.delete(`${C}${a}/`),
      ]);
      statuses.push(put.statusCode);
      expect([200, 404, 409], put.body.slice(0, 300)).toContain(put.statusCode);
      expect([204, 404], removed.body.slice(0, 300)).toContain(removed.statusCode);
      // The loser changed nothing: the question keeps its name unless the PUT won.
      const [row] = await t.database.query<{ question_text: string }>(
        'SELECT question_text FROM polls_question WHERE id = $1',
        [question.id],
      );
      expect(row!.question_text.endsWith('renamed?')).toBe(put.statusCode === 200);
    }
    console.info(`child races: PUT ${JSON.stringify(statuses)}`);
    expect(statuses.some((s) => s === 409)).toBe(true);
  });
});
