import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { withDatabase } from '../../testing/query-database.js';
import { runCommand } from '../../testing/run-command.js';
import { createTestDatabase, engineName, type TestDatabase } from '../../testing/test-database.js';

// `slipway showmigrations` in this process, on a database of its own, from its scratch folder
// (so no .env of the checkout is read).
const files = projectMigrations(installedApps);
let testDb: TestDatabase;
const slipway = (...args: string[]) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
/** The output without the application times, which differ on every run. */
const shown = async (...args: string[]) => {
  const result = await slipway('showmigrations', ...args);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout.replace(/ {2}\(applied \d{4}-[\d-]+T[\d:.]+Z\)/g, '  (applied)');
};

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.drop());

describe(`slipway showmigrations (${engineName})`, () => {
  it('lists each app under its label, the core first then the installed order, all pending on a new database', async () => {
    const apps = ['core', ...installedApps.map((a) => a.name)];
    const expected = apps.flatMap((app) => [
      app,
      ...files.filter((f) => f.app === app).map((f) => ` [ ] ${f.localName}`),
    ]);
    expect(await shown()).toBe(`${expected.join('\n')}\n`);
    expect(await shown()).toMatch(
      /^polls\n \[ \] 0001_initial\n \[ \] 0002_question_pub_date_index\ncontacts\n/m,
    );
  });

  it('marks what is applied, with when, after migrate <app> <migration>', async () => {
    expect((await slipway('migrate', 'contacts', '0002')).code).toBe(0);
    expect(await shown('contacts', 'core')).toBe(
      'contacts\n' +
        ' [X] 0001_initial  (applied)\n [X] 0002_primary_objects  (applied)\n' +
        ' [ ] 0003_attachment_files\n [ ] 0004_primary_messages\n' +
        'core\n [X] 0001_touch_updated_at  (applied)\n [ ] 0002_deleted_media\n',
    );
    expect((await slipway('showmigrations', 'polls')).stdout).toMatch(
      /^polls\n \[ \] 0001_initial\n \[ \] 0002_question_pub_date_index\n$/,
    );
  });

  it('--plan lists every migration in the order migrate applies them, app-qualified', async () => {
    const plan = await shown('--plan');
    expect(plan.split('\n').filter(Boolean)).toEqual(
      files.map((f) =>
        ['core/0001_touch_updated_at', 'contacts/0001_initial', 'contacts/0002_primary_objects'].includes(
          f.name,
        )
          ? `[X] ${f.name}  (applied)`
          : `[ ] ${f.name}`,
      ),
    );
    expect((await slipway('migrate', '--plan')).stdout).toBe(
      plan
        .split('\n')
        .filter((l) => l.startsWith('[ ] '))
        .map((l) => `Would apply ${l.slice(4)}\n`)
        .join(''),
    );
  });

  it('--plan with an app lists its migrations and what they depend on, in other apps too', async () => {
    expect(await shown('--plan', 'contacts')).toBe(
      '[X] core/0001_touch_updated_at  (applied)\n[ ] core/0002_deleted_media\n' +
        '[X] contacts/0001_initial  (applied)\n[X] contacts/0002_primary_objects  (applied)\n' +
        '[ ] contacts/0003_attachment_files\n[ ] contacts/0004_primary_messages\n',
    );
    expect(await shown('-p', 'polls')).toBe(
      '[ ] polls/0001_initial\n[ ] polls/0002_question_pub_date_index\n',
    );
  });

  it('flags an applied migration whose file is missing, under its app, an app no longer installed, and an edited one', async () => {
    await withDatabase(testDb, (db) =>
      db.exec(
        "INSERT INTO slipway_migrations (name, checksum) VALUES ('polls/0009_gone', 'x'), ('oldapp/0001_initial', 'y');" +
          "UPDATE slipway_migrations SET checksum = 'edited' WHERE name = 'contacts/0001_initial'",
      ),
    );
    const out = await shown();
    expect(out).toContain('\ncontacts\n [X] 0001_initial  (EDITED after it was applied)\n');
    expect(out).toContain(
      'polls\n [ ] 0001_initial\n [ ] 0002_question_pub_date_index\n [X] 0009_gone  (applied, but its file is missing)\n',
    );
    expect(out).toMatch(/\noldapp\n \[X\] 0001_initial {2}\(applied, but its file is missing\)\n$/);
    expect(await shown('--plan', 'polls')).toBe(
      '[ ] polls/0001_initial\n[ ] polls/0002_question_pub_date_index\n' +
        '[X] polls/0009_gone  (applied, but its file is missing)\n',
    );
    await withDatabase(testDb, (db) =>
      db.exec("DELETE FROM slipway_migrations WHERE name IN ('polls/0009_gone', 'oldapp/0001_initial')"),
    );
  });

  it('refuses an unknown app in one line on stderr, and exits 1', async () => {
    const result = await slipway('showmigrations', 'polls', 'nosuchapp');
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'slipway showmigrations: no installed app "nosuchapp": one of core, auth, admin, api, polls, contacts\n',
    });
  });
});
