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
//
// Prints one line per run (requests, failures, p50/p99, the restarts' durations) and exits 1 if
// any run fails. Needs haproxy (apt-get install haproxy). Options: --runs=N, --rate=R,
// --duration=S, --postgres=URL.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { installedApps } from '../src/apps/installed.js';
import { migrateApps } from '../src/core/apps/migrate-apps.js';
import { createRegistry } from '../src/core/apps/registry.js';
import { loadConfig } from '../src/core/config/index.js';
import { readMigrationFiles } from '../src/core/db/migrate/files.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { migrationsDir } from '../src/core/paths.js';
import {
  countVotes,
  type Instance,
  rollingRestart,
  seedLoadData,
  startInstance,
  steadyLoad,
  waitForState,
} from '../src/core/testing/fleet.js';
import { freePort } from '../src/core/testing/free-port.js';
import { startHaproxy } from '../src/core/testing/haproxy.js';

const option = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const RUNS = Number(option('runs', '3'));
const RATE = Number(option('rate', '40'));
const DURATION_MS = Number(option('duration', '30')) * 1000;
const SERVER_URL = option('postgres', 'postgres://postgres@127.0.0.1:5432/postgres');

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const name = `slipway_rolling_${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-rolling-'));
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    SECRET_KEY: randomBytes(32).toString('hex'),
    SHUTDOWN_DELAY: '3',
    SHUTDOWN_TIMEOUT: '10',
  };
  const output: string[] = [];
  const instances: Instance[] = [];
  let proxy: Awaited<ReturnType<typeof startHaproxy>> | undefined;
  let failed = false;
  try {
    const config = loadConfig({ env: { DATABASE_URL: env.DATABASE_URL }, cwd: tmp, requireSecretKey: false });
    const registry = createRegistry(installedApps);
    const database = await openDatabase(config.database, {
      log: pino({ level: 'warn' }),
      schema: registry.schema,
      role: 'client',
    });
    await migrateApps(database, registry, readMigrationFiles(migrationsDir), {
      log: pino({ level: 'warn' }),
    });
    await database.close();

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
  } catch (error) {
    failed = true;
    console.error(error);
    console.error(output.join(''));
  } finally {
    await proxy?.stop();
    for (const instance of instances) instance.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    rmSync(tmp, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
