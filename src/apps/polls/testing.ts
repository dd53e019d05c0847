import { asc, eq } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { choice, question } from './schema.js';

const DAY_MS = 86_400_000;

/**
 * Creates a question published `days` from now (negative: in the past, positive: scheduled), with
 * the given choices at zero votes: Django's tutorial `create_question()`.
 *
 * @example
 *   const q = await createQuestion(db, 'Past question.', -30, ['Yes', 'No']);
 */
export async function createQuestion(
  db: AppDb,
  text: string,
  days: number,
  choices: readonly string[] = [],
): Promise<{ id: number; choiceIds: number[] }> {
  const [row] = await db
    .insert(question)
    .values({ questionText: text, pubDate: new Date(Date.now() + days * DAY_MS) })
    .returning({ id: question.id });
  const id = row!.id;
  const inserted =
    choices.length === 0
      ? []
      : await db
          .insert(choice)
          .values(choices.map((choiceText) => ({ questionId: id, choiceText })))
          .returning({ id: choice.id });
  return { id, choiceIds: inserted.map((c) => c.id) };
}

/** The vote counts of a question's choices, in choice order. */
export async function votesOf(db: AppDb, questionId: number): Promise<number[]> {
  const rows = await db
    .select({ votes: choice.votes })
    .from(choice)
    .where(eq(choice.questionId, questionId))
    .orderBy(asc(choice.id));
  return rows.map((r) => r.votes);
}
