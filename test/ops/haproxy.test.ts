import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseConfig, loadConfig } from '../../src/core/config/index.js';
import {
  countVotes,
  type Instance,
  type LoadTarget,
  rollingRestart,
  seedLoadData,
  startInstance,
  steadyLoad,
  waitForState,
} from '../../src/core/testing/fleet.js';
import { haproxy, type RunningHaproxy, startHaproxy } from '../../src/core/testing/haproxy.js';
import {
  freePort,
  type PgCluster,
  postgresServer,
  startPgCluster,
} from '../../src/core/testing/pg-cluster.js';
import { migratedServerTemplate } from '../../src/core/testing/templates.js';
import { needs } from '../../src/core/testing/tools.js';
import { SECRET_KEY, sleep } from './helpers.js';

/**
 * Three `slipway serve` processes behind HAProxy, configured as compose.prod.yaml configures
 * Traefik (health check of /readyz every 2 s, retries on connection failures only). The full
 * proof, three 30 s runs in a row, is `npm run bench:rolling`; this test runs one pass of each
 * scenario, its load lasting only as long as the event under test.
 *
 * A private PostgreSQL cluster, because the last test stops and starts it (the shared server must
 * not). PostgreSQL only (vitest.config.ts leaves this file out of PGlite runs): one database, many
 * processes.
 */
describe('three instances behind HAProxy', needs(haproxy, postgresServer), () => {
  let cluster: PgCluster;
  let tmp: string;
  let databaseUrl: string;
  let config: DatabaseConfig;
  let proxy: RunningHaproxy;
  let target: LoadTarget;
  const instances: Instance[] = [];
  const output: string[] = [];
  // SHUTDOWN_DELAY above the 2 s health check: the proxy stops routing before the listener closes.
  const env = () => ({
    DATABASE_URL: databaseUrl,
    SECRET_KEY,
    SHUTDOWN_DELAY: '3',
    SHUTDOWN_TIMEOUT: '10',
    DB_CONNECT_TIMEOUT: '2',
  });
  const start = (instance: { name: string; port: number }) =>
    startInstance(instance.name, instance.port, env(), tmp, output).process;
  /** The output of the instances and the server, for a failing assertion. */
  const logs = () => `${output.join('')}\ncluster log:\n${cluster.log().slice(-4000)}`;

  beforeAll(async () => {
    cluster = await startPgCluster({ password: 'haproxy-test-pw' });
    tmp = mkdtempSync(join(tmpdir(), 'slipway-haproxy-'));
    const template = await migratedServerTemplate(cluster.url);
    await cluster.query(`CREATE DATABASE slipway_fleet TEMPLATE "${template}"`);
    databaseUrl = cluster.urlFor('slipway_fleet');
    config = loadConfig({ env: { DATABASE_URL: databaseUrl }, cwd: tmp, requireSecretKey: false }).database;
    const seeded = await seedLoadData(config);
    for (const name of ['web1', 'web2', 'web3']) {
      const port = await freePort();
      instances.push(startInstance(name, port, env(), tmp, output));
    }
    const port = await freePort();
    proxy = await startHaproxy({ dir: tmp, port, statsPort: await freePort(), backends: instances });
    target = { base: proxy.url, ...seeded };
    await waitForState(
      proxy,
      instances.map((i) => i.name),
      'UP',
      45_000,
    );
  });

  afterAll(async () => {
    await proxy?.stop();
    for (const instance of instances) instance.process.kill('SIGKILL');
    await cluster?.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('restarts the three instances one after another under steady load with no failed request, and keeps every vote', async () => {
    const load = await steadyLoad(target, 40, 40_000);
    await sleep(1000);
    const steps = await rollingRestart(instances, proxy, start);
    const restartedAt = Date.now();
    await sleep(500);
    load.stop();
    const report = await load.done;

    expect(steps.map((s) => s.exitCode)).toEqual([0, 0, 0]);
    expect(report.failures, `${JSON.stringify(report.failures.slice(0, 10))}\n${logs()}`).toEqual([]);
    // The load ran, at its rate, from before the first SIGTERM until after the last restart.
    const last = Math.max(...report.outcomes.map((o) => o.startedAt));
    expect(last).toBeGreaterThan(restartedAt);
    expect(report.outcomes.length).toBeGreaterThanOrEqual(
      Math.floor((40 * steps.reduce((ms, s) => ms + s.ms, 1000)) / 1000),
    );
    expect(await countVotes(config, target.questionId)).toBe(report.votesAnswered303);
  }, 50_000);

  it('takes an instance killed with SIGKILL out of rotation within 3 s, failing at most its in-flight requests', async () => {
    const votesBefore = await countVotes(config, target.questionId);
    const load = await steadyLoad(target, 40, 8000);
    await sleep(2000);
    const victim = instances[0]!;
    const inFlight = load.inFlight();
    const killedAt = Date.now();
    victim.process.kill('SIGKILL');
    const outOfRotationMs = await waitForState(proxy, [victim.name], 'DOWN', 5000);
    // Long enough after the kill for requests to have met the dead server had it stayed in.
    await sleep(2000);
    load.stop();
    const report = await load.done;

    expect(outOfRotationMs).toBeLessThanOrEqual(3000);
    // Only requests already sent when it died may fail (the proxy never replays a request that
    // reached a server); every later one, GET or POST, found a live server.
    expect(
      report.failures.length,
      JSON.stringify({ killedAt, failures: report.failures }),
    ).toBeLessThanOrEqual(inFlight);
    expect(report.failures.filter((f) => f.startedAt > killedAt)).toEqual([]);
    // Every vote answered 303 counted; a failed one may have been applied before the kill.
    const votes = (await countVotes(config, target.questionId)) - votesBefore;
    expect(votes).toBeGreaterThanOrEqual(report.votesAnswered303);
    expect(votes).toBeLessThanOrEqual(report.votesAnswered303 + report.failures.length);

    victim.process = start(victim);
    await waitForState(proxy, [victim.name], 'UP', 30_000);
  }, 40_000);

  it('answers only 503s while PostgreSQL restarts under load, then serves fully again, no instance restarted', async () => {
    await waitForState(
      proxy,
      instances.map((i) => i.name),
      'UP',
      30_000,
    );
    const pids = instances.map((i) => i.process.pid);
    const votesBefore = await countVotes(config, target.questionId);
    const load = await steadyLoad(target, 40, 40_000);
    await sleep(1500);
    const stoppedAt = Date.now();
    await cluster.stop(); // pg_ctl stop -m fast: sessions cut, new connections refused
    await sleep(3000);
    await cluster.start();
    const backAt = Date.now();
    // Service must be whole again within RECOVERY_MS (the next 2 s health check, plus the pools'
    // first new connections); the load goes on 3 s past that, to see it.
    const RECOVERY_MS = 5000;
    await sleep(RECOVERY_MS + 3000);
    load.stop();
    const report = await load.done;

    const byResult: Record<string, number> = {};
    for (const f of report.failures) byResult[f.result] = (byResult[f.result] ?? 0) + 1;
    // During the outage: an instance's own 503 (Retry-After) until its /readyz fails, then
    // HAProxy's 503 (no server up); never a 500, a reset connection or a timeout.
    expect(Object.keys(byResult), JSON.stringify(report.failures.slice(0, 20))).toEqual(['503']);
    // The outage was seen (else the test proves nothing), and nothing failed before it began (a
    // request sent just before the stop and cut by it fails, with a 503).
    expect(report.failures.length).toBeGreaterThan(10);
    expect(report.failures.filter((f) => f.startedAt + f.ms < stoppedAt)).toEqual([]);
    // Full service after: every request sent from RECOVERY_MS after the restart on succeeded.
    const after = report.outcomes.filter((o) => o.startedAt > backAt + RECOVERY_MS);
    expect(after.length).toBeGreaterThan(100);
    const late = after.filter((o) => !o.ok);
    expect(late, `${JSON.stringify({ backAt, late: late.slice(0, 10) })}\n${logs()}`).toEqual([]);
    // The same three processes served before, during and after: none exited or was replaced.
    expect(instances.map((i) => i.process.pid)).toEqual(pids);
    expect(instances.map((i) => i.process.exitCode ?? i.process.signalCode)).toEqual([null, null, null]);
    // Every vote answered 303 counted; a vote cut by the stop (503) may have committed first.
    const votes = (await countVotes(config, target.questionId)) - votesBefore;
    expect(votes).toBeGreaterThanOrEqual(report.votesAnswered303);
    expect(votes).toBeLessThanOrEqual(report.votesAnswered303 + (byResult['503'] ?? 0));
  }, 40_000);
});
