/**
 * Benchmark: `slipway backup create` and `restore` against what an operator scripts by hand.
 *
 * 1. Creates a database on the server (TEST_DATABASE_URL or the local one), migrates it, and
 *    fills one table with generated rows until the database holds --db-mb megabytes (default
 *    1024); writes --media-mb megabytes (default 200) of random files as MEDIA_ROOT.
 * 2. Times, each in its own processes, with peak RSS from GNU time:
 *    - baseline create: `pg_dump -Fc | age -r <recipient> > file` (the database only);
 *    - `slipway backup create` (the database and the media);
 *    - baseline restore: `age -d -i key file | pg_restore -d <empty database>`;
 *    - `slipway backup restore latest --no-input` (into the benchmark database).
 * 3. Prints throughput (MB of database plus media handled per second), wall time and peak RSS,
 *    and writes them to BENCHMARKS.md ("## Backups"), then drops what it made.
 *
 * Run: `npx tsx bench/backup.ts [--db-mb=1024] [--media-mb=200]` on a quiet machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { projectRoot } from '../src/core/paths.js';

const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const DB_MB = arg('db-mb', 1024);
const MEDIA_MB = arg('media-mb', 200);
const SERVER = process.env['TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = 'slipway_bench_backup';
const COPY = 'slipway_bench_backup_copy';
const slipway = join(projectRoot, 'bin', 'slipway.js');

const urlFor = (db: string) => Object.assign(new URL(SERVER), { pathname: `/${db}` }).toString();
async function admin(
  sql: string,
  db = new URL(SERVER).pathname.slice(1) || 'postgres',
): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: urlFor(db) });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

interface Run {
  step: string;
  mb: number;
  wallS: number;
  rssMiB: number;
}

/** Runs a shell pipeline under GNU time (per process) and returns wall time and the largest peak RSS. */
function timed(step: string, mb: number, script: string, env: NodeJS.ProcessEnv): Run {
  const started = process.hrtime.bigint();
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', script], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${step} failed: ${r.stderr}`);
  const rss = [...r.stderr.matchAll(/^RSS_KB=(\d+)$/gm)].map((m) => Number(m[1]));
  return { step, mb, wallS, rssMiB: Math.max(...rss) / 1024 };
}
const T = '/usr/bin/time -f RSS_KB=%M';

const work = mkdtempSync(join(tmpdir(), 'slipway-bench-backup-'));
try {
  console.log(`preparing ${DB_MB} MB of database and ${MEDIA_MB} MB of media…`);
  await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin(`DROP DATABASE IF EXISTS ${COPY} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${NAME}`);
  const env = {
    DATABASE_URL: urlFor(NAME),
    DATA_DIR: work,
    MEDIA_ROOT: join(work, 'media'),
    BACKUP_DIR: join(work, 'backups'),
    LOG_LEVEL: 'warn',
  };
  execFileSync(process.execPath, [slipway, 'migrate'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  await admin(
    'CREATE TABLE bench_rows (id bigserial PRIMARY KEY, n integer NOT NULL, payload text NOT NULL)',
    NAME,
  );
  for (;;) {
    await admin(
      'INSERT INTO bench_rows (n, payload) SELECT g, md5(g::text) || repeat(md5(random()::text), 6) FROM generate_series(1, 500000) g',
      NAME,
    );
    const [{ mb }] = (await admin(`SELECT pg_database_size('${NAME}') / 1048576.0 AS mb`, NAME)) as [
      { mb: string },
    ];
    if (Number(mb) >= DB_MB) break;
  }
  const [{ mb: dbMbText }] = (await admin(`SELECT pg_database_size('${NAME}') / 1048576.0 AS mb`, NAME)) as [
    { mb: string },
  ];
  const dbMb = Number(dbMbText);
  mkdirSync(join(work, 'media', 'attachments'), { recursive: true });
  for (let i = 0; i < MEDIA_MB; i++)
    writeFileSync(join(work, 'media', 'attachments', `f${i}.bin`), randomBytes(1 << 20));
  execFileSync('age-keygen', ['-o', join(work, 'key.txt')], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', join(work, 'key.txt')], { encoding: 'utf8' }).trim();
  const keyEnv = {
    ...env,
    BACKUP_AGE_RECIPIENTS: recipient,
    BACKUP_AGE_IDENTITY_FILE: join(work, 'key.txt'),
  };

  const loadBefore = loadavg()[0]!;
  const runs: Run[] = [];
  const both = dbMb + MEDIA_MB;
  runs.push(
    timed(
      'baseline: pg_dump -Fc | age -r',
      dbMb,
      `${T} pg_dump -Fc -d "$DATABASE_URL" | ${T} age -r ${recipient} > ${work}/base.age`,
      env,
    ),
  );
  runs.push(timed('slipway backup create', both, `${T} node ${slipway} backup create`, keyEnv));
  await admin(`CREATE DATABASE ${COPY}`);
  runs.push(
    timed(
      'baseline: age -d | pg_restore',
      dbMb,
      `${T} age -d -i ${work}/key.txt ${work}/base.age | ${T} pg_restore --no-owner -d "${urlFor(COPY)}"`,
      env,
    ),
  );
  runs.push(
    timed('slipway backup restore', both, `${T} node ${slipway} backup restore latest --no-input`, keyEnv),
  );
  const loadAfter = loadavg()[0]!;
  const archive = readdirSync(join(work, 'backups')).find((f) => f.endsWith('.tar.age'))!;
  const sizes = `archive ${(statSync(join(work, 'backups', archive)).size / 1048576).toFixed(0)} MiB, baseline file ${(statSync(join(work, 'base.age')).size / 1048576).toFixed(0)} MiB`;

  const rows = runs.map(
    (r) =>
      `| ${r.step.replace(/\|/g, '\\|')} | ${r.mb.toFixed(0)} | ${r.wallS.toFixed(1)} | ${(r.mb / r.wallS).toFixed(1)} | ${r.rssMiB.toFixed(0)} |`,
  );
  const ratio = (a: number, b: number) =>
    ((runs[a]!.mb / runs[a]!.wallS / (runs[b]!.mb / runs[b]!.wallS)) * 100).toFixed(0);
  const section =
    `## Backups (\`npm run bench:backup\`)\n\n${new Date().toISOString().slice(0, 10)} · Debian 12, ${cpus().length} vCPU, ${Math.round(totalmem() / 2 ** 30)} GiB · Node.js ${process.versions.node} · PostgreSQL on 127.0.0.1 · \`bench/backup.ts --db-mb=${DB_MB} --media-mb=${MEDIA_MB}\`: a database of ${dbMb.toFixed(0)} MB (pg_database_size) and ${MEDIA_MB} MB of random media; ${sizes}. MB/s counts the database (and, for slipway, the media) handled per second of wall time; peak RSS is the largest process of the pipeline (GNU time). Load average (1 min) ${loadBefore.toFixed(1)} before the four steps and ${loadAfter.toFixed(1)} after, on ${cpus().length} cores shared with other work.\n\n` +
    `| Step | MB | Wall s | MB/s | Peak RSS MiB |\n|---|---|---|---|---|\n${rows.join('\n')}\n\n` +
    `slipway's create runs at ${ratio(1, 0)} % of the baseline's throughput and its restore at ${ratio(3, 2)} % (target: 90 %; peak RSS target: 150 MiB).\n`;
  console.log(`\n${section}`);
  const file = join(projectRoot, 'BENCHMARKS.md');
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf('## Backups (');
  const next = start === -1 ? -1 : current.indexOf('\n## ', start + 1);
  const before =
    start === -1 ? current.slice(0, current.indexOf('## The app under load')) : current.slice(0, start);
  const after =
    start === -1 ? current.slice(current.indexOf('## The app under load')) : current.slice(next + 1);
  writeFileSync(`${file}.tmp`, `${before.trimEnd()}\n\n${section}\n${after}`);
  renameSync(`${file}.tmp`, file);
  console.log('written to BENCHMARKS.md');
} finally {
  await admin(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`).catch(() => undefined);
  await admin(`DROP DATABASE IF EXISTS ${COPY} WITH (FORCE)`).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
