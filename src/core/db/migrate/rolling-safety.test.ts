import { describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { rollingProblems } from './rolling-safety.js';

const rules = (sql: string) => rollingProblems({ name: '0009_next', sql }).map((line) => line.split(': ')[1]);

describe('migrations checked for a rolling deploy', () => {
  it('names each change that breaks the release still running, with the way to write it instead', () => {
    expect(rules('ALTER TABLE "polls_question" DROP COLUMN "slug";')).toEqual(['drop-column']);
    expect(rules('DROP TABLE "polls_vote";')).toEqual(['drop-table']);
    expect(rules('ALTER TABLE "polls_question" RENAME COLUMN "slug" TO "handle";')).toEqual(['rename']);
    expect(rules('ALTER TABLE "polls_question" ADD COLUMN "slug" varchar(50) NOT NULL;')).toEqual([
      'not-null-without-default',
    ]);
    expect(rules('ALTER TABLE "polls_question" ALTER COLUMN "votes" SET DATA TYPE bigint;')).toEqual([
      'change-type',
    ]);
    expect(
      rules(
        'ALTER TABLE "polls_choice" ADD CONSTRAINT "c_fk" FOREIGN KEY ("q") REFERENCES "public"."polls_question"("id");',
      ),
    ).toEqual(['constraint-without-not-valid']);
    expect(rules('CREATE INDEX "q_slug" ON "polls_question" USING btree ("slug");')).toEqual([
      'index-not-concurrently',
    ]);

    const [line] = rollingProblems({ name: '0009_next', sql: 'ALTER TABLE "q" DROP COLUMN "slug";' });
    expect(line).toBe(
      '0009_next: drop-column: drops a column, which the running release may still read or write. ' +
        'Instead: contract in two releases: first ship models that no longer use the column, then drop it in a later release. ' +
        '(Reviewed? Add the comment -- slipway:allow drop-column to the migration.)',
    );
  });

  it('accepts the safe forms: a DEFAULT, NOT VALID, CONCURRENTLY, a nullable column', () => {
    expect(rules('ALTER TABLE "q" ADD COLUMN "slug" varchar(50) DEFAULT \'\' NOT NULL;')).toEqual([]);
    expect(rules('ALTER TABLE "q" ADD COLUMN "slug" varchar(50);')).toEqual([]);
    expect(
      rules('ALTER TABLE "c" ADD CONSTRAINT "c_fk" FOREIGN KEY ("q") REFERENCES "q"("id") NOT VALID;'),
    ).toEqual([]);
    expect(rules('ALTER TABLE "c" VALIDATE CONSTRAINT "c_fk";')).toEqual([]);
    // (In a migration that runs outside a transaction: see below.)
    expect(rules('-- slipway:no-transaction\nCREATE INDEX CONCURRENTLY "q_slug" ON "q" ("slug");')).toEqual(
      [],
    );
  });

  it('lets a table created in the same migration be indexed and constrained at once', () => {
    const sql = [
      'CREATE TABLE "polls_vote" ("id" serial PRIMARY KEY, "choice_id" integer NOT NULL);',
      '--> statement-breakpoint',
      'ALTER TABLE "polls_vote" ADD CONSTRAINT "v_fk" FOREIGN KEY ("choice_id") REFERENCES "public"."polls_choice"("id");',
      'CREATE INDEX "v_choice" ON "polls_vote" USING btree ("choice_id");',
    ].join('\n');
    expect(rules(sql)).toEqual([]);
  });

  it('accepts CREATE INDEX CONCURRENTLY only in a migration marked to run outside a transaction', () => {
    const build = 'CREATE INDEX CONCURRENTLY "q_slug" ON "polls_question" USING btree ("slug");';
    expect(rules(build)).toEqual(['concurrently-in-transaction']);
    expect(rules('DROP INDEX CONCURRENTLY "q_slug";')).toEqual(['concurrently-in-transaction']);
    expect(rules(`-- slipway:no-transaction\n${build}`)).toEqual([]);
    expect(rules('-- slipway:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY "u" ON "q" ("a");')).toEqual(
      [],
    );
    expect(rules('-- slipway:no-transaction\nCREATE INDEX "q_slug" ON "polls_question" ("slug");')).toEqual([
      'index-not-concurrently',
    ]);
    expect(rollingProblems({ name: '0009_next', sql: build })[0]).toMatch(
      /Instead: mark the migration "-- slipway:no-transaction" .*\(PostgreSQL refuses it; no comment makes it run\.\)$/,
    );
  });

  it('takes a reviewed exception from a marker comment, for that rule only', () => {
    const sql = '-- slipway:allow drop-column (0008 stopped reading it)\nALTER TABLE "q" DROP COLUMN "slug";';
    expect(rules(sql)).toEqual([]);
    expect(rules(`${sql}\nALTER TABLE "q" RENAME COLUMN "a" TO "b";`)).toEqual(['rename']);
  });

  it('flags in the shipped migrations only the polls index on an earlier table (long applied: check lints pending ones)', () => {
    const problems = projectMigrations(installedApps).flatMap((file) => rollingProblems(file));
    expect(problems.map((p) => p.split(': ').slice(0, 2).join(': '))).toEqual([
      'polls/0002_question_pub_date_index: index-not-concurrently',
    ]);
  });
});
