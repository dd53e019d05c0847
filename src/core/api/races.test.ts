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
        expect([200, 204, 404, 409, 422], `${what}: ${res.body.slice(0, 300)}`).toContain(res.statusCode);
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
});
