import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDatabase } from '../testing/query-database.js';
import { runCommand } from '../testing/run-command.js';
import { createTestDatabase, engineName, type TestDatabase } from '../testing/test-database.js';
import { needs } from '../testing/tools.js';
import { listArchives } from './archive-names.js';
import {
  ageKeyPair,
  dataSnapshot,
  mediaHashes,
  mountTmpfs,
  tmpfsMount,
  USING,
  writeMedia,
} from './testing.js';

// A real full disk: a 1 MiB tmpfs, where the archive (create) or the staged media (restore)
// cannot fit. Incompressible media make sure of it.
describe(`backup on a full disk (${engineName})`, needs(tmpfsMount), () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  const unmounts: (() => void)[] = [];
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runCommand(['backup', ...args], { ...env, ...extra }, { cwd: testDb.tmp });

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
    const key = await ageKeyPair(testDb.tmp);
    env = {
      DATABASE_URL: testDb.url,
      DATA_DIR: testDb.tmp,
      BACKUP_AGE_RECIPIENTS: key.recipient,
      BACKUP_AGE_IDENTITY_FILE: key.identityFile,
    };
  });
  afterAll(async () => {
    for (const unmount of unmounts.reverse()) unmount();
    await testDb?.drop();
  });

  it('create: exit 1 with one line, and nothing in BACKUP_DIR that looks like an archive', async () => {
    const full = join(testDb.tmp, 'full-backups');
    unmounts.push(mountTmpfs(full, '1m'));
    const media = join(testDb.tmp, 'media-large');
    writeMedia(media, 2, 700_000);

    const r = await run(['create'], { BACKUP_DIR: full, MEDIA_ROOT: media });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^slipway backup: .*no space left on device.*no archive was written/);
    expect(listArchives(full)).toEqual([]);
    expect(readdirSync(full)).toEqual([]); // the .tmp and the dump's spool file are gone too
  });

  it('restore: the staged media do not fit; exit 1, and the live data and media are as they were', async () => {
    const disk = join(testDb.tmp, 'media-disk');
    unmounts.push(mountTmpfs(disk, '1m'));
    const media = join(disk, 'media');
    writeMedia(media, 1, 600_000); // fits once, not twice
    const withMedia = { MEDIA_ROOT: media };
    expect(await run(['create'], withMedia)).toMatchObject({ code: 0 });

    await queryDatabase(
      testDb,
      "INSERT INTO polls_question (question_text, pub_date) VALUES ('After the backup?', now())",
    );
    writeFileSync(join(media, 'attachments', 'live-only.txt'), 'written after the backup');
    const before = { data: await dataSnapshot(testDb), media: mediaHashes(media) };

    const r = await run(['restore', 'latest', '--no-input'], withMedia);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2); // "Using …", then the reason
    expect(`${lines[0]}\n`).toMatch(USING);
    expect(lines[1]).toMatch(/^slipway backup: .*no space left on device.*nothing was changed/);

    expect({ data: await dataSnapshot(testDb), media: mediaHashes(media) }).toEqual(before);
    expect(existsSync(`${media}.restore-staging`)).toBe(false);
  });
});
