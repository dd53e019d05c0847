// `npm run bench`: the app under load, on PGlite and on PostgreSQL.
//
// For each engine: 1. seed a fresh database (1,000 questions with 4 choices, 1,000 persons with
// their contacts, a superuser and an API token); 2. measure the ceiling, a bare Fastify route
// running one SELECT through the same driver, in its own process, and beside it the detail
// page's query alone on a bare route (what the query costs, without the framework); 3. start
// `slipway serve` in its own process and load each endpoint from this process with autocannon
// (64 connections, DURATION seconds, after WARMUP seconds that are not counted); 4. after the
// vote run, check that the votes in the database equal the successful vote responses. Prints
// one table per engine and writes them to BENCHMARKS.md.
//
// Options: --duration=S (10), --warmup=S (2), --engines=pglite,postgres, --postgres=URL,
// --profile=DIR (the server writes a V8 CPU profile there when it stops), --only=KEY,KEY (these
// endpoints only, and BENCHMARKS.md is left alone: ceiling, detail-query, polls, detail,
// results, vote, api-list, admin-changelist), --queue-stats (PGlite: the server prints where the
// time went when it stops: event-loop delay, time before and in the database queue, GC).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../src/core/config/index.js';
import { openDatabase } from '../src/core/db/open-database.js';
import { projectRoot } from '../src/core/paths.js';
import { freePort } from '../src/core/testing/free-port.js';
import { type Poll, seedBenchDatabase } from './seed-database.js';

const DURATION = Number(process.argv.find((a) => a.startsWith('--duration='))?.split('=')[1] ?? 10);
const WARMUP = Number(process.argv.find((a) => a.startsWith('--warmup='))?.split('=')[1] ?? 2);
const CONNECTIONS = 64;
const SERVER_URL =
  process.argv.find((a) => a.startsWith('--postgres='))?.split('=')[1] ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'Quiet-Harbour-7731';
/** The server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools). */
const PROFILE_DIR = process.argv.find((a) => a.startsWith('--profile='))?.split('=')[1];
const log = pino({ level: 'warn' });
const ONLY = process.argv
  .find((a) => a.startsWith('--only='))
  ?.split('=')[1]
  ?.split(',');
const want = (key: string) => !ONLY || ONLY.includes(key);
const QUEUE_STATS = process.argv.includes('--queue-stats');
/** The tsx loader by path: `--import tsx` would resolve from the child's cwd, a scratch folder. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Row {
  endpoint: string;
  rps: number;
  p50: number;
  p99: number;
  /** 4xx and 5xx responses but 503. */
  bad: number;
  /** 503 responses: the server said it was busy (Retry-After), an answer all the same. */
  busy: number;
  /**
   * Requests with no response: autocannon's 10 s timeouts and connection errors (autocannon
   * counts a timeout in both `errors` and `timeouts`, so `errors` alone is the sum).
   */
  failed: number;
  /** Requests sent but not yet answered when the run stopped (cut off, not failed). */
  inFlight: number;
  ok: number;
  rssMb: number;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** A fresh database: a new PGlite folder, or a new database on the server. */
async function freshDatabase(engine: 'pglite' | 'postgres') {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  if (engine === 'pglite') {
    return {
      url: `pglite://${join(tmp, 'pglite')}`,
      tmp,
      drop: async () => rmSync(tmp, { recursive: true, force: true }),
    };
  }
  const name = `slipway_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    tmp,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

function start(args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  return spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const peakRssMb = (pid: number) => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
};

/**
 * Loads one endpoint and reads its figures. The first WARMUP seconds are not counted: they go to
 * V8 compiling the hot paths and to the pool opening its connections, which a server that has
 * been up for a minute has long done. `warmup` replaces the request for that phase (the vote run
 * warms up on another question, so that the counted votes can be checked exactly).
 */
async function load(
  name: string,
  opts: autocannon.Options,
  pid: number,
  warmup: autocannon.Options = opts,
): Promise<Row> {
  if (WARMUP > 0) {
    const { amount: _amount, ...rest } = warmup;
    await autocannon({ connections: CONNECTIONS, ...rest, duration: WARMUP });
  }
  const result = await autocannon({
    connections: CONNECTIONS,
    ...(opts.amount ? {} : { duration: DURATION }),
    ...opts,
  });
  return {
    endpoint: name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result['4xx'] + result['5xx'] - (result.statusCodeStats?.['503']?.count ?? 0),
    busy: result.statusCodeStats?.['503']?.count ?? 0,
    failed: result.errors,
    inFlight: Math.max(0, result.requests.sent - result.requests.total - result.errors),
    ok: result['2xx'] + result['3xx'],
    rssMb: peakRssMb(pid),
  };
}

const VOTES_SQL = 'SELECT sum(votes) AS n FROM polls_choice WHERE question_id = $1';

function cookiesOf(response: Response): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [k, v] = pair!.split('=');
    if (k && v) jar[k.trim()] = v.trim();
  }
  return jar;
}

async function benchEngine(engine: 'pglite' | 'postgres'): Promise<{ rows: Row[]; votesOk: string }> {
  const db = await freshDatabase(engine);
  try {
    const seedStarted = Date.now();
    const { key, polls } = await seedBenchDatabase(db.url, db.tmp, {
      persons: 1000,
      username: 'loadtester',
      password: PASSWORD,
    });
    const [{ questionId, choiceIds }, warmupPoll] = polls;
    console.error(`[${engine}] seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
    const rows: Row[] = [];

    const ceilingPort = await freePort();
    const ceiling = !(want('ceiling') || want('detail-query'))
      ? undefined
      : start(
          ['--import', tsxLoader, join(projectRoot, 'bench', 'ceiling-server.ts')],
          { DATABASE_URL: db.url, PORT: String(ceilingPort) },
          db.tmp,
        );
    if (ceiling)
      try {
        await waitFor(`http://127.0.0.1:${ceilingPort}/ceiling`);
        if (want('ceiling'))
          rows.push(
            await load(
              'ceiling: bare route, one SELECT',
              { url: `http://127.0.0.1:${ceilingPort}/ceiling` },
              ceiling.pid!,
            ),
          );
        if (want('detail-query'))
          rows.push(
            await load(
              "bare route, the detail page's query",
              { url: `http://127.0.0.1:${ceilingPort}/ceiling/detail/${questionId}` },
              ceiling.pid!,
            ),
          );
      } finally {
        await stop(ceiling);
      }

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = start(
      [
        ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
        join(projectRoot, 'bin', 'slipway.js'),
        'serve',
      ],
      {
        DATABASE_URL: db.url,
        SECRET_KEY: randomBytes(32).toString('hex'),
        ALLOWED_HOSTS: '127.0.0.1',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DB_POOL_MAX: '16',
        ...(QUEUE_STATS ? { SLIPWAY_QUEUE_STATS: '1' } : {}),
      },
      db.tmp,
    );
    try {
      await waitFor(`${base}/readyz`);
      const pid = server.pid!;
      // A visitor's CSRF cookie and token, for the vote form.
      const detail = await fetch(`${base}/polls/${questionId}/`);
      const csrf = cookiesOf(detail)['csrftoken']!;
      // A staff session for the admin changelist.
      const loginPage = await fetch(`${base}/admin/login/`);
      const loginCsrf = cookiesOf(loginPage)['csrftoken']!;
      const login = await fetch(`${base}/admin/login/`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${loginCsrf}` },
        body: new URLSearchParams({
          username: 'loadtester',
          password: PASSWORD,
          csrf_token: loginCsrf,
        }).toString(),
      });
      const session = cookiesOf(login)['sessionid'];
      if (!session) throw new Error(`admin login failed: ${login.status}`);

      // The public pages are loaded as a returning visitor, who sends back the CSRF cookie that
      // the first page set (autocannon keeps no cookies: without it, every request would be a
      // first visit and be handed a new token).
      const visitor = { headers: { cookie: `csrftoken=${csrf}` } };
      if (want('polls')) rows.push(await load('GET /polls/', { url: `${base}/polls/`, ...visitor }, pid));
      if (want('detail'))
        rows.push(await load('GET /polls/<id>/', { url: `${base}/polls/${questionId}/`, ...visitor }, pid));
      const results = !want('results')
        ? undefined
        : await load(
            'GET /polls/<id>/results/',
            { url: `${base}/polls/${questionId}/results/`, ...visitor },
            pid,
          );
      if (results) rows.push(results);
      // A timed run stops with requests in flight that the server still applies, so the vote run
      // sends a fixed number instead (about DURATION seconds' worth at the results page's rate):
      // then every vote the server applied has its response counted.
      const amount = Math.max(2000, Math.round((results?.rps ?? 0) * DURATION));
      const votes = (poll: Poll): autocannon.Options => {
        let next = 0;
        return {
          url: base,
          requests: [
            {
              method: 'POST',
              path: `/polls/${poll.questionId}/vote/`,
              headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `csrftoken=${csrf}` },
              setupRequest: (request) => {
                const choice = poll.choiceIds[next++ % poll.choiceIds.length];
                return { ...request, body: `choice=${choice}&csrf_token=${csrf}` };
              },
            },
          ],
        };
      };
      const vote = !want('vote')
        ? undefined
        : await load(
            'POST /polls/<id>/vote/',
            { ...votes({ questionId, choiceIds }), amount },
            pid,
            votes(warmupPoll),
          );
      if (vote) rows.push(vote);
      if (want('api-list'))
        rows.push(
          await load(
            'GET /api/v1/contacts/person/?page=2',
            {
              url: `${base}/api/v1/contacts/person/?page=2`,
              headers: { authorization: `Token ${key}` },
            },
            pid,
          ),
        );
      if (want('admin-changelist'))
        rows.push(
          await load(
            'GET /admin/polls/question/ (logged in)',
            {
              url: `${base}/admin/polls/question/`,
              headers: { cookie: `sessionid=${session}; csrftoken=${loginCsrf}` },
            },
            pid,
          ),
        );
      if (!vote) return { rows, votesOk: '' };

      const check = new pg.Client(
        engine === 'postgres' ? { connectionString: db.url } : { host: '/nonexistent' },
      );
      let total: number;
      if (engine === 'postgres') {
        await check.connect();
        total = Number((await check.query(VOTES_SQL, [questionId])).rows[0].n);
        await check.end();
      } else {
        await stop(server); // PGlite: one process at a time
        const config = loadConfig({ env: { DATABASE_URL: db.url }, cwd: db.tmp, requireSecretKey: false });
        const database = await openDatabase(config.database, { log, role: 'client' });
        total = Number((await database.query<{ n: string }>(VOTES_SQL, [questionId]))[0]!.n);
        await database.close();
      }
      const votesOk =
        total === vote.ok
          ? `votes in the database = ${total} = successful votes ✓`
          : `MISMATCH: ${total} votes in the database, ${vote.ok} successful responses`;
      return { rows, votesOk };
    } finally {
      await stop(server);
    }
  } finally {
    await db.drop();
  }
}

function table(rows: Row[]): string {
  const ceiling = rows[0]?.endpoint.startsWith('ceiling') ? rows[0].rps : undefined;
  const lines = [
    '| Endpoint | req/s | p50 ms | p99 ms | p99 / p50 | 4xx/5xx but 503 | 503 busy | no answer | in flight at the end | peak RSS MiB | × ceiling |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.endpoint} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${(r.p99 / Math.max(r.p50, 1)).toFixed(1)} | ${r.bad} | ${r.busy} | ${r.failed} | ${r.inFlight} | ${r.rssMb} | ${ceiling ? `${((r.rps / ceiling) * 100).toFixed(0)} %` : '–'} |`,
    ),
  ];
  return lines.join('\n');
}

const engines = (
  process.argv.find((a) => a.startsWith('--engines='))?.split('=')[1] ?? 'pglite,postgres'
).split(',') as ('pglite' | 'postgres')[];
const startLoad = loadavg()[0]!.toFixed(1);
const sections: string[] = [];
for (const engine of engines) {
  const { rows, votesOk } = await benchEngine(engine);
  const section = `### ${engine === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL 15 on 127.0.0.1'}\n\n${table(rows)}\n\n${votesOk}\n`;
  if (ONLY)
    console.error(
      `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`,
    );
  console.log(`\n${section}`);
  sections.push(section);
}

const header = `## The app under load (\`npm run bench\`)\n\n${new Date().toISOString().slice(0, 10)} · Debian 12, ${cpus().length} vCPU (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB · Node.js ${process.versions.node} · \`bench/app-bench.ts\`: autocannon from the bench process, ${CONNECTIONS} connections, ${DURATION} s per endpoint after ${WARMUP} s of warm-up that are not counted; the server (\`slipway serve\`, a pool of 16 connections) and the ceiling (a bare Fastify route running \`SELECT 1\` through the same driver) each in their own process. "4xx/5xx but 503" counts error answers; "503 busy" counts the PGlite queue's refusals (503 with Retry-After, at once when the expected wait passes its 5 s limit: an answer, not a failure); "no answer" counts requests that got none (autocannon's 10 s timeouts and connection errors, each once); "in flight at the end" counts requests cut off by the end of the run (at most one per connection, not failures). Latencies are those of the 2xx answers only (autocannon records no other). Load average (1 min) at the start and at the end of the run: ${startLoad} and ${loadavg()[0]!.toFixed(1)}. "× ceiling" is the endpoint's requests per second over the ceiling's. The second row runs the detail page's query (the same prepared statement) on a bare route: what the query alone costs. The public pages are loaded as a returning visitor, who sends the CSRF cookie back. Seeded: 1,000 questions with 4 choices, 1,000 persons with an address, a telephone and an e-mail.\n\n`;
if (ONLY) process.exit(0); // a partial run leaves BENCHMARKS.md alone
const file = join(projectRoot, 'BENCHMARKS.md');
const current = readFileSync(file, 'utf8');
const marker = '## The app under load';
// This section is replaced; the sections after it (the next "## " heading on) are kept.
const at = current.indexOf(marker);
const next = at === -1 ? -1 : current.indexOf('\n## ', at + marker.length);
const before = at === -1 ? current.trimEnd() : current.slice(0, at).trimEnd();
const after = next === -1 ? '' : `\n${current.slice(next + 1)}`;
writeFileSync(`${file}.tmp`, `${before}\n\n${header}${sections.join('\n')}${after}`);
(await import('node:fs')).renameSync(`${file}.tmp`, file);
console.log('\nwritten to BENCHMARKS.md');
