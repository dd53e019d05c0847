import { type ChildProcess, spawn } from 'node:child_process';
import type { PGlite } from '@electric-sql/pglite';
import type { PostgresConfig } from '../config/index.js';
import { BackupError } from './errors.js';
import { libpqTarget, pgProgram } from './pg-tools.js';
import type { ScriptPart } from './sql-script.js';

/** Which `SET x = …` statements a server knows: a newer pg_dump's settings are dropped for an older server. */
export function unknownSettingFilter(known: ReadonlySet<string>): (statement: string) => boolean {
  return (statement) => {
    const m = /^SET\s+([a-z_][a-z0-9_.]*)\s*(=|TO)/i.exec(statement);
    return Boolean(m && !known.has(m[1]!.toLowerCase()));
  };
}

/**
 * Runs a dump script in an embedded database: statements in batches, COPY data through
 * PGlite's `/dev/blob`. One batch at a time is in memory.
 */
export async function loadIntoPglite(pg: PGlite, script: AsyncIterable<ScriptPart>): Promise<void> {
  let copy: string | undefined;
  for await (const part of script) {
    if (part.type === 'sql') await pg.exec(part.sql);
    else if (part.type === 'copy-start') copy = part.sql.replace(/\sFROM\s+stdin\s*;$/i, " FROM '/dev/blob'");
    else if (part.type === 'copy-data') await pg.query(copy!, [], { blob: new Blob([part.data]) });
    else copy = undefined;
  }
}

/**
 * Pipes a dump script into `psql -v ON_ERROR_STOP=1` on `database`, byte for byte, except that
 * the preamble's `SET x = …` lines for settings the server does not know are left out (a newer
 * pg_dump's, such as PostgreSQL 17's transaction_timeout for a 15 server). The first failing
 * statement stops psql, and this throws with its message.
 */
export async function loadIntoPostgres(
  config: PostgresConfig,
  database: string,
  serverMajor: number,
  sql: AsyncIterable<Buffer>,
  skip: (statement: string) => boolean,
): Promise<void> {
  const target = libpqTarget(config, database);
  const child = spawn(pgProgram('psql', serverMajor), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...target.args], {
    // The staging database is not live: its many small commits (one per CREATE, ALTER, COPY)
    // need not wait for the disk. The swap's own commits are synchronous, and flush the WAL
    // before them, so what is swapped in is durable.
    env: { ...target.env, PGOPTIONS: '-c client_min_messages=warning -c synchronous_commit=off' },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  child.stdin.on('error', () => undefined); // psql stopped early: its exit code says why
  const write = async (chunk: Buffer | string) => {
    if (child.exitCode !== null) return;
    if (!child.stdin.write(chunk))
      await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited]);
  };
  try {
    let preamble: string | undefined = '';
    for await (const chunk of sql) {
      if (child.exitCode !== null) break;
      if (preamble === undefined) {
        await write(chunk);
        continue;
      }
      preamble += chunk.toString('utf8');
      const { kept, rest } = filterPreamble(preamble, skip);
      if (rest === undefined) continue; // the preamble goes on in the next chunk
      await write(kept + rest);
      preamble = undefined;
    }
    if (preamble) {
      const last = filterPreamble(preamble.endsWith('\n') ? preamble : `${preamble}\n`, skip);
      await write(last.kept + (last.rest ?? ''));
    }
  } catch (error) {
    child.kill();
    await exited;
    throw error;
  }
  child.stdin.end();
  const code = await exited;
  if (code !== 0) {
    const line =
      stderr.split('\n').find((l) => /ERROR|FATAL|error:/.test(l)) ?? stderr.trim().split('\n').pop();
    throw new BackupError(
      `restoring the database failed: ${line?.replace(/^psql:[^:]*:\d+: /, '') ?? `psql exit code ${code}`}`,
    );
  }
}

/**
 * Splits pg_dump's preamble (comments, blank lines, `SET …;`, `SELECT pg_catalog.set_config(…);`,
 * psql meta-commands) from the rest at the first other line, dropping the SET lines `skip`
 * refuses. `rest` is undefined while the text may still be inside the preamble.
 */
function filterPreamble(
  text: string,
  skip: (statement: string) => boolean,
): { kept: string; rest: string | undefined } {
  let kept = '';
  let at = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', at)) {
    const line = text.slice(at, nl);
    const preambleLine =
      line.trim() === '' ||
      line.startsWith('--') ||
      line.startsWith('\\') ||
      /^(SET |SELECT pg_catalog\.set_config\()/.test(line);
    if (!preambleLine) return { kept, rest: text.slice(at) };
    if (!(line.startsWith('SET ') && skip(line))) kept += `${line}\n`;
    at = nl + 1;
  }
  return { kept, rest: text.length > 1 << 20 ? text.slice(at) : undefined };
}

/**
 * Restores a pg_dump custom-format archive, as it streams, into `database` with `pg_restore
 * --exit-on-error` (owners and grants left out, as in the dump). pg_restore sends each table's
 * data to COPY as it reads it, and creates indexes and constraints after the data.
 */
export async function restoreIntoPostgres(
  config: PostgresConfig,
  database: string,
  serverMajor: number,
  dump: AsyncIterable<Buffer>,
): Promise<void> {
  const target = libpqTarget(config, database);
  const child = spawn(
    pgProgram('pg_restore', serverMajor),
    ['--no-owner', '--no-privileges', '--exit-on-error', ...target.args],
    {
      // See loadIntoPostgres: the staging database's commits need not wait for the disk.
      env: { ...target.env, PGOPTIONS: '-c client_min_messages=warning -c synchronous_commit=off' },
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  const stderr = collect(child.stderr);
  const exited = exitOf(child);
  await feed(child, exited, dump);
  const code = await exited;
  if (code !== 0)
    throw new BackupError(`restoring the database failed: ${errorLine(stderr(), 'pg_restore', code)}`);
}

/**
 * A pg_dump custom-format archive as the plain SQL script it stands for (`pg_restore -f -`), for
 * PGlite, which runs scripts only. Needs a pg_restore at least as new as the pg_dump that wrote it.
 */
export async function* customToScript(dump: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let program: string;
  try {
    program = pgProgram('pg_restore', 0);
  } catch {
    throw new BackupError(
      "the archive's database is in pg_dump's custom format (made on PostgreSQL): restoring it into PGlite needs pg_restore (apt-get install postgresql-client)",
    );
  }
  const child = spawn(program, ['--no-owner', '--no-privileges', '--file=-'], {
    env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = collect(child.stderr);
  const exited = exitOf(child);
  const fed = feed(child, exited, dump);
  fed.catch(() => undefined);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
    await fed;
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0)
    throw new BackupError(`reading the database dump failed: ${errorLine(stderr(), 'pg_restore', code)}`);
}

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (d: Buffer) => {
    text = (text + d.toString()).slice(-4000);
  });
  return () => text;
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

/** Writes `chunks` to the child's stdin with backpressure, and ends it; stops early if it exits. */
async function feed(
  child: ChildProcess,
  exited: Promise<number>,
  chunks: AsyncIterable<Buffer>,
): Promise<void> {
  const stdin = child.stdin!;
  stdin.on('error', () => undefined); // the child stopped early: its exit code says why
  try {
    for await (const chunk of chunks) {
      if (child.exitCode !== null) break;
      if (!stdin.write(chunk)) await Promise.race([new Promise((r) => stdin.once('drain', r)), exited]);
    }
  } catch (error) {
    child.kill();
    await exited.catch(() => undefined);
    throw error;
  }
  stdin.end();
}

function errorLine(stderr: string, program: string, code: number): string {
  const line =
    stderr.split('\n').find((l) => /ERROR|FATAL|error:/.test(l)) ?? stderr.trim().split('\n').pop();
  return line?.replace(/^(psql|pg_restore):( error:)?( [^:]*:\d+:)? /, '') || `${program} exit code ${code}`;
}
