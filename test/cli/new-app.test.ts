import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../../src/core/testing/project-copy.js';
import { type CliResult, runSlipway } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';

// Adding an app touches its own folder and one line of the installed apps, nothing else: a
// `notes` app with a model, whose first migration makemigrations writes into the app's folder.
// Runs on the engine of the suite.
let project: string;
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;

const APP = `import { join } from 'node:path';
import { defineApp } from '../../core/apps/define-app.js';
import * as schema from './schema.js';

export default defineApp({
  name: 'notes',
  label: 'Notes',
  migrations: join(import.meta.dirname, 'migrations'),
  dependencies: ['auth'],
  schema,
  // The admin registration and the API opt-out of the new app go here (admin: …).
});
`;
const SCHEMA = `import { integer, pgTable, varchar } from 'drizzle-orm/pg-core';
import { user } from '../../core/auth/schema.js';
import { id, timestamps } from '../../core/db/columns.js';

export const note = pgTable('notes_note', {
  ...id(),
  title: varchar('title', { length: 100 }).notNull(),
  authorId: integer('author_id').references(() => user.id, { onDelete: 'cascade' }),
  ...timestamps(),
});
`;

beforeAll(async () => {
  project = copyProject();
  testDb = await createTestDatabase();
  slipway = (...args) => runSlipway(args, { DATABASE_URL: testDb.url }, { cwd: project, project });
  const dir = join(project, 'src/apps/notes');
  mkdirSync(dir);
  writeFileSync(join(dir, 'app.ts'), APP);
  writeFileSync(join(dir, 'schema.ts'), SCHEMA);
  const installed = join(project, 'src/apps/installed.ts');
  const source = readFileSync(installed, 'utf8')
    .replace(
      "import polls from './polls/app.js';",
      "import notes from './notes/app.js';\nimport polls from './polls/app.js';",
    )
    .replace(/\[([^\]]*contacts)\]/, '[$1, notes]');
  expect(source).toContain(', notes]');
  writeFileSync(installed, source);
});
afterAll(() => testDb.drop());

// Each test runs the CLI several times in a fresh copy (compiled on first use): slow on a loaded machine.
describe('a new app with its own migrations', { timeout: 180_000 }, () => {
  it('gets its first migration in its own folder, depending on the app its foreign key points to', async () => {
    expect((await slipway('check')).stdout).toContain(
      'table "notes_note" is in the models but in no migration',
    );
    const made = await slipway('makemigrations');
    expect(made.stdout).toMatch(/^Created src\/apps\/notes\/migrations\/0001_initial\.sql, which will:\n/);
    expect(made.stdout).not.toContain('src/apps/polls'); // no other app changed
    const folder = join(project, 'src/apps/notes/migrations');
    expect(readdirSync(folder).sort()).toEqual(['0001_initial.sql', 'meta']);
    const sql = readFileSync(join(folder, '0001_initial.sql'), 'utf8');
    expect(sql).toMatch(/^-- depends: auth\/0001_initial$/m);
    expect(sql).toContain('CREATE TABLE "notes_note"');
  });

  it('migrates, is listed by showmigrations after what it depends on, and check passes', async () => {
    const migrate = await slipway('migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('Applying notes/0001_initial\n');
    const shown = (await slipway('showmigrations', '--plan')).stdout.split('\n').filter(Boolean);
    const names = shown.map((line) => line.split('  ')[0]);
    expect(names.at(-1)).toBe('[X] notes/0001_initial');
    expect(names.indexOf('[X] auth/0001_initial')).toBeLessThan(names.length - 1);
    expect((await slipway('showmigrations', 'notes')).stdout).toMatch(
      /^notes\n \[X\] 0001_initial {2}\(applied /,
    );
    expect(await slipway('check')).toMatchObject({ code: 0, stdout: 'System check identified no issues.\n' });
  });

  it('goes back to zero on its own, and forward again', async () => {
    expect((await slipway('migrate', 'notes', 'zero')).stdout).toBe(
      'Reverting notes/0001_initial\nDone: reverted 1 migration(s); the database is at notes/zero (no migration of notes applied).\n',
    );
    expect((await slipway('migrate', 'notes')).stdout).toContain('Applying notes/0001_initial\n');
  });
});
