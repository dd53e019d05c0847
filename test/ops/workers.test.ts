import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/testing/pg-cluster.js';
import { type Spawned, spawnSlipway } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';
import { exitInfo, httpGet, lines, pollUntil, processTracker, serveEnv } from './helpers.js';

/** The pids of the processes that logged `listening on …`, in order. */
function listeningPids(proc: Spawned): number[] {
  return lines(proc.output())
    .filter((line) => line.includes('"msg":"listening on '))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

// PostgreSQL only (vitest.config.ts leaves this file out of PGlite runs): PGlite serves from one
// process, and refuses --workers 2 (src/core/cluster/workers.test.ts).
describe('slipway serve --workers N', () => {
  let testDb: TestDatabase;
  const processes = processTracker();

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
  });
  afterEach(() => processes.killAll());
  afterAll(async () => {
    await processes.killAll();
    await testDb?.drop();
  });

  async function boot(workers: number, env: Record<string, string> = {}) {
    const port = await freePort();
    const proc = processes.track(
      spawnSlipway(
        ['serve', '--workers', String(workers)],
        { DATABASE_URL: testDb.url, DATA_DIR: testDb.tmp, ...serveEnv(port, env) },
        testDb.tmp,
      ),
    );
    const exit = exitInfo(proc);
    await proc.waitFor(new RegExp(`all ${workers} workers listening`), 45_000);
    // The workers' own lines reach the shared pipe in any order relative to the primary's.
    await pollUntil('every worker logged that it listens', async () =>
      listeningPids(proc).length >= workers ? true : undefined,
    );
    return { proc, exit, base: `http://127.0.0.1:${port}` };
  }

  it('runs N worker processes on one port and spreads requests over them', async () => {
    const { proc, base } = await boot(2, { METRICS_TOKEN: 'metrics-token-0123456789' });
    const pids = listeningPids(proc);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(proc.child.pid);

    // A page, not /readyz: probe requests are not logged.
    const statuses = await Promise.all(Array.from({ length: 20 }, () => httpGet(`${base}/polls/`)));
    expect(statuses.map((r) => r.status)).toEqual(Array(20).fill(200));
    // Each worker logged some of them (the primary hands connections round-robin).
    const served = new Set(
      lines(proc.output())
        .filter((line) => line.includes('"msg":"request completed"'))
        .map((line) => (JSON.parse(line) as { pid: number }).pid),
    );
    expect(served).toEqual(new Set(pids));
    // /metrics sums over the workers, whichever one takes the scrape.
    for (let i = 0; i < 2; i++) {
      const metrics = await httpGet(`${base}/metrics`, 5000, {
        authorization: 'Bearer metrics-token-0123456789',
      });
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(
        /^http_requests_total\{method="GET",route="\/polls\/",status="200"\} 20$/m,
      );
    }
    // Each worker migrated under the advisory lock (nothing to do here) without an error.
    expect(proc.output()).not.toMatch(/"level":(50|60)/);
  });

  it('replaces a worker killed with SIGKILL and keeps serving meanwhile', async () => {
    const { proc, base } = await boot(2);
    const [victim, survivor] = listeningPids(proc) as [number, number];
    process.kill(victim, 'SIGKILL');
    await proc.waitFor(/a worker died: starting another/, 5000);
    // The survivor answers while the replacement boots.
    expect((await httpGet(`${base}/readyz`)).status).toBe(200);
    await pollUntil(
      'a third worker listens',
      async () => (listeningPids(proc).length === 3 ? true : undefined),
      {
        timeoutMs: 20_000,
      },
    );
    const pids = listeningPids(proc);
    expect(pids[2]).not.toBe(victim);
    expect(pids).toContain(survivor);
    const statuses = await Promise.all(Array.from({ length: 10 }, () => httpGet(`${base}/readyz`)));
    expect(statuses.every((r) => r.status === 200)).toBe(true);
  });

  it('on SIGTERM stops every worker gracefully (readiness 503 first) and exits 0', async () => {
    const { proc, base, exit } = await boot(2, { SHUTDOWN_DELAY: '1', SHUTDOWN_TIMEOUT: '10' });
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    await proc.waitFor(/readiness is now 503[\s\S]*readiness is now 503/, 5000);
    expect((await httpGet(`${base}/readyz`)).status).toBe(503);
    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(at - signalledAt).toBeGreaterThanOrEqual(900);
    expect(at - signalledAt).toBeLessThan(10_000);
    expect(proc.output().match(/"msg":"shutdown complete"/g)).toHaveLength(2);
    for (const pid of listeningPids(proc)) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('exits 1 when the workers cannot boot, instead of restarting them in a loop', async () => {
    const port = await freePort();
    const unreachable = await freePort();
    const proc = processes.track(
      spawnSlipway(
        ['serve', '--workers', '2'],
        {
          DATABASE_URL: `postgres://postgres@127.0.0.1:${unreachable}/postgres`,
          DB_WAIT_TIMEOUT: '1',
          DATA_DIR: testDb.tmp,
          ...serveEnv(port),
        },
        testDb.tmp,
      ),
    );
    const { code } = await exitInfo(proc);
    expect(code).toBe(1);
    expect(proc.output()).toMatch(/a worker exited before it listened: stopping/);
    expect(proc.output()).not.toMatch(/starting another/);
  });
});
