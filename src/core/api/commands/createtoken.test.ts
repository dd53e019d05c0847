import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../auth/users.js';
import { queryDatabase, withDatabase } from '../../testing/query-database.js';
import { runCommand } from '../../testing/run-command.js';
import { afterUsingLine, type CliResult } from '../../testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import { authenticateKey, hashKey } from '../tokens.js';

// `slipway createtoken` run in-process (runCommand), on a migrated database the test opens only
// between runs.
let testDb: TestDatabase;
let slipway: (...args: string[]) => Promise<CliResult>;

beforeAll(async () => {
  testDb = await createTestDatabase({ migrated: true });
  slipway = (...args) => runCommand(args, { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
  await withDatabase(testDb, async (database) => {
    await createUser(database.db, { username: 'kim', password: 'violet-tractor-91' });
  });
});
afterAll(() => testDb.drop());

describe('slipway createtoken', () => {
  it('prints a key once, stores only its hash, and the key authenticates', async () => {
    const result = await slipway('createtoken', 'kim', '--name', 'CI deploys');
    expect(result.code, result.stderr).toBe(0);
    const key = result.stdout.trim();
    expect(key).toMatch(/^slw_[\w-]{43}$/);
    expect(result.stderr).toContain('Store the key now: it cannot be shown again.');
    expect(result.stderr).not.toContain(key);

    const rows = await queryDatabase(testDb, 'SELECT name, key_hash, prefix FROM api_token');
    expect(rows).toEqual([{ name: 'CI deploys', key_hash: hashKey(key), prefix: key.slice(0, 12) }]);
    expect(JSON.stringify(rows)).not.toContain(key);
    const found = await withDatabase(testDb, (database) => authenticateKey(database.db, key));
    expect(found?.user.username).toBe('kim');

    const again = await slipway('createtoken', 'kim');
    expect(again.stdout.trim()).not.toBe(key);
  });

  it('fails with one line for an unknown user or missing username', async () => {
    const unknown = await slipway('createtoken', 'nobody');
    expect(unknown.code).toBe(1);
    expect(afterUsingLine(unknown.stderr, testDb).trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('there is no user "nobody"');
    expect((await slipway('createtoken')).code).toBe(1);
  });
});
