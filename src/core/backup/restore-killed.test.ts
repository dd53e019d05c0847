import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase } from '../testing/query-database.js';
import { runCommand } from '../testing/run-command.js';
import { spawnSlipway } from '../testing/run-slipway.js';
import { createTestDatabase, engineName, type TestDatabase } from '../testing/test-database.js';
import { ageKeyPair, dataSnapshot, mediaHashes, USING, writeMedia } from './testing.js';

// The process boundary is the point here: the restore runs as `slipway` and is SIGKILLed.
describe(`backup restore killed before its swap (${engineName})`, () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  let media: string;
  let atBackup: { data: string; media: Record<string, string> };
  const live = async () => ({ data: await dataSnapshot(testDb), media: mediaHashes(media) });

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
    const key = await ageKeyPair(testDb.tmp);
    env = {
      DATABASE_URL: testDb.url,
      DATA_DIR: testDb.tmp,
      BACKUP_AGE_RECIPIENTS: key.recipient,
      BACKUP_AGE_IDENTITY_FILE: key.identityFile,
    };
    media = join(testDb.tmp, 'media');
    // Enough media that extracting it takes a while, after the database is staged.
    writeMedia(media, 8, 1_500_000);
    expect(await runCommand(['backup', 'create'], env, { cwd: testDb.tmp })).toMatchObject({ code: 0 });
    atBackup = await live();
  });
  afterAll(() => testDb?.drop());

  it('leaves the live data untouched, and a second restore then succeeds', async () => {
    await queryDatabase(
      testDb,
      "INSERT INTO polls_question (question_text, pub_date) VALUES ('After the backup?', now())",
    );
    writeFileSync(join(media, 'attachments', 'live-only.txt'), 'written after the backup');
    const before = await live();
    expect(before).not.toEqual(atBackup);

    const restore = spawnSlipway(['backup', 'restore', 'latest', '--no-input'], env, testDb.tmp);
    const staging = `${media}.restore-staging`;
    const deadline = Date.now() + 40_000;
    // Kill it once it is writing the staged media: the database is staged by then.
    while (
      !(existsSync(join(staging, 'attachments')) && readdirSync(join(staging, 'attachments')).length >= 2)
    ) {
      if (Date.now() > deadline) throw new Error(`the restore never reached its media: ${restore.output()}`);
      if (restore.child.exitCode !== null) throw new Error(`the restore ended first: ${restore.output()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    restore.child.kill('SIGKILL');
    expect(await restore.exited()).toBe(null);

    expect(await live()).toEqual(before);

    const again = await runCommand(['backup', 'restore', 'latest', '--no-input'], env, { cwd: testDb.tmp });
    expect(again.stderr).toMatch(USING);
    expect(again.code).toBe(0);
    expect(await live()).toEqual(atBackup);
    expect(existsSync(staging)).toBe(false);
  }, 60_000); // two restores and a process: about 15 s on a quiet machine; room for a busy one
});
