import { spawn } from 'node:child_process';
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
    env: { ...target.env, PGOPTIONS: '-c client_min_messages=warning' },
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
