import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type PgCluster,
  postgresServer,
  startPgCluster,
} from '../../src/core/testing/pg-cluster.js';
import { type Spawned, spawnProcess, spawnSlipway } from '../../src/core/testing/run-slipway.js';
import { needs } from '../../src/core/testing/tools.js';
import {
  assertAlive,
  exitInfo,
  fixturePath,
  httpGet,
  isAlive,
  pending,
  pollUntil,
  processTracker,
  serveEnv,
  sleep,
  tsxImport,
  waitReady,
} from './helpers.js';

const PASSWORD = 'restart-test-pw';

// A private cluster, because these tests stop and start PostgreSQL: the shared server must not.
// PostgreSQL only: vitest.config.ts leaves this file out of PGlite runs.
describe('slipway serve while PostgreSQL restarts', needs(postgresServer), () => {
  let cluster: PgCluster;
  let cwd: string;
  const processes = processTracker();

  beforeAll(async () => {
    cluster = await startPgCluster({ password: PASSWORD });
    cwd = mkdtempSync(join(tmpdir(), 'slipway-ops-'));
  });
  afterEach(async () => {
    await processes.killAll();
    await cluster.start(); // a failed test may have left it stopped
  });
  afterAll(async () => {
    await processes.killAll();
    await cluster?.destroy();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  /** `slipway serve` on a fresh database of the private cluster. */
  async function serve(extra: Record<string, string> = {}) {
    const databaseUrl = await cluster.createDatabase();
    const port = await freePort();
    const proc = processes.track(
      spawnSlipway(
        ['serve'],
        { DATABASE_URL: databaseUrl, DB_CONNECT_TIMEOUT: '2', ...serveEnv(port, extra) },
        cwd,
      ),
    );
    return { proc, base: `http://127.0.0.1:${port}`, exit: exitInfo(proc), database: new URL(databaseUrl) };
  }

  const failWith = (proc: Spawned) => (error: Error) => {
    throw new Error(`${error.message}\nserver output:\n${proc.output()}\ncluster log:\n${cluster.log()}`);
  };

  it('answers 503 quickly while PostgreSQL is down and recovers without a restart', async () => {
    const { proc, base } = await serve();
    await waitReady(proc, base);

    await cluster.stop();
    const outage: { status: number; ms: number }[] = [];
    for (let i = 0; i < 6; i++) {
      const ready = await httpGet(`${base}/readyz`, 10_000);
      outage.push({ status: ready.status, ms: ready.ms });
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(3000);
      expect(JSON.parse(ready.body).checks.database.ok).toBe(false);
      // The process still serves what needs no database.
      expect((await httpGet(`${base}/livez`, 3000)).status).toBe(200);
      assertAlive(proc);
      await sleep(250);
    }

    await cluster.start();
    const recovered = Date.now();
    await waitReady(proc, base, 20_000).catch(failWith(proc));
    expect(Date.now() - recovered).toBeLessThan(20_000);
    expect(isAlive(proc)).toBe(true);
    expect(proc.output()).not.toMatch(/"level":60/); // nothing fatal was logged
  });

  it("answers 503 with Retry-After when a route's query fails because PostgreSQL went away", async () => {
    const databaseUrl = await cluster.createDatabase();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // The fixture is serve plus GET /db?sleep=<s>, a route that runs SELECT pg_sleep(s).
    const proc = processes.track(
      spawnProcess(
        [process.execPath, '--import', tsxImport, fixturePath('slow-server.ts')],
        { DATABASE_URL: databaseUrl, DB_CONNECT_TIMEOUT: '2', ...serveEnv(port) },
        cwd,
      ),
    );
    await waitReady(proc, base, 45_000);
    expect((await httpGet(`${base}/db`)).status).toBe(200);

    // A query running when the server stops is cut (57P01): 503, not 500.
    const cut = pending(httpGet(`${base}/db?sleep=10`, 15_000, { accept: 'application/json' }));
    await pollUntil(
      "the route's query runs",
      async () => {
        const rows = await cluster.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'slipway' AND query LIKE '%pg_sleep%' AND state = 'active'",
        );
        return rows[0]!.n > 0 ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const stoppedAt = Date.now();
    await cluster.stop();
    const cutResponse = await cut;
    expect(cutResponse.status).toBe(503);
    expect(cutResponse.headers['retry-after']).toBe('5');
    expect(Date.now() - stoppedAt).toBeLessThan(3000);

    // New queries while it is down: 503 at once, with Retry-After and a problem document.
    for (let i = 0; i < 3; i++) {
      const down = await httpGet(`${base}/db`, 10_000, { accept: 'application/json' });
      expect(down.status).toBe(503);
      expect(down.ms).toBeLessThan(3000);
      expect(down.headers['retry-after']).toBe('5');
      expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(down.body)).toMatchObject({ status: 503, title: 'Service Unavailable' });
      assertAlive(proc);
    }

    await cluster.start();
    await pollUntil(
      'GET /db answers 200 again',
      async () => {
        assertAlive(proc);
        return (await httpGet(`${base}/db`, 5000)).status === 200 ? true : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    ).catch(failWith(proc));
    expect(proc.output()).not.toMatch(/"level":50/); // no error log: an outage is not a 500
  });

  it('boots once PostgreSQL comes up when it was down at start', async () => {
    await cluster.createDatabase('boot_while_down');
    await cluster.stop();
    const port = await freePort();
    const proc = processes.track(
      spawnSlipway(
        ['serve'],
        {
          DATABASE_URL: cluster.urlFor('boot_while_down'),
          DB_CONNECT_TIMEOUT: '2',
          DB_WAIT_TIMEOUT: '30',
          ...serveEnv(port),
        },
        cwd,
      ),
    );
    await proc.waitFor(/waiting for the database \(attempt 1\).*ECONNREFUSED/, 20_000);
    expect(isAlive(proc)).toBe(true);
    await cluster.start();
    await waitReady(proc, `http://127.0.0.1:${port}`, 30_000).catch(failWith(proc));
    expect(proc.output()).toMatch(/database is ready after \d+ attempts/);
  });

  it('shuts down cleanly on SIGTERM while PostgreSQL is down', async () => {
    const { proc, base, exit } = await serve({ SHUTDOWN_TIMEOUT: '10' });
    await waitReady(proc, base);
    await cluster.stop();
    expect((await httpGet(`${base}/readyz`, 10_000)).status).toBe(503);

    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeLessThan(5000);
    expect(proc.output()).toMatch(/shutdown complete/);
  });

  it('survives its idle connections being terminated by the server', async () => {
    const { proc, base, database } = await serve();
    await waitReady(proc, base);
    const dbName = database.pathname.slice(1);

    // The pool keeps the connections that served /readyz open, idle.
    await pollUntil(
      'the server holds an idle connection',
      async () => {
        const rows = await cluster.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'slipway' AND datname = $1 AND state = 'idle'",
          [dbName],
        );
        return rows[0]!.n > 0 ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const killed = await cluster.query<{ ok: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'slipway' AND datname = $1",
      [dbName],
    );
    expect(killed.length).toBeGreaterThan(0);
    await proc.waitFor(/idle database connection lost/, 10_000).catch(failWith(proc));

    const statuses: number[] = [];
    await pollUntil(
      '/readyz answers 200 again',
      async () => {
        assertAlive(proc);
        const r = await httpGet(`${base}/readyz`, 5000);
        statuses.push(r.status);
        return r.status === 200 ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    ).catch(failWith(proc));
    // At worst a request that raced the termination got 503, never 500.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    await sleep(300);
    expect(isAlive(proc)).toBe(true);
  });
});
