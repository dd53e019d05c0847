import { index, integer, pgTable, timestamp, varchar } from 'drizzle-orm/pg-core';
import { id } from '../../core/db/columns.js';

/** A poll question, published at `pubDate` (questions dated in the future are not shown). */
export const question = pgTable(
  'polls_question',
  {
    ...id(),
    questionText: varchar('question_text', { length: 200 }).notNull(),
    pubDate: timestamp('pub_date', { withTimezone: true }).notNull(),
  },
  // The admin lists questions newest first (pub_date, then id for stable pages): an index scan, not a sort.
  (t) => [index('polls_question_pub_date_idx').on(t.pubDate, t.id)],
);

/** One answer to a question, with its vote count. */
export const choice = pgTable(
  'polls_choice',
  {
    ...id(),
    questionId: integer('question_id')
      .notNull()
      .references(() => question.id, { onDelete: 'cascade' }),
    choiceText: varchar('choice_text', { length: 200 }).notNull(),
    votes: integer('votes').notNull().default(0),
  },
  (t) => [index('polls_choice_question_id_idx').on(t.questionId)],
);
