import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { makeMigration } from '../../db/migrate/make-migration.js';
import { reportLines } from './makemigrations.js';

const v1 = {
  question: pgTable('polls_question', {
    id: serial('id').primaryKey(),
    text: varchar('text', { length: 200 }),
  }),
};
const v2 = {
  question: pgTable('polls_question', {
    id: serial('id').primaryKey(),
    text: varchar('text', { length: 200 }),
    slug: varchar('slug', { length: 50 }),
  }),
};
const renamed = {
  question: pgTable('polls_question', { id: serial('id').primaryKey(), body: text('body') }),
};
const newDir = () => mkdtempSync(join(tmpdir(), 'slipway-makemigrations-'));
const report = async (options: Parameters<typeof makeMigration>[0]) =>
  reportLines(await makeMigration(options), 'migrations');

describe("makemigrations' report", () => {
  it('says what it created and that the models and the migrations agree now, listing no difference', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    expect(await report({ dir, schema: v2, name: 'question_slug' })).toEqual([
      'Created migrations/0002_question_slug.sql, which will:',
      '  - Add column "polls_question.slug"',
      'The models and the migrations agree now. Apply it with `slipway migrate`; undo it with `slipway migrate --to 0001_initial`.',
    ]);
    expect(await report({ dir, schema: v2 })).toEqual([
      'No changes detected: the models and the migrations agree.',
    ]);
  });

  it("names the app in the way back when the migration is an app's", async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1, app: 'polls' });
    const made = await makeMigration({ dir, schema: v2, app: 'polls', name: 'question_slug' });
    expect(reportLines(made, 'src/apps/polls/migrations')).toEqual([
      'Created src/apps/polls/migrations/0002_question_slug.sql, which will:',
      '  - Add column "polls_question.slug"',
      'The models and the migrations agree now. Apply it with `slipway migrate`; undo it with `slipway migrate polls 0001_initial`.',
    ]);
  });

  it('tells what an --empty migration must do, and where its reverse goes', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    expect(await report({ dir, schema: renamed, empty: true, name: 'rename_text' })).toEqual([
      'Created migrations/0002_rename_text.sql to write by hand: above its "-- reverse" line, SQL that makes these changes; below it, SQL that undoes them:',
      '  - Add column "polls_question.body"',
      '  - Drop column "polls_question.text"',
      'The models and the migrations agree now (its snapshot records the models as they are). Once the SQL is written, apply it with `slipway migrate`.',
    ]);
    expect(await report({ dir, schema: renamed, empty: true, name: 'trigger' })).toEqual([
      'Created migrations/0003_trigger.sql to write by hand: its SQL above the "-- reverse" line, and SQL that undoes it below.',
      'The models and the migrations agree now (its snapshot records the models as they are). Once the SQL is written, apply it with `slipway migrate`.',
    ]);
  });

  it('lists what still differs only when something does', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    await makeMigration({ dir, schema: v2, name: 'a' });
    copyFileSync(join(dir, '0002_a.sql'), join(dir, '0002_b.sql'));
    expect(await report({ dir, schema: renamed, empty: true, name: 'c' })).toEqual([
      expect.stringMatching(/^Created migrations\/0003_c\.sql to write by hand/),
      '  - Add column "polls_question.body"',
      '  - Drop column "polls_question.slug"',
      '  - Drop column "polls_question.text"',
      'The models and the migrations still differ:',
      '  - migrations 0002_a and 0002_b share a number: renumber one of them (they were made on two branches)',
    ]);
  });
});
