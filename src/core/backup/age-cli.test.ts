import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { runCommand } from '../testing/run-command.js';
import { createTestDatabase, engine, engineName, type TestDatabase } from '../testing/test-database.js';
import { needs } from '../testing/tools.js';
import { listArchives } from './archive-names.js';
import { pgProgram } from './pg-tools.js';
import { readArchive } from './read-archive.js';
import { ageCli, ageKeyPair } from './testing.js';

describe(`archives read by the age command line (${engineName})`, needs(ageCli), () => {
  let testDb: TestDatabase;
  afterAll(() => testDb?.drop());

  it('age -d -i key.txt archive | tar -t lists the dump, the media and the manifest', async () => {
    testDb = await createTestDatabase({ migrated: true });
    const key = await ageKeyPair(testDb.tmp);
    mkdirSync(join(testDb.tmp, 'media', 'attachments'), { recursive: true });
    writeFileSync(join(testDb.tmp, 'media', 'attachments', 'a.txt'), 'attached');
    const env = { DATABASE_URL: testDb.url, DATA_DIR: testDb.tmp, BACKUP_AGE_RECIPIENTS: key.recipient };
    expect(await runCommand(['backup', 'create'], env, { cwd: testDb.tmp })).toMatchObject({ code: 0 });
    const [archive] = listArchives(join(testDb.tmp, 'backups'));

    const plain = execFileSync(ageCli.path(), ['-d', '-i', key.identityFile, archive!.path]);
    const listing = execFileSync('tar', ['-t'], { input: plain, encoding: 'utf8' });
    // A server's database is pg_dump's custom format (pg_restore reads it), PGlite's a gzipped script.
    const member = engine === 'postgres' ? 'database.dump' : 'database.sql.gz';
    expect(listing.split('\n').filter(Boolean)).toEqual([member, 'media/attachments/a.txt', 'manifest.json']);
    const toSql = engine === 'postgres' ? `${pgProgram('pg_restore', 0)} -f -` : 'gunzip';
    const dump = execFileSync('sh', ['-c', `tar -xO ${member} | ${toSql}`], {
      input: plain,
      encoding: 'utf8',
    });
    expect(dump).toContain('PostgreSQL database dump complete');
    expect(dump).toContain('CREATE TABLE public.polls_question');
  });

  it('writes a passphrase archive that reads back with the passphrase only', async () => {
    // age reads passphrases only from a terminal, so the command-line test above uses a
    // recipient. scrypt (work factor 18, as age's) costs seconds, so only the members are checked.
    const dir = mkdtempSync(join(tmpdir(), 'slipway-pass-'));
    try {
      writeFileSync(join(dir, 'pass.txt'), 'correct horse battery staple\n');
      const env = {
        DATABASE_URL: testDb.url,
        DATA_DIR: testDb.tmp,
        BACKUP_DIR: dir,
        BACKUP_PASSPHRASE_FILE: join(dir, 'pass.txt'),
      };
      expect(await runCommand(['backup', 'create'], env, { cwd: testDb.tmp })).toMatchObject({ code: 0 });
      const config = loadConfig({ env, cwd: testDb.tmp, requireSecretKey: false });
      const [archive] = listArchives(dir);
      const manifest = await readArchive(archive!, config.backup, async () => undefined);
      expect(manifest.members.map((m) => m.name)).toEqual([
        engine === 'postgres' ? 'database.dump' : 'database.sql.gz',
        'media/attachments/a.txt',
      ]);
      expect(JSON.parse(readFileSync(`${archive!.path}.json`, 'utf8'))).toMatchObject({
        encryption: 'passphrase',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
