// `npm run bench:replicas`: reads on a hot standby against reads on the primary.
//
// 1. Start two private PostgreSQL 15 clusters on 127.0.0.1, the second a streaming standby of the
// first (pg_basebackup -R); migrate and seed 200 polls on the primary. 2. Serve the app twice in
// this process: one with DATABASE_REPLICA_URLS, one on the primary only. 3. Load the polls detail
// page on each, twice in turns, then the vote on the first, with autocannon (CONNECTIONS
// connections, DURATION seconds), sampling the standby's replay lag every 250 ms during the vote
// run. Prints one table.
//
// Options: --duration=S (5).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pino from 'pino';
import { installedApps } from '../src/apps/installed.js';
import { createQuestion } from '../src/apps/polls/testing.js';
import { migrateApps } from '../src/core/apps/migrate-apps.js';
import { createRegistry } from '../src/core/apps/registry.js';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { buildServer } from '../src/core/http/build-server.js';
import { TEST_SECRET_KEY } from '../src/core/testing/build-test-app.js';
import { startPgCluster } from '../src/core/testing/pg-cluster.js';
import { testMigrations } from '../src/core/testing/templates.js';

const DURATION = Number(process.argv.find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 5);
const CONNECTIONS = 32;
const PASSWORD = 'bench-replica-pw';
const CSRF = 'bench-csrf-token-0123456789abcdefghijklmnop';
const log = pino({ level: 'silent' });
const cwd = mkdtempSync(join(tmpdir(), 'slipway-bench-replicas-'));

const primary = await startPgCluster({ password: PASSWORD });
const url = await primary.createDatabase('slipway');
const registry = createRegistry(installedApps);
const migrations = testMigrations();
const setup = await openDatabase(
  loadConfig({ env: { DATABASE_URL: url }, cwd, requireSecretKey: false }).database,
  {
    log,
    schema: registry.schema,
    role: 'client',
  },
);
await migrateApps(setup, registry, migrations, { log });
const polls = [];
for (let i = 0; i < 200; i++)
  polls.push(await createQuestion(setup.db, `Question ${i}?`, -1, ['A', 'B', 'C', 'D']));
// What autovacuum would have done on a live primary before the standby was cloned: without it the
// clone's pages carry no hint bits and no visibility map, and the standby's first reads were the
// slower by 30-70 % (the same SQL through node-postgres alone, without the app, showed the same).
await setup.exec('VACUUM ANALYZE');
await setup.close();
const standby = await startPgCluster({ password: PASSWORD, standbyOf: primary });

async function serve(replicas: boolean) {
  const config = loadConfig({
    cwd,
    env: {
      DATABASE_URL: url,
      ...(replicas ? { DATABASE_REPLICA_URLS: standby.urlFor('slipway') } : {}),
      SECRET_KEY: TEST_SECRET_KEY,
      ALLOWED_HOSTS: '127.0.0.1',
      LOG_LEVEL: 'silent',
    },
  });
  const database = await openDatabase(config.database, { log, schema: registry.schema, role: 'client' });
  const app = await buildServer({
    config,
    database,
    log,
    registry,
    migrations,
    lifecycle: { draining: false },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  await database.replicas?.check();
  return { app, database, base: `http://127.0.0.1:${address.port}` };
}

const onReplica = await serve(true);
const onPrimary = await serve(false);
const target = polls[0]!;

async function run(title: string, options: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return {
    endpoint: title,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx - (options.method === 'POST' ? result['3xx'] : 0) + result.errors,
  };
}

// Warm both servers (JIT, pools) first: the first run in a process is otherwise the slower.
for (const s of [onReplica, onPrimary])
  await autocannon({ connections: CONNECTIONS, duration: 2, url: `${s.base}/polls/${target.id}/` });
const rows = [];
// Twice, in turns (standby, primary, primary, standby): on a busy machine a row's place in the
// sequence weighs as much as what it measures.
for (const [pass, order] of [
  [1, [true, false]],
  [2, [false, true]],
] as const)
  for (const standbyRow of order)
    rows.push(
      standbyRow
        ? await run(`GET /polls/<id>/ (reads on the standby, pass ${pass})`, {
            url: `${onReplica.base}/polls/${target.id}/`,
          })
        : await run(`GET /polls/<id>/ (reads on the primary, pass ${pass})`, {
            url: `${onPrimary.base}/polls/${target.id}/`,
          }),
    );
const lags: number[] = [];
const sampler = setInterval(() => {
  const lag = onReplica.database.replicas?.status()[0]?.lagMs;
  if (typeof lag === 'number') lags.push(lag);
}, 250);
rows.push(
  await run('POST /polls/<id>/vote/ (primary, replica app)', {
    url: `${onReplica.base}/polls/${target.id}/vote/`,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${CSRF}` },
    body: `choice=${target.choiceIds[0]}&csrf_token=${CSRF}`,
  }),
);
clearInterval(sampler);
const state = onReplica.database.replicas?.status()[0];

console.log(
  `\nReplicas (${DURATION} s per row, ${CONNECTIONS} connections, app in one process, both clusters on this machine)\n`,
);
console.log('| Endpoint | req/s | p50 ms | p99 ms | 4xx/5xx |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.endpoint} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.bad} |`);
const max = lags.length ? Math.max(...lags) : 0;
console.log(
  `\nStandby replay lag during the vote run: max ${max} ms over ${lags.length} samples; state after: ${state?.state}`,
);

for (const s of [onReplica, onPrimary]) {
  await s.app.close();
  await s.database.close();
}
await standby.destroy();
await primary.destroy();
rmSync(cwd, { recursive: true, force: true });
