import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { runCommand } from '../../testing/run-command.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';

// `slipway migrate` run in this process, on the project's migrations, from the test database's
// scratch folder with only PATH, HOME and the variables below: a .env in the checkout, or the
// developer's environment, cannot change what it does.
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
const names = projectMigrations(installedApps).map((f) => f.name);
const last = names.at(-1)!;
/** The contacts migrations are the last ones applied: 0001_initial … 0004_primary_messages. */
const upTo = (name: string) => names.slice(0, names.indexOf(name) + 1);
let testDb: TestDatabase;

/** Log lines (fd 1 and 2) are captured with the command's output, so LOG_LEVEL=info shows any. */
const slipway = (...argv: string[]) =>
  runCommand(argv, { DATABASE_URL: testDb.url, LOG_LEVEL: 'info' }, { cwd: testDb.tmp });
const applied = async () =>
  (await slipway('showmigrations', '--plan')).stdout
    .split('\n')
    .filter((line) => line.startsWith('[X]'))
    .map((line) => line.slice(4).split(' ')[0]);

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.drop());

describe(`slipway migrate, forward and back (${engine})`, () => {
  it('applies every migration, one plain line each, and no log line besides', async () => {
    const result = await slipway('migrate');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${names.map((n) => `Applying ${n}\n`).join('')}Applied ${names.length} migration(s).\n`,
    );
    // The one line of every command that writes, and no log line (LOG_LEVEL=info would show one).
    expect(result.stderr).toMatch(/^Using [^\n]+\n$/);
  });

  it('--plan with a target lists what would be reverted, newest first, and changes nothing', async () => {
    expect(last).toBe('contacts/0004_primary_messages');
    const result = await slipway('migrate', '--to', 'contacts/0002', '--plan');
    expect(result).toMatchObject({
      code: 0,
      stdout: `Would revert ${last}\nWould revert contacts/0003_attachment_files\n`,
    });
    expect(await applied()).toEqual(names);
  });

  it('--to reverts to the target and says where the database is', async () => {
    const result = await slipway('migrate', '--to', 'contacts/0002_primary_objects');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `Reverting ${last}\nReverting contacts/0003_attachment_files\n` +
        'Done: reverted 2 migration(s); the database is at contacts/0002_primary_objects.\n',
    );
    expect(await applied()).toEqual(upTo('contacts/0002_primary_objects'));
  });

  it("takes Django's form, `migrate <app> <migration>`, forward too", async () => {
    const result = await slipway('migrate', 'contacts', '0003');
    expect(result.stdout).toBe(
      'Applying contacts/0003_attachment_files\nDone: applied 1 migration(s); the database is at contacts/0003_attachment_files.\n',
    );
    expect((await slipway('migrate', 'contacts', '0003_attachment_files')).stdout).toBe(
      'Nothing to do; the database is at contacts/0003_attachment_files.\n',
    );
  });

  it('reverts what depends on an app going to zero, in other apps too', async () => {
    // contacts/0002 and 0003 use the core's function and table, so they go first.
    expect((await slipway('migrate', 'core', 'zero', '--plan')).stdout).toBe(
      'Would revert contacts/0003_attachment_files\nWould revert contacts/0002_primary_objects\n' +
        'Would revert core/0002_deleted_media\nWould revert core/0001_touch_updated_at\n',
    );
    expect((await slipway('migrate', 'polls')).stdout).toBe(
      'Nothing to do; the database is at polls/0002_question_pub_date_index.\n',
    );
  });

  it('refuses an unknown app or migration in one line', async () => {
    expect(await slipway('migrate', 'nosuchapp', '0001')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^slipway migrate: no installed app "nosuchapp": one of core, auth, admin/,
      ),
    });
    expect(await slipway('migrate', '--to', '0099')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('slipway migrate: no migration "0099"; name a migration'),
    });
    expect(await slipway('migrate', '--to', '0001')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('"0001" matches '),
    });
    expect(await applied()).toEqual(upTo('contacts/0003_attachment_files'));
  });

  it('zero reverts everything; migrate brings it all back', async () => {
    const now = upTo('contacts/0003_attachment_files');
    expect((await slipway('migrate', 'zero', '--plan')).stdout).toBe(
      [...now]
        .reverse()
        .map((n) => `Would revert ${n}\n`)
        .join(''),
    );
    const back = await slipway('migrate', 'zero');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(
      new RegExp(
        `Done: reverted ${now.length} migration\\(s\\); the database is at zero \\(no migration applied\\)\\.\\n$`,
      ),
    );
    expect(await applied()).toEqual([]);
    expect((await slipway('migrate')).stdout).toMatch(
      new RegExp(`Applied ${names.length} migration\\(s\\)\\.\\n$`),
    );
    expect((await slipway('check')).stdout).toContain('System check identified no issues.');
  });
});
