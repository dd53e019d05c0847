import { and, asc, desc, eq, exists, lte, sql } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { FOREIGN_CHOICE_MESSAGE, InvalidChoiceError, QuestionNotFoundError } from './errors.js';
import { choice, question } from './schema.js';

export type Question = typeof question.$inferSelect;
export type Choice = typeof choice.$inferSelect;

/** A published question with its choices, in the order they were added. */
export interface QuestionWithChoices {
  readonly question: Question;
  readonly choices: readonly Choice[];
}

/** {@link QuestionWithChoices} plus the sum of the choices' votes. */
export interface QuestionResults extends QuestionWithChoices {
  readonly totalVotes: number;
}

/** How many questions the index shows (Django's tutorial: the last five). */
export const LATEST_LIMIT = 5;

const INT4_MAX = 2_147_483_647;

/**
 * The public pages' three queries, built once per database handle and run as named prepared
 * statements: Drizzle does not rebuild the SQL for every request, and PostgreSQL parses and plans
 * each one once per connection. Under load that is a third of a page's time.
 */
function buildStatements(db: AppDb) {
  const now = sql.placeholder('now');
  const published = db
    .select({ one: sql`1` })
    .from(question)
    .where(and(eq(question.id, sql.placeholder('questionId')), lte(question.pubDate, now)));
  return {
    latest: db
      .select()
      .from(question)
      .where(lte(question.pubDate, now))
      .orderBy(desc(question.pubDate), desc(question.id))
      .limit(sql.placeholder('limit'))
      .prepare('polls_latest_questions'),
    detail: db
      .select({ question, choice })
      .from(question)
      .leftJoin(choice, eq(choice.questionId, question.id))
      .where(and(eq(question.id, sql.placeholder('id')), lte(question.pubDate, now)))
      .orderBy(asc(choice.id))
      .prepare('polls_question_detail'),
    vote: db
      .update(choice)
      .set({ votes: sql`${choice.votes} + 1` })
      .where(
        and(
          eq(choice.id, sql.placeholder('choiceId')),
          eq(choice.questionId, sql.placeholder('questionId')),
          exists(published),
        ),
      )
      .returning({ choiceId: choice.id, votes: choice.votes })
      .prepare('polls_vote'),
  };
}

const statementsByDb = new WeakMap<AppDb, ReturnType<typeof buildStatements>>();

function statements(db: AppDb): ReturnType<typeof buildStatements> {
  let found = statementsByDb.get(db);
  if (!found) {
    found = buildStatements(db);
    statementsByDb.set(db, found);
  }
  return found;
}

/**
 * Whether `value` can be a `serial` id. Anything else cannot match a row, and must not reach
 * PostgreSQL, which would reject it with an out-of-range error (a 500) rather than find nothing.
 */
export function isRowId(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= INT4_MAX;
}

/**
 * The `limit` most recently published questions, newest first. Questions dated after `now` are
 * scheduled, not published, and never listed.
 *
 * @example
 *   const questions = await latestQuestions(db, new Date());
 */
export function latestQuestions(db: AppDb, now: Date, limit = LATEST_LIMIT): Promise<Question[]> {
  return statements(db).latest.execute({ now, limit });
}

/**
 * A published question and its choices, in one query. Throws {@link QuestionNotFoundError} when
 * there is no such question or it is dated after `now`: both are a 404, so that scheduled
 * questions cannot be found by guessing ids.
 *
 * @example
 *   const { question, choices } = await questionDetail(db, 7, new Date());
 */
export async function questionDetail(db: AppDb, id: number, now: Date): Promise<QuestionWithChoices> {
  if (!isRowId(id)) throw new QuestionNotFoundError(id);
  const rows = await statements(db).detail.execute({ id, now });
  const first = rows[0];
  if (!first) throw new QuestionNotFoundError(id);
  return {
    question: first.question,
    choices: rows.flatMap((row) => (row.choice ? [row.choice] : [])),
  };
}

/**
 * What the results page shows: {@link questionDetail} with the total number of votes.
 *
 * @example
 *   const { choices, totalVotes } = await questionResults(db, 7, new Date());
 */
export async function questionResults(db: AppDb, id: number, now: Date): Promise<QuestionResults> {
  const detail = await questionDetail(db, id, now);
  return { ...detail, totalVotes: detail.choices.reduce((sum, c) => sum + c.votes, 0) };
}

/**
 * Adds one vote to `choiceId`, an answer to the published question `questionId`, and returns the
 * choice's new count.
 *
 * The increment happens in the database, in one statement (`SET votes = votes + 1`), never as
 * read-modify-write in JavaScript: concurrent votes then queue on the row lock and none is lost.
 * When no row was updated, a second query tells why: {@link QuestionNotFoundError} for a missing
 * or unpublished question, {@link InvalidChoiceError} for a choice that is unknown or belongs to
 * another question.
 *
 * @example
 *   const { votes } = await vote(db, 7, 21, new Date());
 */
export async function vote(
  db: AppDb,
  questionId: number,
  choiceId: number,
  now: Date,
): Promise<{ choiceId: number; votes: number }> {
  if (!isRowId(questionId)) throw new QuestionNotFoundError(questionId);
  if (isRowId(choiceId)) {
    const [updated] = await statements(db).vote.execute({ choiceId, questionId, now });
    if (updated) return updated;
  }
  // Nothing was updated: a 404 if the question is not there to vote on, else a wrong choice.
  await questionDetail(db, questionId, now);
  throw new InvalidChoiceError(FOREIGN_CHOICE_MESSAGE);
}
