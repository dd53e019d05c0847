import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { freePort } from '../../src/core/testing/pg-cluster.js';
import { createTestDatabase, type TestDatabase } from '../../src/core/testing/test-database.js';
import { needs } from '../../src/core/testing/tools.js';
import { SECRET_KEY, sleep } from './helpers.js';

/**
 * Three `slipway serve` processes behind HAProxy, configured as compose.prod.yaml configures
 * Traefik (health check of /readyz every 2 s, retries on connection failures only). The full
 * proof, three 30 s runs in a row, is `npm run bench:rolling`; this test runs one shorter pass.
 * PostgreSQL only (vitest.config.ts leaves this file out of PGlite runs): one database, many
 * processes.
 */
describe('three instances behind HAProxy', needs(haproxy), () => {
  let testDb: TestDatabase;
  let proxy: RunningHaproxy;
  let target: LoadTarget;
  const instances: Instance[] = [];
  const output: string[] = [];
  // SHUTDOWN_DELAY above the 2 s health check: the proxy stops routing before the listener closes.
  const env = () => ({ DATABASE_URL: testDb.url, SECRET_KEY, SHUTDOWN_DELAY: '3', SHUTDOWN_TIMEOUT: '10' });
  const start = (instance: { name: string; port: number }) =>
    startInstance(instance.name, instance.port, env(), testDb.tmp, output).process;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: true });
    const seeded = await seedLoadData(testDb.config);
    for (const name of ['web1', 'web2', 'web3']) {
      const port = await freePort();
      instances.push(startInstance(name, port, env(), testDb.tmp, output));
    }
    const port = await freePort();
    proxy = await startHaproxy({ dir: testDb.tmp, port, statsPort: await freePort(), backends: instances });
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
    await testDb?.drop();
  });

  it('restarts the three instances one after another under steady load with no failed request, and keeps every vote', async () => {
    const load = await steadyLoad(target, 40, 22_000);
    await sleep(1000);
    const steps = await rollingRestart(instances, proxy, start);
    const report = await load.done;

    expect(steps.map((s) => s.exitCode)).toEqual([0, 0, 0]);
    expect(report.failures, output.join('')).toEqual([]);
    expect(report.outcomes.length).toBe(880);
    expect(await countVotes(testDb.config, target.questionId)).toBe(report.votesAnswered303);
  }, 50_000);

  it('takes an instance killed with SIGKILL out of rotation within 3 s, failing at most its in-flight requests', async () => {
    const votesBefore = await countVotes(testDb.config, target.questionId);
    const load = await steadyLoad(target, 40, 8000);
    await sleep(2000);
    const victim = instances[0]!;
    const inFlight = load.inFlight();
    const killedAt = Date.now();
    victim.process.kill('SIGKILL');
    const outOfRotationMs = await waitForState(proxy, [victim.name], 'DOWN', 5000);
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
    const votes = (await countVotes(testDb.config, target.questionId)) - votesBefore;
    expect(votes).toBeGreaterThanOrEqual(report.votesAnswered303);
    expect(votes).toBeLessThanOrEqual(report.votesAnswered303 + report.failures.length);

    victim.process = start(victim);
    await waitForState(proxy, [victim.name], 'UP', 30_000);
  }, 40_000);
});
