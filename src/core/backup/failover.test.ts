import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PgCluster, postgresServer, startPgCluster } from '../testing/pg-cluster.js';
import { runCommand } from '../testing/run-command.js';
import { needs } from '../testing/tools.js';
import { ageKeyPair } from './testing.js';

const PASSWORD = 'backup-failover-pw';

// After a failover the first host of SQL_HOST / DATABASE_URL is a standby (or gone): backups
// must go to the server that accepts writes, as the app does. Private clusters: a primary and
// its streaming standby, the standby listed first.
describe('backups with several hosts, the first a standby', needs(postgresServer), () => {
  let primary: PgCluster;
  let standby: PgCluster;
  let dir: string;
  let env: Record<string, string>;
  const run = (args: string[]) => runCommand(['backup', ...args], env, { cwd: dir });
  const marks = async (on: PgCluster) =>
    (
      await on.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM polls_question WHERE question_text = 'backed up'",
        [],
        'slipway',
      )
    )[0]!.n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-backup-failover-'));
    primary = await startPgCluster({ password: PASSWORD });
    const url = await primary.createDatabase('slipway');
    standby = await startPgCluster({ password: PASSWORD, standbyOf: primary });
    const key = await ageKeyPair(dir);
    env = {
      // The standby first, as SQL_HOST=db,db-replica reads once db-replica has been promoted
      // and db has come back as its standby.
      DATABASE_URL: url.replace(
        `127.0.0.1:${primary.port}`,
        `127.0.0.1:${standby.port},127.0.0.1:${primary.port}`,
      ),
      DATA_DIR: dir,
      BACKUP_AGE_RECIPIENTS: key.recipient,
      BACKUP_AGE_IDENTITY_FILE: key.identityFile,
    };
    // Migrated through both hosts, the standby first, as web's start does after a failover.
    const migrated = await runCommand(['migrate'], env, { cwd: dir });
    expect(migrated).toMatchObject({ code: 0 });
    await primary.query(
      "INSERT INTO polls_question (question_text, pub_date) VALUES ('backed up', now())",
      [],
      'slipway',
    );
  }, 120_000);

  afterAll(async () => {
    await standby?.destroy();
    await primary?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, verifies and restores on the writable server, not on the first host', async () => {
    const made = await run(['create', '--label', 'failover']);
    expect(made, made.stderr).toMatchObject({ code: 0 });
    expect(made.stdout).toMatch(/^Created slipway-\S+-failover\.tar\.age/);
    const verified = await run(['verify', 'latest']);
    expect(verified, verified.stderr).toMatchObject({ code: 0 });

    await primary.query("DELETE FROM polls_question WHERE question_text = 'backed up'", [], 'slipway');
    expect(await marks(primary)).toBe('0');
    const restored = await run(['restore', 'latest', '--no-input']);
    expect(restored, restored.stderr).toMatchObject({ code: 0 });
    expect(await marks(primary)).toBe('1');
  }, 120_000);

  it('says that no server accepts writes when none does, in one line', async () => {
    await primary.stop();
    try {
      const r = await run(['create', '--label', 'nowhere']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no server accepts writes');
      expect(r.stderr).toContain('read-only (a standby)');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      await primary.start();
    }
  }, 60_000);
});
