import { count } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import { choice, question } from './schema.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface DemoQuestion {
  readonly text: string;
  /** Publication date relative to the seeding time; positive is in the future. */
  readonly offsetMs: number;
  readonly choices: readonly (readonly [text: string, votes: number])[];
}

/**
 * Six published questions, newest a few hours old, and one scheduled a month ahead: the index
 * shows five, the oldest is reachable only by its URL, and the scheduled one stays hidden.
 */
const DEMO_QUESTIONS: readonly DemoQuestion[] = [
  {
    text: 'Where do you deploy your side projects?',
    offsetMs: -3 * HOUR_MS,
    choices: [
      ['A small VPS', 14],
      ['A platform-as-a-service', 9],
      ['A Raspberry Pi at home', 5],
      ['They never leave my laptop', 11],
    ],
  },
  {
    text: 'Which database do you reach for first?',
    offsetMs: -20 * HOUR_MS,
    choices: [
      ['PostgreSQL', 27],
      ['SQLite', 12],
      ['MySQL or MariaDB', 6],
      ['Whatever the team already runs', 8],
    ],
  },
  {
    text: 'How do you take your coffee?',
    offsetMs: -3 * DAY_MS,
    choices: [
      ['Black', 18],
      ['With milk', 15],
      ['Espresso, nothing else', 7],
      ['I drink tea', 10],
    ],
  },
  {
    text: 'Tabs or spaces?',
    offsetMs: -6 * DAY_MS,
    choices: [
      ['Tabs', 21],
      ['Spaces', 24],
      ['Whatever the formatter says', 33],
    ],
  },
  {
    text: 'How many browser tabs do you have open right now?',
    offsetMs: -12 * DAY_MS,
    choices: [
      ['Fewer than 10', 8],
      ['10 to 50', 19],
      ['More than 50', 9],
      ["I'd rather not say", 4],
    ],
  },
  {
    text: "What's up?",
    offsetMs: -30 * DAY_MS,
    choices: [
      ['Not much', 6],
      ['The sky', 11],
      ['Just hacking again', 3],
    ],
  },
  {
    text: 'What should the next release be called?',
    offsetMs: 30 * DAY_MS,
    choices: [
      ['Bollard', 0],
      ['Capstan', 0],
      ['Davit', 0],
    ],
  },
];

export interface DemoPollsResult {
  /** False when questions already existed and nothing was added. */
  readonly created: boolean;
  readonly questions: number;
  readonly choices: number;
}

/**
 * Creates the demo questions, choices and votes in one transaction, dated relative to `now`.
 * Idempotent: when any question exists (an earlier seed, or real data), it adds nothing.
 *
 * @example
 *   await seedDemoPolls(database.db); // { created: true, questions: 7, choices: 25 }
 */
export async function seedDemoPolls(db: AppDb, now = new Date()): Promise<DemoPollsResult> {
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ n: count() }).from(question);
    if ((existing?.n ?? 0) > 0) return { created: false, questions: 0, choices: 0 };
    let choices = 0;
    for (const demo of DEMO_QUESTIONS) {
      const [row] = await tx
        .insert(question)
        .values({ questionText: demo.text, pubDate: new Date(now.getTime() + demo.offsetMs) })
        .returning({ id: question.id });
      await tx
        .insert(choice)
        .values(demo.choices.map(([choiceText, votes]) => ({ questionId: row!.id, choiceText, votes })));
      choices += demo.choices.length;
    }
    return { created: true, questions: DEMO_QUESTIONS.length, choices };
  });
}
