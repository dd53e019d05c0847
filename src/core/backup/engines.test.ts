import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { buildTestApp, TEST_SECRET_KEY, type TestApp } from '../testing/build-test-app.js';
import { freePort } from '../testing/free-port.js';
import { queryDatabase } from '../testing/query-database.js';
import { runCommand } from '../testing/run-command.js';
import { type Spawned, spawnSlipway } from '../testing/run-slipway.js';
import { createTestDatabase, describeOn, type TestDatabase } from '../testing/test-database.js';
import { ageKeyPair, dataSnapshot, mediaHashes, USING, writeMedia } from './testing.js';

describeOn('pglite', 'backups while slipway serve holds the embedded database', () => {
  let testDb: TestDatabase;
  let server: Spawned;
  let env: Record<string, string>;
  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
    env = { DATABASE_URL: testDb.url, DATA_DIR: testDb.tmp, BACKUP_PASSPHRASE: 'p' };
    server = spawnSlipway(
      ['serve'],
      {
        ...env,
        SECRET_KEY: TEST_SECRET_KEY,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        SLIPWAY_ALLOW_EMBEDDED: '1',
        LOG_LEVEL: 'info',
      },
      testDb.tmp,
    );
    await server.waitFor(/listening on/);
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited();
    await testDb?.drop();
  });

  it('create and restore refuse in one line, naming the server, and the server keeps running', async () => {
    for (const args of [['create'], ['restore', 'x.tar.age', '--no-input']]) {
      const r = await runCommand(['backup', ...args], env, { cwd: testDb.tmp });
      expect(r.code).toBe(1);
      if (args[0] === 'create')
        expect(r.stderr.trim()).toMatch(
          new RegExp(
            `^slipway backup: the embedded database in .* is in use by slipway serve \\(pid ${server.child.pid} .*stop it first`,
          ),
        );
      else expect(r.stderr.trim()).toMatch(/^slipway backup: no archive named "x.tar.age"/);
    }
    expect(server.child.exitCode).toBe(null);
  });
});

describeOn('postgres', 'backups between engines and beside running servers', () => {
  let source: TestDatabase;
  let env: Record<string, string>;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    source = await createTestDatabase({ migrated: true });
    drops.push(() => source.drop());
    const key = await ageKeyPair(source.tmp);
    env = {
      DATA_DIR: source.tmp,
      BACKUP_DIR: join(source.tmp, 'backups'),
      BACKUP_AGE_RECIPIENTS: key.recipient,
      BACKUP_AGE_IDENTITY_FILE: key.identityFile,
    };
    expect(
      await runCommand(['seed', '--demo'], { ...env, DATABASE_URL: source.url }, { cwd: source.tmp }),
    ).toMatchObject({
      code: 0,
    });
    writeMedia(join(source.tmp, 'media'), 2, 50_000);
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  const run = (args: string[], url: string, media: string) =>
    runCommand(['backup', ...args], { ...env, DATABASE_URL: url, MEDIA_ROOT: media }, { cwd: source.tmp });
  let expected: { data: string; media: Record<string, string> };
  let pgliteUrl: string;

  it('PostgreSQL → PGlite gives the same data and media', async () => {
    expected = { data: await dataSnapshot(source), media: mediaHashes(join(source.tmp, 'media')) };
    expect(await run(['create', '--label', 'pg'], source.url, join(source.tmp, 'media'))).toMatchObject({
      code: 0,
    });
    pgliteUrl = `pglite://${join(source.tmp, 'embedded')}`;
    const embedded = {
      config: loadConfig({ env: { DATABASE_URL: pgliteUrl }, cwd: source.tmp, requireSecretKey: false })
        .database,
    };
    const restored = await run(
      ['restore', 'latest', '--no-input'],
      pgliteUrl,
      join(source.tmp, 'media-embedded'),
    );
    expect(restored.stderr).toMatch(USING);
    expect(await dataSnapshot(embedded)).toEqual(expected.data);
    expect(mediaHashes(join(source.tmp, 'media-embedded'))).toEqual(expected.media);
  });

  it('PGlite → PostgreSQL gives the same data and media', async () => {
    expect(
      await run(['create', '--label', 'pglite'], pgliteUrl, join(source.tmp, 'media-embedded')),
    ).toMatchObject({
      code: 0,
    });
    const target = await createTestDatabase({ migrated: false });
    drops.push(() => target.drop());
    const restored = await run(['restore', 'latest', '--no-input'], target.url, join(target.tmp, 'media'));
    expect(restored.stderr).toMatch(USING);
    expect(await dataSnapshot(target)).toEqual(expected.data);
    expect(mediaHashes(join(target.tmp, 'media'))).toEqual(expected.media);
  });

  describe('a server running on the database during a restore', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
    });
    afterAll(() => t?.close());

    it('keeps serving, and serves the restored data after the swap', async () => {
      const tenv = {
        ...env,
        DATABASE_URL: t.testDb.url,
        DATA_DIR: t.testDb.tmp,
        BACKUP_DIR: join(t.testDb.tmp, 'b'),
      };
      await t.database.query(
        "INSERT INTO polls_question (question_text, pub_date) VALUES ('Backed up?', now() - interval '1 minute')",
      );
      expect(await runCommand(['backup', 'create'], tenv, { cwd: t.testDb.tmp })).toMatchObject({ code: 0 });
      await t.database.query('DELETE FROM polls_question');
      expect((await t.app.inject({ url: '/polls/' })).body).not.toContain('Backed up?');

      const r = await runCommand(['backup', 'restore', 'latest', '--no-input'], tenv, { cwd: t.testDb.tmp });
      expect(r.stderr).toMatch(USING);
      const page = await t.app.inject({ url: '/polls/' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Backed up?');
    });
  });

  it('takes one snapshot while 64 clients vote: both halves of every vote, or neither', async () => {
    const db = await createTestDatabase({ migrated: true });
    drops.push(() => db.drop());
    const [q] = await queryDatabase<{ id: number }>(
      db,
      "INSERT INTO polls_question (question_text, pub_date) VALUES ('Busy?', now()) RETURNING id",
    );
    const choices = await queryDatabase<{ id: number }>(
      db,
      "INSERT INTO polls_choice (question_id, choice_text) VALUES ($1, 'a'), ($1, 'b') RETURNING id",
      [q!.id],
    );
    const [a, b] = choices.map((c) => c.id);
    const pool = new pg.Pool({ connectionString: db.url, max: 64 });
    let stop = false;
    const voter = async () => {
      while (!stop) {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await c.query('UPDATE polls_choice SET votes = votes + 1 WHERE id = $1', [a]);
          await c.query('UPDATE polls_choice SET votes = votes + 1 WHERE id = $1', [b]);
          await c.query('COMMIT');
        } catch {
          await c.query('ROLLBACK').catch(() => undefined);
        } finally {
          c.release();
        }
      }
    };
    const voters = Array.from({ length: 64 }, voter);
    await new Promise((r) => setTimeout(r, 300));
    const benv = { ...env, DATABASE_URL: db.url, DATA_DIR: db.tmp, BACKUP_DIR: join(db.tmp, 'b') };
    const made = await runCommand(['backup', 'create'], benv, { cwd: db.tmp });
    stop = true;
    await Promise.all(voters);
    await pool.end();
    expect(made.code).toBe(0);

    const copy = await createTestDatabase({ migrated: false });
    drops.push(() => copy.drop());
    const r = await runCommand(
      ['backup', 'restore', 'latest', '--no-input'],
      { ...benv, DATABASE_URL: copy.url },
      { cwd: db.tmp },
    );
    expect(r.stderr).toMatch(USING);
    const votes = await queryDatabase<{ votes: number }>(
      copy,
      'SELECT votes FROM polls_choice WHERE id = ANY($1) ORDER BY id',
      [[a, b]],
    );
    expect(votes[0]!.votes).toBeGreaterThan(0);
    expect(votes[0]!.votes).toBe(votes[1]!.votes);
    const live = await queryDatabase<{ votes: number }>(db, 'SELECT votes FROM polls_choice WHERE id = $1', [
      a,
    ]);
    expect(live[0]!.votes).toBeGreaterThan(votes[0]!.votes); // voting went on during the backup
  });
});
