import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextNumber, readMigrationFiles } from '../../src/core/db/migrate/files.js';
import { projectRoot } from '../../src/core/paths.js';
import { copyProject } from '../../src/core/testing/project-copy.js';
import { type CliResult, runSlipway } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';

// A release's pending migration that the previous release, still serving during a rolling
// update, would not survive. Runs on the engine of the suite.
let project: string;
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  project = copyProject();
  testDb = await createTestDatabase({ migrated: true });
  slipway = (...args) => runSlipway(args, { DATABASE_URL: testDb.url }, { cwd: project, project });
});
afterAll(() => testDb.drop());

const pollsMigrations = 'src/apps/polls/migrations';
const local = `${nextNumber(readMigrationFiles(join(projectRoot, pollsMigrations), 'polls'))}_drop_votes`;
const name = `polls/${local}`;
const write = (sql: string) => writeFileSync(join(project, pollsMigrations, `${local}.sql`), sql);

describe('slipway check before a rolling deploy', () => {
  it('stops a pending migration that drops a column the running release reads, saying what to do instead', async () => {
    write('ALTER TABLE "polls_choice" DROP COLUMN "votes";\n');
    const result = await slipway('check');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `migrations: ${name}: drop-column: drops a column, which the running release may still read or write. ` +
        'Instead: contract in two releases',
    );
  });

  it('accepts it once reviewed with a marker comment', async () => {
    write(
      '-- slipway:allow drop-column (no release reads votes any more)\nALTER TABLE "polls_choice" DROP COLUMN "votes";\n',
    );
    const result = await slipway('check');
    expect(result.stdout).not.toContain('drop-column');
    expect(result.stdout).toContain(`unapplied: ${name}`);
  });
});

describe('slipway makemigrations', () => {
  it('warns when the migration it wrote would break the running release', async () => {
    const schema = join(project, 'src/apps/polls/schema.ts');
    const source = readFileSync(schema, 'utf8').replace(
      "pubDate: timestamp('pub_date', { withTimezone: true }).notNull(),",
      "pubDate: timestamp('pub_date', { withTimezone: true }).notNull(),\n  slug: varchar('slug', { length: 50 }).notNull(),",
    );
    writeFileSync(schema, source);
    const result = await slipway('makemigrations', '--name', 'question_slug');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Warning: polls\/\d{4}_question_slug: not-null-without-default: adds a NOT NULL column without a DEFAULT/m,
    );
  });
});
