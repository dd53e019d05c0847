import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installedApps } from '../../src/apps/installed.js';
import { projectMigrations } from '../../src/core/apps/project-migrations.js';
import { createRegistry } from '../../src/core/apps/registry.js';
import { fixtureModels } from '../../src/core/fixtures/models.js';
import { fillDatabase } from '../../src/core/fixtures/testing.js';
import { TEST_SECRET_KEY } from '../../src/core/testing/build-test-app.js';
import { freePort } from '../../src/core/testing/free-port.js';
import { queryDatabase, withDatabase } from '../../src/core/testing/query-database.js';
import { runCommand } from '../../src/core/testing/run-command.js';
import {
  type CliResult,
  runSlipway,
  type Spawned,
  spawnSlipway,
  usingLine,
} from '../../src/core/testing/run-slipway.js';
import { runInTerminal, terminal } from '../../src/core/testing/terminal.js';
import {
  createTestDatabase,
  describeOn,
  serverUrl,
  type TestDatabase,
} from '../../src/core/testing/test-database.js';
import { needs } from '../../src/core/testing/tools.js';

// flush, resetdb and seed as users run them, on a terminal where they ask before destroying data.
// On a migrated database (a copy of the template). The commands run in-process (runCommand),
// except where the process is the point: a terminal's prompts, stdin that is not a terminal.
const engine = serverUrl ? 'PostgreSQL' : 'PGlite';
const shipped = () => projectMigrations(installedApps).map((f) => f.name);
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrated: true });
  slipway = (...args) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
});
afterAll(() => testDb.drop());

const count = async (table: string) => (await counts(table))[table]!;
/** The row counts of `tables`, read with the database opened once. */
const counts = (...tables: string[]) =>
  withDatabase(testDb, async (database) => {
    const result: Record<string, number> = {};
    for (const table of tables)
      result[table] = (await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    return result;
  });
const permissions = () => count('auth_permission');
/** view/add/change/delete for every model of the installed apps. */
const allPermissions = 4 * fixtureModels(createRegistry(installedApps)).length;

async function refill(): Promise<void> {
  await withDatabase(testDb, async (database) => {
    await database.exec(
      'TRUNCATE auth_user, auth_group, polls_question, contacts_person, contacts_company RESTART IDENTITY CASCADE',
    );
    await fillDatabase(database, { fx: false });
  });
}

async function expectAllApplied(): Promise<void> {
  const show = await slipway('showmigrations', '--plan');
  expect(
    show.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('  ')[0]),
  ).toEqual(shipped().map((name) => `[X] ${name}`));
}

describe(`slipway flush (${engine})`, () => {
  beforeEach(refill);

  it('refuses without a terminal unless --no-input is given, changing nothing', async () => {
    // A process whose stdin is a pipe, as in a CI job: main.ts must not take it for a terminal.
    const result = await runSlipway(['flush'], { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'slipway flush: stdin is not a terminal, so it cannot ask for confirmation: pass --no-input to go ahead\n',
    );
    expect(await count('polls_question')).toBe(2);
  });

  it('with --no-input empties every table, keeps the migrations and re-creates the permissions', async () => {
    const before = await permissions();
    const result = await slipway('flush', '--no-input');
    expect(result.stdout).toMatch(/^Flushed \d+ table\(s\)\.\n$/);
    expect(
      await counts('auth_user', 'auth_session', 'polls_question', 'contacts_attachment', 'admin_log_entry'),
    ).toEqual({
      auth_user: 0,
      auth_session: 0,
      polls_question: 0,
      contacts_attachment: 0,
      admin_log_entry: 0,
    });
    expect(await permissions()).toBe(before);
    expect(before).toBe(allPermissions);
    await expectAllApplied();
    const [row] = await queryDatabase<{ id: number }>(
      testDb,
      "INSERT INTO polls_question (question_text, pub_date) VALUES ('q', now()) RETURNING id",
    );
    expect(row!.id).toBe(1); // RESTART IDENTITY
  });
});

describe(`slipway flush and resetdb on a terminal (${engine})`, needs(terminal), () => {
  beforeEach(refill);

  for (const command of ['flush', 'resetdb']) {
    it(`${command}: answering anything but "yes" exits 1 and changes nothing`, async () => {
      const term = runInTerminal([command], { DATABASE_URL: testDb.url }, testDb.tmp);
      await term.waitFor('IRREVERSIBLY DESTROY');
      await term.waitFor("Type 'yes' to continue, or 'no' to cancel: ");
      term.typeLine('y');
      await term.waitFor(`slipway ${command}: cancelled; nothing was changed`);
      expect(await term.exited()).toBe(1);
      expect(await count('polls_question')).toBe(2);
    });
  }

  it('flush: answering "yes" empties the tables', async () => {
    const term = runInTerminal(['flush'], { DATABASE_URL: testDb.url }, testDb.tmp);
    await term.waitFor("Type 'yes' to continue, or 'no' to cancel: ");
    term.typeLine('yes');
    await term.waitFor('Flushed ');
    expect(await term.exited()).toBe(0);
    expect(await count('polls_question')).toBe(0);
  });
});

describe(`slipway resetdb (${engine})`, () => {
  beforeEach(refill);

  it('refuses without a terminal unless --no-input is given', async () => {
    const result = await slipway('resetdb');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^slipway resetdb: stdin is not a terminal/);
    expect(await count('polls_question')).toBe(2);
  });

  it('leaves a migrated, empty database with its permissions, and the schema privileges as they were', async () => {
    const acl = () =>
      queryDatabase<{ owner: string; acl: string | null }>(
        testDb,
        "SELECT pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_namespace WHERE nspname = 'public'",
      );
    const privileges = await acl();
    await withDatabase(testDb, (database) => database.exec('CREATE TABLE stray (id int)'));
    const result = await slipway('resetdb', '--no-input');
    expect(result.stderr).toBe(usingLine(testDb));
    expect(result.stdout).toBe(
      `${shipped()
        .map((name) => `Applying ${name}\n`)
        .join('')}Database reset: applied ${shipped().length} migration(s). Restart any running server.\n`,
    );
    await expectAllApplied();
    expect(await counts('auth_user', 'contacts_person', 'auth_permission')).toEqual({
      auth_user: 0,
      contacts_person: 0,
      auth_permission: allPermissions,
    });
    expect(await queryDatabase(testDb, "SELECT to_regclass('stray') AS t")).toEqual([{ t: null }]);
    expect(await acl()).toEqual(privileges);
    expect((await slipway('check')).code).toBe(0);
  });
});

describe(`slipway seed (${engine})`, () => {
  it('without --demo prints its usage and exits 1', async () => {
    const result = await slipway('seed');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('slipway seed: say which data to create. Usage: slipway seed --demo\n');
  });

  it('--demo creates the demo data once: running it again adds nothing', async () => {
    await withDatabase(testDb, (database) =>
      database.exec('TRUNCATE polls_question, contacts_person, contacts_company RESTART IDENTITY CASCADE'),
    );
    const first = await slipway('seed', '--demo');
    expect(first.stderr).toBe(usingLine(testDb));
    expect(first.stdout).toMatch(/^Demo data ready: .*polls.*\.\n$/);
    const questions = await count('polls_question');
    expect(questions).toBeGreaterThan(0);
    expect((await slipway('seed', '--demo')).code).toBe(0);
    expect(await count('polls_question')).toBe(questions);
  });
});

describeOn('pglite', 'resetdb, flush and loaddata while `slipway serve` holds the embedded database', () => {
  let server: Spawned;
  let env: Record<string, string>;

  beforeAll(async () => {
    env = {
      DATABASE_URL: testDb.url,
      SECRET_KEY: TEST_SECRET_KEY,
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    server = spawnSlipway(['serve'], env, testDb.tmp);
    await server.waitFor(/listening on/);
  });
  afterAll(async () => {
    server.child.kill('SIGKILL');
    await server.exited();
  });

  it('work through the server, which keeps answering', async () => {
    // The commands run in-process: the server is another process, holding the lock.
    const run = (...args: string[]) => runCommand(args, { ...env, LOG_LEVEL: 'warn' }, { cwd: testDb.tmp });
    const reset = await run('resetdb', '--no-input');
    expect(reset.stderr).toBe(usingLine(testDb));
    expect(reset.stdout).toContain('Restart any running server.');
    const seeded = await run('seed', '--demo');
    expect(seeded.code).toBe(0);
    const dump = await run('dumpdata', 'polls', '-o', 'polls.json');
    expect(dump.code).toBe(0);
    expect((await run('flush', '--no-input')).code).toBe(0);
    const loaded = await run('loaddata', 'polls.json');
    expect(loaded.stderr).toBe(usingLine(testDb));
    expect(loaded.stdout).toMatch(/^Installed \d+ object\(s\) from 1 fixture\(s\)\n$/);
    const livez = await fetch(`http://127.0.0.1:${env['PORT']}/livez`);
    expect(livez.status).toBe(200);
  });
});
