// `npm run bench:rolling`: three `slipway serve` processes behind HAProxy on 127.0.0.1 (the
// contract of compose.prod.yaml's Traefik labels: /readyz checked every 2 s, retries only where
// the request never got an answer), on a fresh PostgreSQL database, and two scenarios:
//
// 1. RUNS (3) times in a row: a steady mixed load (GET /polls/, GET /polls/<id>/, GET the API's
//    person list, POST a vote) at RATE (40) requests/s for DURATION (30) s, while the three
//    instances restart one after another (SIGTERM, wait for the exit, start, wait until HAProxy
//    routes to it). Passes with zero failed requests, and the votes in the database equal the
//    votes answered 303.
// 2. once: the same load for 10 s, one instance killed with SIGKILL after 3 s. Passes when the
//    failures are no more than the requests in flight at that moment, none started after it,
//    and HAProxy takes the instance out of rotation within 3 s.
// 3. RUNS times: the same load for OUTAGE + 15 s, PostgreSQL stopped (pg_ctl stop -m fast) after
//    3 s and started again OUTAGE (5) s later. Passes when every failed request is a 503, none
//    answered before the stop or sent RECOVERY (5) s after the restart, the votes match, and the
//    three instances are the same processes as before. Prints the p99 of the requests answered
//    from the stop on and sent until the last failure: the outage as clients saw it.
//
// The database is a private PostgreSQL cluster (src/core/testing/pg-cluster.ts: the server
// binaries, initdb and pg_ctl, of Debian's postgresql-15), since scenario 3 restarts it.
// Prints one line per run (requests, failures, p50/p99, the restarts' durations) and exits 1 if
// any run fails. Needs haproxy (apt-get install haproxy). Options: --runs=N, --rate=R,
// --duration=S, --outage=S.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/core/config/index.js';
import {
  countVotes,
  type Instance,
  percentile,
  rollingRestart,
  seedLoadData,
  startInstance,
  steadyLoad,
  waitForState,
} from '../src/core/testing/fleet.js';
import { startHaproxy } from '../src/core/testing/haproxy.js';
import { freePort, type PgCluster, startPgCluster } from '../src/core/testing/pg-cluster.js';
import { migratedServerTemplate } from '../src/core/testing/templates.js';

const option = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const RUNS = Number(option('runs', '3'));
const RATE = Number(option('rate', '40'));
const DURATION_MS = Number(option('duration', '30')) * 1000;
const OUTAGE_MS = Number(option('outage', '5')) * 1000;
const RECOVERY_MS = 5000;

async function main(): Promise<number> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-rolling-'));
  const output: string[] = [];
  const instances: Instance[] = [];
  let cluster: PgCluster | undefined;
  let proxy: Awaited<ReturnType<typeof startHaproxy>> | undefined;
  let failed = false;
  try {
    cluster = await startPgCluster({ password: randomBytes(12).toString('hex') });
    // A copy of the migrated template that the test suite uses (what `slipway migrate` leaves).
    await cluster.query(
      `CREATE DATABASE slipway_rolling TEMPLATE "${await migratedServerTemplate(cluster.url)}"`,
    );
    const env = {
      DATABASE_URL: cluster.urlFor('slipway_rolling'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      SHUTDOWN_DELAY: '3',
      SHUTDOWN_TIMEOUT: '10',
      DB_CONNECT_TIMEOUT: '2',
    };
    const config = loadConfig({ env: { DATABASE_URL: env.DATABASE_URL }, cwd: tmp, requireSecretKey: false });

    const start = (i: { name: string; port: number }) => startInstance(i.name, i.port, env, tmp, output);
    for (const n of ['web1', 'web2', 'web3']) instances.push(start({ name: n, port: await freePort() }));
    proxy = await startHaproxy({
      dir: tmp,
      port: await freePort(),
      statsPort: await freePort(),
      backends: instances,
    });
    await waitForState(
      proxy,
      instances.map((i) => i.name),
      'UP',
      60_000,
    );
    console.log(
      `3 instances behind HAProxy, ${RATE} requests/s (pages, API, votes), SHUTDOWN_DELAY=3, check every 2 s\n`,
    );

    for (let run = 1; run <= RUNS; run++) {
      const seeded = await seedLoadData(config.database);
      const load = await steadyLoad({ base: proxy.url, ...seeded }, RATE, DURATION_MS);
      await new Promise((r) => setTimeout(r, 2000));
      const steps = await rollingRestart(instances, proxy, (i) => start(i).process);
      const report = await load.done;
      const votes = await countVotes(config.database, seeded.questionId);
      const ok =
        report.failures.length === 0 &&
        votes === report.votesAnswered303 &&
        steps.every((s) => s.exitCode === 0);
      failed ||= !ok;
      console.log(
        `rolling restart, run ${run}: ${report.outcomes.length} requests, ${report.failures.length} failed, ` +
          `p50 ${report.p50} ms, p99 ${report.p99} ms; votes answered 303: ${report.votesAnswered303}, ` +
          `in the database: ${votes}; restarts ${steps.map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`).join(', ')}` +
          ` (exit codes ${steps.map((s) => s.exitCode).join(', ')}): ${ok ? 'PASS' : 'FAIL'}`,
      );
      for (const f of report.failures.slice(0, 10)) console.log(`  failed: ${JSON.stringify(f)}`);
    }

    const seeded = await seedLoadData(config.database);
    const load = await steadyLoad({ base: proxy.url, ...seeded }, RATE, 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    const victim = instances[0]!;
    const inFlight = load.inFlight();
    const killedAt = Date.now();
    victim.process.kill('SIGKILL');
    const outMs = await waitForState(proxy, [victim.name], 'DOWN', 10_000);
    const report = await load.done;
    const late = report.failures.filter((f) => f.startedAt > killedAt);
    const ok = report.failures.length <= inFlight && late.length === 0 && outMs <= 3000;
    failed ||= !ok;
    console.log(
      `kill -9 of web1: ${report.outcomes.length} requests, ${report.failures.length} failed ` +
        `(${inFlight} in flight when it died, ${late.length} failed after), out of rotation after ` +
        `${(outMs / 1000).toFixed(1)} s, p99 ${report.p99} ms: ${ok ? 'PASS' : 'FAIL'}`,
    );
    victim.process = start(victim).process;

    for (let run = 1; run <= RUNS; run++) {
      await waitForState(
        proxy,
        instances.map((i) => i.name),
        'UP',
        60_000,
      );
      const pids = instances.map((i) => i.process.pid);
      const seeded = await seedLoadData(config.database);
      const load = await steadyLoad({ base: proxy.url, ...seeded }, RATE, OUTAGE_MS + 15_000);
      await new Promise((r) => setTimeout(r, 3000));
      const stoppedAt = Date.now();
      await cluster.stop();
      const stopMs = Date.now() - stoppedAt;
      await new Promise((r) => setTimeout(r, OUTAGE_MS - stopMs));
      await cluster.start();
      const backAt = Date.now();
      const report = await load.done;
      const votes = await countVotes(config.database, seeded.questionId);
      const byStatus = new Map<string, number>();
      for (const f of report.failures)
        byStatus.set(String(f.result), (byStatus.get(String(f.result)) ?? 0) + 1);
      const lastFailure = Math.max(backAt, ...report.failures.map((f) => f.startedAt));
      const during = report.outcomes.filter(
        (o) => o.startedAt + o.ms >= stoppedAt && o.startedAt <= lastFailure,
      );
      const duringMs = during.map((o) => o.ms).sort((a, b) => a - b);
      const failed503 = byStatus.get('503') ?? 0;
      const ok =
        [...byStatus.keys()].every((k) => k === '503') &&
        report.failures.every(
          (f) => f.startedAt + f.ms >= stoppedAt && f.startedAt <= backAt + RECOVERY_MS,
        ) &&
        votes >= report.votesAnswered303 &&
        votes <= report.votesAnswered303 + failed503 &&
        instances.every((i, n) => i.process.pid === pids[n] && i.process.exitCode === null);
      failed ||= !ok;
      console.log(
        `PostgreSQL restarted, run ${run}: ${report.outcomes.length} requests, ${report.failures.length} failed ` +
          `(${[...byStatus].map(([k, v]) => `${v} x ${k}`).join(', ') || 'none'}); stop took ${(stopMs / 1000).toFixed(1)} s, ` +
          `down ${((backAt - stoppedAt) / 1000).toFixed(1)} s; ${during.length} requests from the stop to the last failure, ` +
          `their p50 ${percentile(duringMs, 50)} ms, p99 ${percentile(duringMs, 99)} ms; full service ` +
          `${((lastFailure - backAt) / 1000).toFixed(1)} s after PostgreSQL was back; overall p99 ${report.p99} ms; ` +
          `votes answered 303: ${report.votesAnswered303}, in the database: ${votes}; same 3 processes: ` +
          `${instances.every((i, n) => i.process.pid === pids[n] && i.process.exitCode === null)}: ${ok ? 'PASS' : 'FAIL'}`,
      );
      for (const f of report.failures.filter((x) => x.result !== 503).slice(0, 10))
        console.log(`  failed: ${JSON.stringify(f)}`);
    }
  } catch (error) {
    failed = true;
    console.error(error);
    console.error(output.join(''));
  } finally {
    await proxy?.stop();
    for (const instance of instances) instance.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await cluster?.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
