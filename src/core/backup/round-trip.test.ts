import { copyFileSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { projectMigrations } from '../apps/project-migrations.js';
import { runCommand } from '../testing/run-command.js';
import { createTestDatabase, engineName, type TestDatabase } from '../testing/test-database.js';
import { listArchives } from './archive-names.js';
import { ageKeyPair, dataSnapshot, mediaHashes, USING, writeMedia } from './testing.js';

describe(`backup create and restore (${engineName})`, () => {
  let testDb: TestDatabase;
  let env: Record<string, string>;
  let media: string;
  let atBackup: { data: string; media: Record<string, string> };
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runCommand(['backup', ...args], { ...env, ...extra }, { cwd: testDb.tmp });
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
    expect(await runCommand(['seed', '--demo'], env, { cwd: testDb.tmp })).toMatchObject({ code: 0 });
    writeMedia(media, 3, 200_000);
    writeFileSync(join(media, 'attachments', 'notes.txt'), 'plain text\n');
    writeFileSync(join(media, 'attachments', 'empty.txt'), ''); // an empty upload is a file too
  });
  afterAll(() => testDb?.drop());

  it('refuses to write an unencrypted archive unless --no-encrypt is given', async () => {
    const r = await run(['create'], { BACKUP_AGE_RECIPIENTS: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to write an unencrypted backup');
    expect(listArchives(join(testDb.tmp, 'backups'))).toEqual([]);
  });

  it('restores the data and every media file as they were at backup time', async () => {
    const made = await run(['create', '--label', 'before']);
    expect(made.stderr).toBe('');
    expect(made).toMatchObject({ code: 0 });
    expect(made.stdout).toMatch(/^Created slipway-\d{8}T\d{6}Z-before\.tar\.age/);
    atBackup = await live();
    expect(Object.keys(atBackup.media)).toHaveLength(5);

    // Change and delete data and files.
    expect(await runCommand(['flush', '--no-input'], env, { cwd: testDb.tmp })).toMatchObject({ code: 0 });
    rmSync(join(media, 'attachments', 'file-0.bin'));
    writeFileSync(join(media, 'attachments', 'file-1.bin'), 'changed');
    writeFileSync(join(media, 'attachments', 'new.txt'), 'added after the backup');
    expect(await live()).not.toEqual(atBackup);

    const restored = await run(['restore', 'latest', '--no-input']);
    expect(restored.stderr).toMatch(USING);
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.stdout).toContain('Restored slipway-');
    const after = await live();
    expect(after.media).toEqual(atBackup.media);
    expect(after.data).toEqual(atBackup.data);
  });

  it('lists the archive with its summary, and verify marks it verified', async () => {
    const verified = await run(['verify', 'latest']);
    expect(verified.stderr).toBe('');
    expect(verified.stdout).toContain('is good: 6 member(s) match their SHA-256');
    expect(verified.stdout).toContain(`, the last applied ${projectMigrations(installedApps).at(-1)?.name}.`);
    const listed = await run(['list', '--json']);
    const [first] = JSON.parse(listed.stdout) as { name: string; summary: Record<string, unknown> }[];
    expect(first?.summary).toMatchObject({
      files: 5,
      encryption: 'recipients',
      // The one applied last (the database was migrated once): not the last by name, a polls one.
      migrationsHead: projectMigrations(installedApps).at(-1)?.name,
    });
    expect(first?.summary['verifiedAt']).toEqual(expect.any(String));
    const table = await run(['list']);
    expect(table.stdout).toMatch(/NAME +CREATED +SIZE +DATABASE +FILES +MIGRATIONS +VERIFIED/);
  });

  describe('refuses a damaged archive or a wrong key in one line, and changes nothing', () => {
    let archive: string;
    let before: Awaited<ReturnType<typeof live>>;
    beforeAll(async () => {
      archive = listArchives(join(testDb.tmp, 'backups'))[0]!.path;
      // Live data that differs from the archive, so that a restore would show.
      writeFileSync(join(media, 'attachments', 'live-only.txt'), 'live');
      before = await live();
    });
    const refused = async (args: string[], extra: Record<string, string>, message: RegExp) => {
      const r = await run(args, extra);
      expect(r.code).toBe(1);
      // One line of error, after the line naming the database that restore prints first.
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => !l.startsWith('Using ')),
        r.stderr,
      ).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(await live()).toEqual(before);
    };

    it('a flipped byte', async () => {
      const copy = join(testDb.tmp, 'flipped.tar.age');
      const bytes = readFileSync(archive);
      bytes[Math.floor(bytes.length * 0.6)]! ^= 0x01;
      writeFileSync(copy, bytes);
      await refused(
        ['restore', copy, '--no-input'],
        {},
        /flipped\.tar\.age is damaged or incomplete: it fails age authentication/,
      );
    });

    it('a truncated archive', async () => {
      const copy = join(testDb.tmp, 'truncated.tar.age');
      copyFileSync(archive, copy);
      truncateSync(copy, Math.floor(readFileSync(copy).length * 0.8));
      await refused(['restore', copy, '--no-input'], {}, /truncated\.tar\.age is damaged or incomplete/);
    });

    it('a wrong key', async () => {
      const other = await ageKeyPair(testDb.tmp, 'other');
      await refused(
        ['restore', 'latest', '--no-input'],
        { BACKUP_AGE_IDENTITY_FILE: other.identityFile },
        /cannot decrypt slipway-.*: no configured identity or passphrase matches it/,
      );
    });

    it('a missing identity', async () => {
      await refused(
        ['restore', 'latest', '--no-input'],
        { BACKUP_AGE_IDENTITY_FILE: '' },
        /is encrypted: set BACKUP_AGE_IDENTITY_FILE/,
      );
    });

    it('a changed member of an unencrypted archive', async () => {
      rmSync(join(media, 'attachments', 'live-only.txt'));
      const made = await run(['create', '--no-encrypt', '--label', 'clear']);
      expect(made.code).toBe(0);
      writeFileSync(join(media, 'attachments', 'live-only.txt'), 'live');
      const clear = listArchives(join(testDb.tmp, 'backups')).find((a) => a.label === 'clear')!.path;
      const bytes = readFileSync(clear);
      const at = bytes.indexOf(Buffer.from('plain text'));
      bytes[at] = 'P'.charCodeAt(0);
      const copy = join(testDb.tmp, 'changed.tar');
      writeFileSync(copy, bytes);
      await refused(
        ['restore', copy, '--no-input'],
        {},
        /changed\.tar is damaged or incomplete: media\/attachments\/notes\.txt does not match its size and SHA-256/,
      );
    });
  });
});
