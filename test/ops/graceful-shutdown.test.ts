import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/core/testing/pg-cluster.js';
import { slipwayBin, spawnProcess } from '../../src/core/testing/run-slipway.js';
import { createTestDatabase, describeOn, type TestDatabase } from '../../src/core/testing/test-database.js';
import { needs, requireTool } from '../../src/core/testing/tools.js';
import {
  exitInfo,
  fixturePath,
  httpGet,
  isAlive,
  pending,
  pollUntil,
  processTracker,
  serveEnv,
  sleep,
  tryGet,
  tsxImport,
  waitReady,
} from './helpers.js';

/**
 * How a client sees a connection the closing server does not take: refused once the listener is
 * closed, or reset when it was still in the accept queue at that moment (Node drops such sockets
 * as idle). Neither is ever served.
 */
const NOT_ACCEPTED = ['ECONNREFUSED', 'ECONNRESET'];

// Runs on both engines: PGlite by default, PostgreSQL when TEST_DATABASE_URL is set.
describe('graceful shutdown of the HTTP server', () => {
  let testDb: TestDatabase;
  const processes = processTracker();

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true }); // AUTO_MIGRATE then has nothing to do
  });
  afterEach(() => processes.killAll());
  afterAll(async () => {
    await processes.killAll();
    await testDb?.drop();
  });

  /** Boots test/fixtures/slow-server.ts (serve plus GET /slow) and waits until it is ready. */
  async function bootSlowServer(env: Record<string, string>) {
    const port = await freePort();
    const proc = processes.track(
      spawnProcess(
        [process.execPath, '--import', tsxImport, fixturePath('slow-server.ts')],
        { DATABASE_URL: testDb.url, DATA_DIR: testDb.tmp, ...serveEnv(port, env) },
        testDb.tmp,
      ),
    );
    const base = `http://127.0.0.1:${port}`;
    const exit = exitInfo(proc);
    await waitReady(proc, base, 45_000);
    return { proc, base, exit };
  }

  /** Waits until the server has logged the request, so the signal surely arrives mid-request. */
  async function inFlight(proc: ReturnType<typeof spawnProcess>, path: string) {
    await proc.waitFor(new RegExp(`"url":"${path.replace(/[?]/g, '\\?')}"`), 10_000);
  }

  it('on SIGTERM turns /readyz 503, refuses new connections, finishes the in-flight request and exits 0', async () => {
    const { proc, base, exit } = await bootSlowServer({ SHUTDOWN_TIMEOUT: '10', SHUTDOWN_DELAY: '1' });

    const requestStarted = Date.now();
    const slow = pending(httpGet(`${base}/slow?ms=3000`, 15_000));
    await inFlight(proc, '/slow?ms=3000');
    await sleep(Math.max(0, requestStarted + 500 - Date.now()));
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');

    // During SHUTDOWN_DELAY the listener stays open and readiness reports the shutdown.
    await proc.waitFor(/readiness is now 503/, 5000);
    const ready = await httpGet(`${base}/readyz`, 3000);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.shutdown).toEqual({
      ok: false,
      error: 'the server is shutting down',
    });

    // Then the listener closes: new connections are refused (never served with 200), while the
    // slow request is still running.
    const seen: string[] = [];
    await pollUntil(
      'new connections are refused',
      async () => {
        const r = await tryGet(`${base}/readyz`, 3000);
        seen.push('status' in r ? String(r.status) : r.error);
        return 'error' in r && r.error === 'ECONNREFUSED' ? true : undefined;
      },
      { timeoutMs: 5000, intervalMs: 100 },
    );
    expect(seen.filter((s) => s !== '503' && !NOT_ACCEPTED.includes(s))).toEqual([]);

    const response = await slow;
    const finishedAt = Date.now();
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, ms: 3000 });
    expect(finishedAt - requestStarted).toBeGreaterThanOrEqual(2900);

    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(at).toBeGreaterThanOrEqual(finishedAt - 50);
    expect(at - signalledAt).toBeLessThan(10_000);
    expect(proc.output()).toMatch(/shutdown complete/);
  });

  it('answers the connections waiting in the accept queue when the signal came, never resets them', async () => {
    const { proc, base, exit } = await bootSlowServer({ SHUTDOWN_TIMEOUT: '10' });

    // The event loop is busy (as with PGlite under load): the signal and the new connections
    // both wait until it is free, the connections in the kernel's accept queue.
    const busy = pending(httpGet(`${base}/block?ms=1500`, 15_000));
    await inFlight(proc, '/block?ms=1500');
    proc.child.kill('SIGTERM');
    const queued = await Promise.all(
      Array.from({ length: 24 }, async () => {
        const r = await tryGet(`${base}/livez`, 10_000);
        return 'status' in r ? String(r.status) : r.error;
      }),
    );

    expect((await busy).status).toBe(200);
    // Each was in the queue before the listener closed: each gets an answer (served, or 503
    // with Retry-After and Connection: close), none is reset or left hanging.
    expect(queued.filter((s) => s !== '200' && s !== '503')).toEqual([]);
    expect(await exit).toMatchObject({ code: 0, signal: null });
  });

  it('exits 1 once SHUTDOWN_TIMEOUT passes, cutting a request that runs longer', async () => {
    const { proc, base, exit } = await bootSlowServer({ SHUTDOWN_TIMEOUT: '1' });

    const slow = tryGet(`${base}/slow?ms=5000`, 15_000);
    await inFlight(proc, '/slow?ms=5000');
    await sleep(500);
    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');

    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    const took = at - signalledAt;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(3000);
    expect(proc.output()).toMatch(/shutdown deadline passed/);

    // The cut request fails on the client side; it is never answered 200.
    const result = await slow;
    expect('error' in result || result.status !== 200).toBe(true);
  });

  it('treats SIGINT like SIGTERM: the in-flight request finishes and the exit code is 0', async () => {
    const { proc, base, exit } = await bootSlowServer({ SHUTDOWN_TIMEOUT: '10' });

    const slow = pending(httpGet(`${base}/slow?ms=1500`, 15_000));
    await inFlight(proc, '/slow?ms=1500');
    await sleep(500);
    proc.child.kill('SIGINT');
    await proc.waitFor(/"signal":"SIGINT"/, 5000);

    // Without SHUTDOWN_DELAY the listener closes at once: 503 or a refused connection, never 200.
    const after = await tryGet(`${base}/readyz`, 3000);
    if ('status' in after) expect(after.status).toBe(503);
    else expect(NOT_ACCEPTED).toContain(after.error);

    const response = await slow;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, ms: 1500 });
    const { code, signal } = await exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('exits 1 at once on a second signal, without waiting for the in-flight request', async () => {
    const { proc, base, exit } = await bootSlowServer({ SHUTDOWN_TIMEOUT: '20' });

    const slow = tryGet(`${base}/slow?ms=8000`, 15_000);
    await inFlight(proc, '/slow?ms=8000');
    proc.child.kill('SIGTERM');
    await proc.waitFor(/signal received: shutting down gracefully/, 5000);
    const secondAt = Date.now();
    proc.child.kill('SIGTERM');

    const { code, signal, at } = await exit;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    expect(at - secondAt).toBeLessThan(2000);
    expect(proc.output()).toMatch(/second signal: exiting now/);
    const result = await slow;
    expect('error' in result || result.status !== 200).toBe(true);
  });
});

/** Starting a process as PID 1 of a new PID namespace: util-linux `unshare`, as root. */
const pidNamespaces = requireTool({
  name: 'PID namespaces (unshare --pid)',
  find: () => {
    try {
      execFileSync('unshare', ['--pid', '--fork', '--kill-child', 'true'], {
        stdio: 'ignore',
        timeout: 5000,
      });
      return 'unshare';
    } catch {
      return undefined;
    }
  },
  install: 'run the tests as root, with util-linux (unshare) installed',
});

describeOn('postgres', 'signals while slipway serve is still starting', () => {
  const processes = processTracker();
  let cwd: string; // a scratch folder: no developer .env
  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), 'slipway-ops-'));
  });
  afterAll(async () => {
    await processes.killAll();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  /** `serve` (optionally behind `prefix`) against a closed port, so it stays in wait-for-db. */
  async function serveWaitingForDatabase(prefix: string[] = []) {
    const closedPort = await freePort();
    const port = await freePort();
    const proc = processes.track(
      spawnProcess(
        [...prefix, process.execPath, slipwayBin, 'serve'],
        {
          ...serveEnv(port),
          DATABASE_URL: `postgres://postgres:pw@127.0.0.1:${closedPort}/postgres`,
          DB_WAIT_TIMEOUT: '60',
        },
        cwd,
      ),
    );
    await proc.waitFor(/waiting for the database \(attempt 1\)/, 20_000);
    return proc;
  }

  const exitsWithin = (proc: ReturnType<typeof spawnProcess>, ms: number) =>
    pollUntil('the server exits after SIGTERM', async () => (isAlive(proc) ? undefined : true), {
      timeoutMs: ms,
      intervalMs: 100,
    });

  it('stops promptly on SIGTERM while waiting for the database (as under tini in the image)', async () => {
    const proc = await serveWaitingForDatabase();
    proc.child.kill('SIGTERM');
    await exitsWithin(proc, 4000);
    // Killed by the signal today; exit code 1 once start.ts handles signals during startup.
    expect(proc.child.signalCode === 'SIGTERM' || proc.child.exitCode === 1).toBe(true);
  });

  describe('as PID 1 of a PID namespace', needs(pidNamespaces), () => {
    // A PID 1 ignores signals it has no handler for. When node itself is PID 1 (a Kubernetes
    // `command:` or `docker run --entrypoint`, bypassing the image's tini), start.ts must handle
    // SIGTERM while it still waits for the database, or `docker stop` waits for its SIGKILL.
    it('stops promptly on SIGTERM while waiting for the database', async () => {
      // --kill-child: when unshare is killed (cleanup), the server goes with it.
      const proc = await serveWaitingForDatabase([pidNamespaces.path(), '--pid', '--fork', '--kill-child']);
      const pid = proc.child.pid!;
      const serverPid = Number(
        readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0],
      );
      expect(readFileSync(`/proc/${serverPid}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m); // PID 1 inside

      process.kill(serverPid, 'SIGTERM');
      await exitsWithin(proc, 4000);
      expect(proc.child.exitCode).toBe(1);
    });
  });
});
