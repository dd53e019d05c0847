import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { projectMigrations } from '../apps/project-migrations.js';
import { withDatabase } from '../testing/query-database.js';
import { runCommand } from '../testing/run-command.js';
import { createTestDatabase, engine, engineName, type TestDatabase } from '../testing/test-database.js';
import { readDatabaseInfo } from './database-info.js';
import { lastAppliedMigration } from './manifest.js';

// What a backup's summary says about the migrations: the one applied last, not the last by name.
let testDb: TestDatabase;
const info = () => withDatabase(testDb, (database) => readDatabaseInfo(database, engine));
const slipway = (...args: string[]) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });

beforeAll(async () => {
  testDb = await createTestDatabase({ migrated: true });
});
afterAll(() => testDb.drop());

describe(`the migration a backup summary names (${engineName})`, () => {
  it('is the one applied last, whatever its app’s name', async () => {
    const runOrder = projectMigrations(installedApps).map((f) => f.name);
    const first = await info();
    expect(first.lastMigration).toBe(runOrder.at(-1)); // contacts/0004_primary_messages
    expect(first.migrations.at(-1)?.name).not.toBe(runOrder.at(-1)); // polls/… sorts after contacts/…
    expect(lastAppliedMigration(first)).toBe(runOrder.at(-1));
  });

  it('follows what was applied since: an app taken back and forward again', async () => {
    expect((await slipway('migrate', 'polls', '0001')).code).toBe(0);
    expect((await info()).lastMigration).toBe('contacts/0004_primary_messages');
    expect((await slipway('migrate')).code).toBe(0);
    expect(lastAppliedMigration(await info())).toBe('polls/0002_question_pub_date_index');
  });

  it('is null with nothing applied, and the last by name for an archive made before it was recorded', async () => {
    expect(lastAppliedMigration({ migrations: [], lastMigration: null })).toBeNull();
    const older = {
      migrations: [
        { name: 'a/0001_x', checksum: '' },
        { name: 'b/0001_y', checksum: '' },
      ],
    };
    expect(lastAppliedMigration(older)).toBe('b/0001_y');
  });
});
