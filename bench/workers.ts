// `npm run bench:workers`: throughput of `slipway serve --workers 1` and `--workers 2`, side by
// side, on PostgreSQL.
//
// 1. a fresh database with 1,000 questions (4 choices each), 200 persons and an API token;
// 2. for each round (--rounds, 2) and each worker count (1 then 2): start `slipway serve
//    --workers N` (DB_POOL_MAX=8 per worker), load each endpoint with autocannon (64 connections,
//    WARMUP seconds not counted, then DURATION seconds), stop the server with SIGTERM;
// 3. print one table: requests/s, p50 and p99 per endpoint and worker count, the best round of each.
// The load generator runs in this process, on the same cores as the server and PostgreSQL: the
// figures are what one host does with everything on it, not the server alone.
//
// Options: --duration=S (8), --warmup=S (2), --rounds=N (2), --postgres=URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { projectRoot } from '../src/core/paths.js';
import { freePort } from '../src/core/testing/free-port.js';
import { seedBenchDatabase } from './seed-database.js';

const option = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const DURATION = Number(option('duration', '8'));
const WARMUP = Number(option('warmup', '2'));
const ROUNDS = Number(option('rounds', '2'));
const SERVER_URL = option('postgres', 'postgres://postgres@127.0.0.1:5432/postgres');
const CONNECTIONS = 64;

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function waitReady(base: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/readyz did not answer 200 within 60 s`);
}

interface Figure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(opts: autocannon.Options): Promise<Figure> {
  if (WARMUP > 0) await autocannon({ connections: CONNECTIONS, ...opts, duration: WARMUP });
  const r = await autocannon({ connections: CONNECTIONS, ...opts, duration: DURATION });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r['4xx'] + r['5xx'],
  };
}

async function measure(workers: number, url: string, cwd: string, key: string, questionId: number) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    process.execPath,
    [join(projectRoot, 'bin', 'slipway.js'), 'serve', '--workers', String(workers)],
    {
      cwd,
      env: {
        PATH: process.env['PATH'] ?? '',
        DATABASE_URL: url,
        SECRET_KEY: randomBytes(32).toString('hex'),
        ALLOWED_HOSTS: '127.0.0.1',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DB_POOL_MAX: '8',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitReady(base, server);
    const endpoints: [string, autocannon.Options][] = [
      ['GET /polls/', { url: `${base}/polls/` }],
      ['GET /polls/<id>/', { url: `${base}/polls/${questionId}/` }],
      [
        'GET /api/v1/contacts/person/',
        { url: `${base}/api/v1/contacts/person/`, headers: { authorization: `Token ${key}` } },
      ],
    ];
    const figures = new Map<string, Figure>();
    for (const [name, opts] of endpoints) figures.set(name, await load(opts));
    return figures;
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  }
}

async function main() {
  const name = `slipway_bench_workers_${randomBytes(4).toString('hex')}`;
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  try {
    const { key, polls } = await seedBenchDatabase(url.toString(), tmp, {
      persons: 200,
      username: 'bench',
      password: 'Quiet-Harbour-7731',
    });
    const { questionId } = polls[0];
    const best = new Map<string, Figure>();
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workers of [1, 2]) {
        const figures = await measure(workers, url.toString(), tmp, key, questionId);
        for (const [endpoint, f] of figures) {
          const id = `${endpoint}|${workers}`;
          console.error(`round ${round}, ${workers} worker(s), ${endpoint}: ${Math.round(f.rps)} req/s`);
          if (!best.has(id) || best.get(id)!.rps < f.rps) best.set(id, f);
        }
      }
    }
    const endpoints = [...new Set([...best.keys()].map((id) => id.split('|')[0]!))];
    console.log(
      `\nslipway serve --workers N on PostgreSQL, ${availableParallelism()} CPUs, ${CONNECTIONS} connections, ` +
        `${DURATION} s per run after ${WARMUP} s of warm-up, best of ${ROUNDS} rounds\n`,
    );
    console.log(
      '| Endpoint | 1 worker req/s | p50 / p99 ms | 2 workers req/s | p50 / p99 ms | Ratio | Errors |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const endpoint of endpoints) {
      const one = best.get(`${endpoint}|1`)!;
      const two = best.get(`${endpoint}|2`)!;
      console.log(
        `| ${endpoint} | ${Math.round(one.rps)} | ${one.p50} / ${one.p99} | ${Math.round(two.rps)} | ` +
          `${two.p50} / ${two.p99} | ${(two.rps / one.rps).toFixed(2)}× | ${one.errors + two.errors} |`,
      );
    }
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
