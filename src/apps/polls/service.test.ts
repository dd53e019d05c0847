import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppDb } from '../../core/db/database.js';
import { buildTestApp, type TestApp } from '../../core/testing/build-test-app.js';
import { wasPublishedRecently } from './admin.js';
import { FOREIGN_CHOICE_MESSAGE, InvalidChoiceError, QuestionNotFoundError } from './errors.js';
import { question } from './schema.js';
import { latestQuestions, questionDetail, questionResults, vote } from './service.js';
import { createQuestion, votesOf } from './testing.js';

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;

let t: TestApp;
let db: AppDb;

beforeAll(async () => {
  t = await buildTestApp();
  db = t.database.db;
});
afterAll(() => t.close());
beforeEach(() => t.database.query('DELETE FROM polls_question'));

describe("wasPublishedRecently (the tutorial's was_published_recently)", () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

  it('is false for a question dated in the future', () => {
    expect(wasPublishedRecently(at(30 * DAY_MS), now)).toBe(false);
    expect(wasPublishedRecently(at(1), now)).toBe(false);
  });
  it('is false for a question older than one day', () => {
    expect(wasPublishedRecently(at(-DAY_MS - SECOND_MS), now)).toBe(false);
  });
  it('is true for a question published within the last day', () => {
    expect(wasPublishedRecently(at(-DAY_MS + SECOND_MS), now)).toBe(true);
    expect(wasPublishedRecently(now, now)).toBe(true);
  });
});

describe('latestQuestions', () => {
  it('is empty when there are no questions', async () => {
    expect(await latestQuestions(db, new Date())).toEqual([]);
  });

  it('lists past questions and never future ones', async () => {
    await createQuestion(db, 'Past question.', -30);
    await createQuestion(db, 'Future question.', 30);
    const texts = (await latestQuestions(db, new Date())).map((q) => q.questionText);
    expect(texts).toEqual(['Past question.']);
  });

  it('treats `now` as the boundary: published at `now` is shown, a millisecond later is not', async () => {
    const now = new Date(Date.now() - DAY_MS);
    await db.insert(question).values([
      { questionText: 'Exactly now.', pubDate: now },
      { questionText: 'Just after.', pubDate: new Date(now.getTime() + 1) },
    ]);
    expect((await latestQuestions(db, now)).map((q) => q.questionText)).toEqual(['Exactly now.']);
  });

  it('returns at most five, newest first', async () => {
    for (let i = 1; i <= 7; i++) await createQuestion(db, `Question ${i}.`, -i);
    const texts = (await latestQuestions(db, new Date())).map((q) => q.questionText);
    expect(texts).toEqual(['Question 1.', 'Question 2.', 'Question 3.', 'Question 4.', 'Question 5.']);
  });
});

describe('questionDetail and questionResults', () => {
  it('returns a past question with its choices in the order they were added', async () => {
    const q = await createQuestion(db, 'Past question.', -5, ['First', 'Second', 'Third']);
    const detail = await questionDetail(db, q.id, new Date());
    expect(detail.question.questionText).toBe('Past question.');
    expect(detail.choices.map((c) => c.choiceText)).toEqual(['First', 'Second', 'Third']);
  });

  it('returns a question without choices with an empty list', async () => {
    const q = await createQuestion(db, 'No choices yet.', -1);
    expect((await questionDetail(db, q.id, new Date())).choices).toEqual([]);
  });

  it('throws QuestionNotFoundError (404) for a future question', async () => {
    const q = await createQuestion(db, 'Future question.', 5, ['A']);
    const error = await questionDetail(db, q.id, new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuestionNotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'POLLS_QUESTION_NOT_FOUND' });
    await expect(questionResults(db, q.id, new Date())).rejects.toBeInstanceOf(QuestionNotFoundError);
  });

  it('throws QuestionNotFoundError for a missing id, and for ids no serial column can hold', async () => {
    for (const id of [999_999, 0, -1, 1.5, 2 ** 31, Number.NaN])
      await expect(questionDetail(db, id, new Date())).rejects.toBeInstanceOf(QuestionNotFoundError);
  });

  it('adds up the votes for the results', async () => {
    const q = await createQuestion(db, 'Counted?', -1, ['Yes', 'No']);
    const now = new Date();
    await vote(db, q.id, q.choiceIds[0]!, now);
    await vote(db, q.id, q.choiceIds[0]!, now);
    await vote(db, q.id, q.choiceIds[1]!, now);
    const results = await questionResults(db, q.id, now);
    expect(results.choices.map((c) => c.votes)).toEqual([2, 1]);
    expect(results.totalVotes).toBe(3);
  });
});

describe('vote', () => {
  it('increments exactly the chosen choice and returns its new count', async () => {
    const q = await createQuestion(db, 'Pick one.', -1, ['A', 'B', 'C']);
    const other = await createQuestion(db, 'Another.', -1, ['X']);
    expect(await vote(db, q.id, q.choiceIds[1]!, new Date())).toEqual({ choiceId: q.choiceIds[1], votes: 1 });
    expect(await vote(db, q.id, q.choiceIds[1]!, new Date())).toEqual({ choiceId: q.choiceIds[1], votes: 2 });
    expect(await votesOf(db, q.id)).toEqual([0, 2, 0]);
    expect(await votesOf(db, other.id)).toEqual([0]);
  });

  it("refuses another question's choice with InvalidChoiceError and changes nothing", async () => {
    const q = await createQuestion(db, 'Pick one.', -1, ['A', 'B']);
    const other = await createQuestion(db, 'Another.', -1, ['X']);
    const error = await vote(db, q.id, other.choiceIds[0]!, new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidChoiceError);
    expect(error).toMatchObject({ status: 400, message: FOREIGN_CHOICE_MESSAGE });
    expect(await votesOf(db, q.id)).toEqual([0, 0]);
    expect(await votesOf(db, other.id)).toEqual([0]);
  });

  it('refuses an unknown or impossible choice id with InvalidChoiceError', async () => {
    const q = await createQuestion(db, 'Pick one.', -1, ['A']);
    for (const choiceId of [999_999, 0, -3, 2 ** 31])
      await expect(vote(db, q.id, choiceId, new Date())).rejects.toBeInstanceOf(InvalidChoiceError);
    expect(await votesOf(db, q.id)).toEqual([0]);
  });

  it('refuses a vote on a future or missing question with QuestionNotFoundError', async () => {
    const future = await createQuestion(db, 'Scheduled.', 2, ['A']);
    await expect(vote(db, future.id, future.choiceIds[0]!, new Date())).rejects.toBeInstanceOf(
      QuestionNotFoundError,
    );
    expect(await votesOf(db, future.id)).toEqual([0]);
    await expect(vote(db, 999_999, 1, new Date())).rejects.toBeInstanceOf(QuestionNotFoundError);
  });

  it('counts every one of many simultaneous votes (the increment is done by the database)', async () => {
    const q = await createQuestion(db, 'Busy.', -1, ['A', 'B']);
    const now = new Date();
    await Promise.all(Array.from({ length: 200 }, (_, i) => vote(db, q.id, q.choiceIds[i % 2]!, now)));
    expect(await votesOf(db, q.id)).toEqual([100, 100]);
  });
});
