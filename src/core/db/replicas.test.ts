import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { createQuestion } from '../../apps/polls/testing.js';
import { AdminBrowser, createTestUser } from '../admin/testing.js';
import { ApiClient, userWithToken } from '../api/testing.js';
import { migrateApps } from '../apps/migrate-apps.js';
import { createRegistry } from '../apps/registry.js';
import { loadConfig } from '../config/index.js';
import { buildServer } from '../http/build-server.js';
import { TestClient } from '../testing/auth-test-app.js';
import { TEST_SECRET_KEY, type TestApp } from '../testing/build-test-app.js';
import { freePort, type PgCluster, postgresServer, startPgCluster } from '../testing/pg-cluster.js';
import { testMigrations } from '../testing/templates.js';
import { needs } from '../testing/tools.js';
import type { Database } from './database.js';
import { openDatabase } from './open-database.js';
import { lsnValue } from './replicas.js';
import { waitForDatabase } from './wait-for-db.js';

const PASSWORD = 'replica-test-pw';
// No project .env may reach these configurations.
const cwd = mkdtempSync(join(tmpdir(), 'slipway-replicas-'));
const DELAY_MS = 2000;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lsnValue', () => {
  it('orders LSNs as PostgreSQL does, and refuses anything else', () => {
    expect(lsnValue('0/3000060')).toBe(0x3000060n);
    expect(lsnValue('1/0')! > lsnValue('0/FFFFFFFF')!).toBe(true);
    expect(lsnValue('x/1')).toBeUndefined();
    expect(lsnValue(undefined)).toBeUndefined();
  });
});

// Private clusters, because these tests stop, delay and promote servers: the shared one must not.
// PostgreSQL only: vitest.config.ts leaves this file out of PGlite runs.
describe('reads on a hot standby', needs(postgresServer), () => {
  let primary: PgCluster;
  let standby: PgCluster;
  let database: Database;
  let app: FastifyInstance;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    // wal_log_hints and full_page_writes: pg_rewind can bring it back as a standby after a failover.
    primary = await startPgCluster({
      password: PASSWORD,
      settings: { synchronous_commit: 'on', wal_log_hints: 'on', full_page_writes: 'on' },
    });
    const registry = createRegistry(installedApps);
    const url = await primary.createDatabase('slipway');
    const migrating = await openDatabase(
      loadConfig({ env: { DATABASE_URL: url }, cwd, requireSecretKey: false }).database,
      {
        log,
        schema: registry.schema,
        role: 'client',
      },
    );
    await migrateApps(migrating, registry, testMigrations(), { log });
    await migrating.close();
    // WAL is applied 2 s late: a lagging standby, as after a burst of writes.
    standby = await startPgCluster({
      password: PASSWORD,
      standbyOf: primary,
      // It reconnects to a restarted primary within 0.2 s, not 5 s.
      settings: {
        recovery_min_apply_delay: `'${DELAY_MS}ms'`,
        full_page_writes: 'on',
        wal_retrieve_retry_interval: "'200ms'",
      },
    });
    const config = loadConfig({
      cwd,
      env: {
        // Both hosts, as libpq takes them: the app writes to whichever accepts writes.
        DATABASE_URL: url.replace(
          `127.0.0.1:${primary.port}`,
          `127.0.0.1:${primary.port},127.0.0.1:${standby.port}`,
        ),
        DATABASE_REPLICA_URLS: standby.urlFor('slipway'),
        // Lag is not what these tests take a replica out for: the delay stays in the rotation.
        REPLICA_MAX_LAG: '60',
        DB_CONNECT_TIMEOUT: '2',
        SECRET_KEY: TEST_SECRET_KEY,
        ALLOWED_HOSTS: 'localhost',
        LOG_LEVEL: 'silent',
      },
    });
    // Lag measured every 200 ms, so a test waits less for a state; the writable host looked for
    // only when a query tells of a failover, never by the timer, so that this is what is tested.
    if (config.database.engine !== 'postgres') throw new Error('expected a PostgreSQL configuration');
    database = await openDatabase(
      { ...config.database, replicaCheckIntervalMs: 200, hostSearchIntervalMs: 600_000 },
      { log, schema: registry.schema, role: 'client' },
    );
    app = await buildServer({
      config,
      database,
      log,
      registry,
      migrations: testMigrations(),
      lifecycle: { draining: false },
    });
    await app.ready();
    // The questions of the tests below, written once and replayed once (the 2 s delay is paid
    // here, not by every test).
    for (const text of Object.keys(questions) as (keyof typeof questions)[])
      questions[text] = await createQuestion(database.db, text, -1, ['Yes', 'No']);
    await replayed(questions['Failover?']!.id);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.close();
    await standby?.destroy();
    await primary?.destroy();
  });

  const client = () => new TestClient({ app } as TestApp);
  const votes = (body: string) =>
    [...body.matchAll(/class="result-votes">(\d+) vote/g)].map((m) => Number(m[1]));
  const replicaState = async () => {
    await database.replicas!.check();
    return database.replicas!.status()[0]!;
  };

  type Question = Awaited<ReturnType<typeof createQuestion>>;
  const questions: Record<
    'Streamed?' | 'Stale?' | 'Standby down?' | 'Primary down?' | 'Failover?',
    Question | undefined
  > = {
    'Streamed?': undefined,
    'Stale?': undefined,
    'Standby down?': undefined,
    'Primary down?': undefined,
    'Failover?': undefined,
  };
  /** Waits until the standby's WAL receiver is connected to the primary again after a restart. */
  const streamingAgain = () =>
    until('the standby to stream from the primary again', async () => {
      const rows = await primary.query("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'");
      return rows.length > 0 ? true : undefined;
    });
  /** A question written on the primary in beforeAll, which the standby has replayed since. */
  const replicatedQuestion = async (text: keyof typeof questions) => questions[text]!;
  async function replayed(id: number) {
    await until('the standby to replay the question', async () => {
      const rows = await standby.query('SELECT 1 FROM polls_question WHERE id = $1', [id], 'slipway');
      return rows.length > 0 ? true : undefined;
    });
  }

  it('streams: a row written on the primary is readable on the standby, which is read-only', async () => {
    const q = await replicatedQuestion('Streamed?');
    const [row] = await standby.query<{ question_text: string }>(
      'SELECT question_text FROM polls_question WHERE id = $1',
      [q.id],
      'slipway',
    );
    expect(row?.question_text).toBe('Streamed?');
    await expect(
      standby.query(
        'INSERT INTO polls_choice (question_id, choice_text, votes) VALUES ($1, $2, 0)',
        [q.id, 'x'],
        'slipway',
      ),
    ).rejects.toThrow(/read-only transaction/);
    expect(await replicaState()).toMatchObject({ state: 'streaming' });
    const ready = await app.inject({ url: '/readyz', headers: { host: 'localhost' } });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.replicas).toMatchObject({ ok: true, replicas: [{ state: 'streaming' }] });
  });

  it('serves public pages from the lagging standby, and a voter sees their own vote at once', async () => {
    const q = await replicatedQuestion('Stale?');
    expect(await replicaState()).toMatchObject({ state: 'streaming' });
    const voter = client();
    const vote = await voter.post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    expect(vote.statusCode).toBe(303);
    expect(lsnValue(voter.jar.get('slipway_lsn'))).toBeDefined();

    // Within the standby's 2 s delay: another visitor reads the replica and sees no vote yet;
    // the voter's cookie says the replica has not replayed their write, so they read the primary.
    const other = await client().get(`/polls/${q.id}/results/`);
    const own = await voter.get(`/polls/${q.id}/results/`);
    expect(other.statusCode).toBe(200);
    expect(votes(other.body)).toEqual([0, 0]);
    expect(own.statusCode).toBe(200);
    expect(votes(own.body)).toEqual([1, 0]);

    // Once the standby has replayed the vote, everyone sees it.
    await until('the standby to replay the vote', async () => {
      await database.replicas!.check();
      const res = await client().get(`/polls/${q.id}/results/`);
      return votes(res.body)[0] === 1 ? true : undefined;
    });
  });

  it('keeps answering reads from the primary while the standby is down, and takes it back', async () => {
    const q = await replicatedQuestion('Standby down?');
    await standby.stop();
    try {
      // The first read finds the replica gone and is run again on the primary: never a 5xx.
      for (let i = 0; i < 3; i++) {
        const res = await client().get(`/polls/${q.id}/results/`);
        expect(res.statusCode).toBe(200);
      }
      expect(await replicaState()).toMatchObject({ state: 'down' });
      const ready = await app.inject({ url: '/readyz', headers: { host: 'localhost' } });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.replicas.replicas[0]).toMatchObject({
        state: 'down',
        error: expect.any(String),
      });
      expect((await client().get('/polls/')).statusCode).toBe(200);
    } finally {
      await standby.start();
    }
    await until('the standby to rejoin', async () =>
      (await replicaState()).state === 'streaming' ? true : undefined,
    );
    await streamingAgain();
  });

  it('answers writes 503 with Retry-After at once while the primary is down, and reads from the standby', async () => {
    const q = await replicatedQuestion('Primary down?');
    expect(await replicaState()).toMatchObject({ state: 'streaming' });
    await primary.stop();
    try {
      const started = Date.now();
      const vote = await client().post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
      expect(vote.statusCode).toBe(503);
      expect(vote.headers['retry-after']).toBeDefined();
      expect(Date.now() - started).toBeLessThan(2000);
      const read = await client().get(`/polls/${q.id}/results/`);
      expect(read.statusCode).toBe(200);
      expect(votes(read.body)).toEqual([0, 0]);
      expect((await client().get('/polls/')).statusCode).toBe(200);
      // Read-only, not down: the proxy must keep sending requests to this server.
      const ready = await app.inject({ url: '/readyz', headers: { host: 'localhost' } });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks.database).toMatchObject({
        ok: true,
        mode: 'read-only',
        error: expect.any(String),
      });
    } finally {
      await primary.start();
    }
    await until('the app to reach the primary again', async () => {
      const ready = await app.inject({ url: '/readyz', headers: { host: 'localhost' } });
      return ready.json().checks.database.mode === undefined ? true : undefined;
    });
    await streamingAgain();
  });

  it('serves the admin changelist and the API list and detail from the standby, unless the client wrote later', async () => {
    const { key } = await userWithToken(database.db, 'api-reader', [], { superuser: true });
    await createTestUser(database.db, 'admin-reader', { superuser: true });
    const admin = new AdminBrowser(app);
    await admin.login('admin-reader');
    const signedIn = lsnValue(admin.cookies.get('slipway_lsn'));
    expect(signedIn).toBeDefined();
    await until('the standby to replay the sign-in', async () => {
      await database.replicas!.check();
      return lsnValue(database.replicas!.status()[0]!.replayLsn)! >= signedIn! ? true : undefined;
    });

    const q = await createQuestion(database.db, 'Listed late?', -1, ['A']);
    const written = await database.replicas!.primaryLsn();
    // Within the standby's 2 s delay, reads from it do not have the question yet.
    const api = new ApiClient(app, { token: key });
    expect((await api.get(`/api/v1/polls/question/${q.id}/`)).statusCode).toBe(404);
    expect((await api.get('/api/v1/polls/question/?search=Listed%20late')).json().count).toBe(0);
    expect((await admin.get('/admin/polls/question/?q=Listed+late')).body).not.toContain('Listed late?');
    // A client whose last write is this one reads the primary.
    admin.cookies.set('slipway_lsn', written);
    expect((await admin.get('/admin/polls/question/?q=Listed+late')).body).toContain('Listed late?');
  });

  // Last: it leaves the standby promoted and the old primary stopped.
  it('follows a promoted standby without a restart under a steady load; the old primary rejoins as a standby', async () => {
    const q = await replicatedQuestion('Failover?');
    const results = { ok: 0, failed: 0, statuses: new Map<string, number>() };
    let promotedAt = 0;
    let firstWriteAfter = 0;
    let stop = false;
    // One client voting and one reading, one request at a time each: a bounded load.
    const load = async (write: boolean) => {
      while (!stop) {
        const res = write
          ? await client().post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) })
          : await client().get(`/polls/${q.id}/results/`);
        const key = `${write ? 'POST' : 'GET'} ${res.statusCode}`;
        results.statuses.set(key, (results.statuses.get(key) ?? 0) + 1);
        if (res.statusCode < 500) results.ok++;
        else results.failed++;
        if (write && res.statusCode === 303 && promotedAt && !firstWriteAfter) firstWriteAfter = Date.now();
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const running = [load(true), load(false)];
    await new Promise((r) => setTimeout(r, 500));
    // The runbook: fence the old primary (stopped here), then promote the standby.
    const fenced = Date.now();
    await primary.stop();
    const stopped = Date.now();
    await standby.promote();
    promotedAt = Date.now();
    console.info(`failover: stop ${stopped - fenced} ms, promote ${promotedAt - stopped} ms`);
    await until(
      'a write to succeed on the promoted standby',
      async () => (firstWriteAfter ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(running);
    const seconds = (firstWriteAfter - promotedAt) / 1000;
    console.info(
      `failover: writes back ${seconds.toFixed(1)} s after promotion; ${results.ok} answered, ${results.failed} failed (503) of ${results.ok + results.failed}; statuses ${JSON.stringify([...results.statuses])}`,
    );
    expect(seconds).toBeLessThan(5);
    // Reads never fail; writes get only 503s while there is no writable server.
    expect([...results.statuses.keys()].filter((s) => /^(GET 5|POST 5(?!03))/.test(s))).toEqual([]);
    const counts = await standby.query<{ votes: number }>(
      'SELECT votes FROM polls_choice WHERE question_id = $1 ORDER BY id',
      [q.id],
      'slipway',
    );
    expect(counts[0]!.votes).toBeGreaterThan(0);

    // The old primary comes back as a standby of the new one (pg_rewind), and streams its writes.
    await primary.rejoinAsStandbyOf(standby);
    const [state] = await primary.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
    expect(state?.recovering).toBe(true);
    const after = await createQuestion(database.db, 'After the failover?', -1, ['Yes']);
    await until('the old primary to replay a write of the new one', async () => {
      const rows = await primary.query('SELECT 1 FROM polls_question WHERE id = $1', [after.id], 'slipway');
      return rows.length > 0 ? true : undefined;
    });
  });

  // After the failover above: `standby` is the primary, `primary` its standby.
  it('answers a write that meets a demoted server 503 with Retry-After, and sends the next one to the new primary', async () => {
    const q = await createQuestion(database.db, 'Demoted?', -1, ['Yes']);
    await until('the old primary to replay the question', async () => {
      const rows = await primary.query('SELECT 1 FROM polls_question WHERE id = $1', [q.id], 'slipway');
      return rows.length > 0 ? true : undefined;
    });
    const warm = await client().post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    expect(warm.statusCode).toBe(303);
    await until('the old primary to replay the vote', async () => {
      const rows = await primary.query<{ votes: number }>(
        'SELECT votes FROM polls_choice WHERE question_id = $1',
        [q.id],
        'slipway',
      );
      return rows[0]?.votes === 1 ? true : undefined;
    });
    // The current primary turns read-only with the app's connections to it still open (no restart,
    // no lost connection to notice), and the other server is promoted.
    await standby.query('ALTER SYSTEM SET default_transaction_read_only = on');
    await standby.query('SELECT pg_reload_conf()');
    await primary.promote();

    // The vote's transaction meets the read-only server: 503 at once, and the search runs now,
    // not at the next tick (which this app has every 10 minutes only).
    const started = Date.now();
    const refused = await client().post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    const next = await client().post(`/polls/${q.id}/vote/`, { choice: String(q.choiceIds[0]) });
    expect(next.statusCode).toBe(303);
    expect(Date.now() - started).toBeLessThan(3000);
    const [row] = await primary.query<{ votes: number }>(
      'SELECT votes FROM polls_choice WHERE question_id = $1',
      [q.id],
      'slipway',
    );
    expect(row?.votes).toBe(2);
    // The idle connections to the demoted server were closed, not left to fail one request each.
    await until('the app to close its connections to the demoted server', async () => {
      const rows = await standby.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = 'slipway' AND pid <> pg_backend_pid()",
      );
      return rows.length === 0 ? true : undefined;
    });
  });

  it('waits for any of several hosts: a restart after a failover does not wait for the old primary', async () => {
    const closed = await freePort();
    const lines: string[] = [];
    const several = loadConfig({
      cwd,
      env: {
        DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${closed},127.0.0.1:${standby.port}/slipway`,
      },
      requireSecretKey: false,
    }).database;
    await waitForDatabase(several, { timeoutMs: 5000, report: (line) => lines.push(line) });
    expect(lines).toEqual([]);
    const gone = loadConfig({
      cwd,
      env: { DATABASE_URL: `postgres://postgres:${PASSWORD}@127.0.0.1:${closed}/slipway` },
      requireSecretKey: false,
    }).database;
    await expect(waitForDatabase(gone, { timeoutMs: 500, report: () => undefined })).rejects.toThrow(
      /database not ready/,
    );
  });
});
