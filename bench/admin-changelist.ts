/**
 * Benchmark: the admin changelist over 100,000 questions on PostgreSQL.
 *
 * 1. Creates a fresh database on TEST_DATABASE_URL (or the local server), migrates it and seeds
 *    100,000 questions with one INSERT … SELECT generate_series.
 * 2. Starts the real server on a loopback port and logs in as a superuser through the login form.
 * 3. Times each changelist scenario (first page, a middle page, a search, a date filter, a sorted
 *    page) over sequential requests and prints p50/p95 in milliseconds.
 * 4. Prints the highlights of the query plans those pages rely on, then drops the database.
 *
 * Run: `npm run bench:admin` (optionally BENCH_ROWS=… BENCH_REQUESTS=…). Prints numbers only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { installedApps } from '../src/apps/installed.js';
import { migrateApps } from '../src/core/apps/migrate-apps.js';
import { projectMigrations } from '../src/core/apps/project-migrations.js';
import { createRegistry } from '../src/core/apps/registry.js';
import { createUser } from '../src/core/auth/users.js';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { buildServer } from '../src/core/http/build-server.js';

const SERVER = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const ROWS = Number(process.env['BENCH_ROWS'] ?? 100_000);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 50);
const WARMUP = 5;
const PASSWORD = 'correct-horse-battery-staple';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A tiny cookie-keeping client over fetch. */
function client(base: string) {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (name && value !== undefined) jar.set(name.trim(), value);
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    async get(path: string): Promise<Response> {
      const res = await fetch(base + path, {
        headers: { cookie: cookie(), accept: 'text/html' },
        redirect: 'manual',
      });
      remember(res);
      return res;
    },
    async post(path: string, form: Record<string, string>): Promise<Response> {
      const res = await fetch(base + path, {
        method: 'POST',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        redirect: 'manual',
      });
      remember(res);
      return res;
    },
  };
}

async function main(): Promise<void> {
  const name = `slipway_bench_${process.pid}`;
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  await admin(`CREATE DATABASE "${name}"`);
  const config = loadConfig({
    cwd: tmp,
    env: {
      DATABASE_URL: url.toString(),
      SECRET_KEY: 'bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz',
      ALLOWED_HOSTS: '127.0.0.1,localhost',
      DATA_DIR: tmp,
      LOG_LEVEL: 'silent',
      DEBUG: '1',
    },
  });
  const log = pino({ level: 'silent' });
  const registry = createRegistry(installedApps);
  const database = await openDatabase(config.database, {
    log,
    schema: registry.schema,
    role: 'server',
    command: 'serve',
  });
  try {
    const migrations = projectMigrations(installedApps);
    await migrateApps(database, registry, migrations, { log });
    let started = performance.now();
    await database.exec(`
      INSERT INTO polls_question (question_text, pub_date)
      SELECT 'Question ' || g || ' about ' || (ARRAY['cats','dogs','tea','rain','code'])[1 + g % 5],
             now() - (g || ' minutes')::interval
      FROM generate_series(1, ${ROWS}) g;
      ANALYZE polls_question;`);
    console.log(
      `seeded ${ROWS.toLocaleString('en-US')} questions in ${Math.round(performance.now() - started)} ms`,
    );
    await createUser(database.db, {
      username: 'admin',
      password: PASSWORD,
      isStaff: true,
      isSuperuser: true,
    });

    const app = await buildServer({
      config,
      database,
      log,
      registry,
      migrations,
      lifecycle: { draining: false },
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const browser = client(base);
      await browser.get('/admin/login/');
      const login = await browser.post('/admin/login/', {
        username: 'admin',
        password: PASSWORD,
        csrf_token: browser.jar.get('csrftoken')!,
      });
      if (login.status !== 303) throw new Error(`login failed: ${login.status}`);

      const day = 86_400_000;
      const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const middle = Math.max(1, Math.floor(ROWS / 100 / 2));
      const scenarios: [string, string][] = [
        ['first page', '/admin/polls/question/'],
        [`middle page (p=${middle})`, `/admin/polls/question/?p=${middle}`],
        ['search "about tea"', '/admin/polls/question/?q=about+tea'],
        [
          'filter past 7 days',
          `/admin/polls/question/?pubDate__gte=${iso(Date.now() - 7 * day)}&pubDate__lt=${iso(Date.now() + day)}`,
        ],
        ['sorted by text, page 10', '/admin/polls/question/?o=questionText&p=10'],
      ];
      console.log(`\n${REQUESTS} sequential requests each, after ${WARMUP} warm-up requests (ms):`);
      console.log(
        `${'scenario'.padEnd(30)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'max'.padStart(8)}  rows`,
      );
      for (const [label, path] of scenarios) {
        for (let i = 0; i < WARMUP; i++) await (await browser.get(path)).text();
        const times: number[] = [];
        let body = '';
        for (let i = 0; i < REQUESTS; i++) {
          started = performance.now();
          const res = await browser.get(path);
          body = await res.text();
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const count = (/<p class="result-count" id="result-count">(.*?)<\/p>/.exec(body)?.[1] ?? '').replace(
          /<[^>]+>/g,
          '',
        );
        console.log(
          `${label.padEnd(30)} ${percentile(times, 50).toFixed(1).padStart(8)} ${percentile(times, 95).toFixed(1).padStart(8)} ${times.at(-1)!.toFixed(1).padStart(8)}  ${count.trim()}`,
        );
      }

      // The statements the changelist runs, as Drizzle builds them, for their plans.
      const plans: [string, string][] = [
        ['count(*)', 'SELECT count(*) FROM polls_question'],
        [
          'middle page',
          `SELECT * FROM polls_question ORDER BY pub_date DESC, id DESC LIMIT 100 OFFSET ${(middle - 1) * 100}`,
        ],
        [
          'filter page',
          `SELECT * FROM polls_question WHERE pub_date >= '${iso(Date.now() - 7 * day)}' AND pub_date < '${iso(Date.now() + day)}' ORDER BY pub_date DESC, id DESC LIMIT 100`,
        ],
        [
          'search count',
          `SELECT count(*) FROM polls_question WHERE question_text ILIKE '%about%' AND question_text ILIKE '%tea%'`,
        ],
        [
          'search page',
          `SELECT * FROM polls_question WHERE question_text ILIKE '%about%' AND question_text ILIKE '%tea%' ORDER BY pub_date DESC, id DESC LIMIT 100`,
        ],
        [
          'sorted page',
          'SELECT * FROM polls_question ORDER BY question_text, pub_date DESC, id DESC LIMIT 100 OFFSET 900',
        ],
      ];
      console.log('\nplan highlights (EXPLAIN ANALYZE):');
      for (const [label, sql] of plans) {
        const rows = await database.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS OFF) ${sql}`);
        const lines = rows.map((r) => r['QUERY PLAN']);
        const nodes = lines
          .filter((l) => /Scan|Sort|Limit|Aggregate/.test(l))
          .map((l) =>
            l
              .trim()
              .replace(/\s*\(cost=[^)]*\)/, '')
              .replace(/^->\s*/, ''),
          )
          .slice(0, 3);
        const time = lines.find((l) => l.startsWith('Execution Time'));
        console.log(`  ${label.padEnd(13)} ${time ?? ''}\n    ${nodes.join('\n    ')}`);
      }
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
