import { count, desc, sum } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import polls from './app.js';
import { seedDemoPolls } from './demo.js';
import { choice, question } from './schema.js';
import { latestQuestions, questionDetail } from './service.js';
import { createQuestion } from './testing.js';

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.database.query('DELETE FROM polls_question'));

async function counts() {
  const [q] = await t.database.db.select({ n: count() }).from(question);
  const [c] = await t.database.db.select({ n: count() }).from(choice);
  return { questions: q!.n, choices: c!.n };
}

describe('seedDemoPolls', () => {
  it('creates questions with choices and votes, one of them scheduled in the future', async () => {
    const now = new Date();
    expect(await seedDemoPolls(t.database.db, now)).toEqual({ created: true, questions: 7, choices: 25 });
    expect(await counts()).toEqual({ questions: 7, choices: 25 });

    const [future] = await t.database.db.select().from(question).orderBy(desc(question.pubDate)).limit(1);
    expect(future!.pubDate.getTime()).toBeGreaterThan(now.getTime());
    const [votes] = await t.database.db.select({ n: sum(choice.votes).mapWith(Number) }).from(choice);
    expect(votes!.n).toBeGreaterThan(100);
  });

  it('keeps the scheduled question hidden: not on the index, 404 on its page', async () => {
    await seedDemoPolls(t.database.db);
    const listed = await latestQuestions(t.database.db, new Date());
    expect(listed).toHaveLength(5);
    expect(listed.map((q) => q.questionText)).not.toContain('What should the next release be called?');
    const [future] = await t.database.db.select().from(question).orderBy(desc(question.pubDate)).limit(1);
    await expect(questionDetail(t.database.db, future!.id, new Date())).rejects.toMatchObject({
      status: 404,
    });
  });

  it('is idempotent: a second run adds nothing', async () => {
    await seedDemoPolls(t.database.db);
    expect(await seedDemoPolls(t.database.db)).toEqual({ created: false, questions: 0, choices: 0 });
    expect(await counts()).toEqual({ questions: 7, choices: 25 });
  });

  it('leaves a database that already has questions alone', async () => {
    await createQuestion(t.database.db, 'A real question.', -1, ['Yes']);
    expect((await seedDemoPolls(t.database.db)).created).toBe(false);
    expect(await counts()).toEqual({ questions: 1, choices: 1 });
  });

  it("runs through the polls manifest's seed hook", async () => {
    await polls.seed!({ database: t.database });
    await polls.seed!({ database: t.database });
    expect(await counts()).toEqual({ questions: 7, choices: 25 });
  });
});
