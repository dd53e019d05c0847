import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../src/apps/installed.js';
import { projectMigrations } from '../../src/core/apps/project-migrations.js';
import { nextNumber, readMigrationFiles } from '../../src/core/db/migrate/files.js';
import { projectRoot } from '../../src/core/paths.js';
import { copyProject } from '../../src/core/testing/project-copy.js';
import { type CliResult, runSlipway } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';

// The developer's loop, end to end: edit a model, see `check` fail naming it, run
// makemigrations and migrate, see `check` pass. Runs on the engine of the suite.
let project: string;
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  project = copyProject();
  testDb = await createTestDatabase();
  slipway = (...args) => runSlipway(args, { DATABASE_URL: testDb.url }, { cwd: project, project });
});
afterAll(() => testDb.drop());

const schemaFile = () => join(project, 'src/apps/polls/schema.ts');
const shipped = projectMigrations(installedApps).map((f) => f.name);
const pollsMigrations = 'src/apps/polls/migrations';
const addedFile = `${nextNumber(readMigrationFiles(join(projectRoot, pollsMigrations), 'polls'))}_slug_and_tags`;
const added = `polls/${addedFile}`;

describe('slipway check, makemigrations and migrate on a project', () => {
  it('reports unapplied migrations on a new database, and nothing once migrated', async () => {
    const before = await slipway('check');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(
      `migrations: ${shipped.length} unapplied: ${shipped.join(', ')} (run slipway migrate)`,
    );
    expect((await slipway('migrate')).stdout).toContain(`Applying ${shipped[0]}`);
    const after = await slipway('check');
    expect(after.stdout).toBe('System check identified no issues.\n');
    expect(after.code).toBe(0);
  });

  it('names a column and a table added to the models without a migration', async () => {
    const source = readFileSync(schemaFile(), 'utf8').replace(
      "pubDate: timestamp('pub_date', { withTimezone: true }).notNull(),",
      "pubDate: timestamp('pub_date', { withTimezone: true }).notNull(),\n  slug: varchar('slug', { length: 50 }),",
    );
    writeFileSync(schemaFile(), source);
    appendFileSync(schemaFile(), "\nexport const tag = pgTable('polls_tag', { ...id() });\n");
    const result = await slipway('check');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('models: table "polls_tag" is in the models but in no migration');
    expect(result.stdout).toContain(
      'models: column "polls_question.slug" is in the models but in no migration',
    );
  });

  it('passes again after makemigrations and migrate', async () => {
    const made = await slipway('makemigrations', '--name', 'slug_and_tags');
    expect(made.stdout).toContain(`Created ${pollsMigrations}/${addedFile}.sql`);
    const pending = await slipway('check');
    expect(pending.stdout).toContain(`1 unapplied: ${added}`);
    expect((await slipway('migrate', '--plan')).stdout).toBe(`Would apply ${added}\n`);
    await slipway('migrate');
    const show = await slipway('showmigrations', '--plan');
    const lines = show.stdout.split('\n').filter(Boolean);
    expect(lines.map((line) => line.split('  ')[0])).toEqual(
      // In the order migrate applies them: after the other polls migrations, before contacts'.
      shipped
        .flatMap((name) => (name === 'polls/0002_question_pub_date_index' ? [name, added] : [name]))
        .map((name) => `[X] ${name}`),
    );
    expect((await slipway('check')).code).toBe(0);
  });

  it('detects an applied migration that was edited, naming the file', async () => {
    const file = join(project, pollsMigrations, '0001_initial.sql');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `-- a harmless-looking edit\n${original}`); // above its -- reverse line
    try {
      const check = await slipway('check');
      expect(check.code).toBe(1);
      expect(check.stdout).toContain(`applied migration was edited afterwards: ${file}`);
      const migrate = await slipway('migrate');
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toMatch(
        /^Using .*\nslipway migrate: applied migration was edited afterwards: .*0001_initial\.sql/,
      );
      expect(migrate.stderr.trim().split('\n')).toHaveLength(2); // "Using …", then the one error line
    } finally {
      writeFileSync(file, original);
    }
  });

  it('refuses a rename without prompting, in one line with exit 1', async () => {
    writeFileSync(
      schemaFile(),
      readFileSync(schemaFile(), 'utf8').replace("varchar('slug'", "varchar('short_name'"),
    );
    const result = await slipway('makemigrations');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^slipway makemigrations: cannot tell a rename from a drop and an add \(table "polls_question": column slug removed and short_name added\)/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(join(project, pollsMigrations)).filter((f) => f.endsWith('.sql'))).toHaveLength(
      shipped.filter((n) => n.startsWith('polls/')).length + 1,
    );
  });

  it('answers an unknown command or option with one line and exit 1', async () => {
    const unknown = await slipway('frobnicate');
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'slipway: unknown command "frobnicate". Run "slipway help" for the list.\n',
    ]);
    const badOption = await slipway('migrate', '--nope');
    expect(badOption.code).toBe(1);
    expect(badOption.stderr).toMatch(/^slipway migrate: Unknown option '--nope'/);
  });
});

describe('slipway check on admin registrations', () => {
  it('names a registration that refers to a column that does not exist', async () => {
    const adminFile = join(project, 'src/apps/polls/admin.ts');
    const original = readFileSync(adminFile, 'utf8');
    writeFileSync(adminFile, original.replace("'questionText',", "'questionTxt',"));
    try {
      const result = await slipway('check');
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        /admin: .*"questionTxt", which is not a column of polls_question \(admin\.E\d+\)/,
      );
    } finally {
      writeFileSync(adminFile, original);
    }
  });
});
