import { spawn } from 'node:child_process';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PgliteConfig, PostgresConfig } from '../config/index.js';
import { type DatabaseInfo, readDatabaseInfo } from './database-info.js';
import { BackupError } from './errors.js';
import { connectPostgres, onServerOf } from './pg-client.js';
import { libpqTarget, pgProgram } from './pg-tools.js';

/** pg_dump's options: owned by whoever restores it, without grants. */
const DUMP_OPTIONS = ['--no-owner', '--no-privileges', '--encoding=UTF8'];
/**
 * A server's dump: pg_dump's custom format, compressed by pg_dump (level 1: fast, the archive is
 * encrypted after), so that a restore is `pg_restore`, which streams the data to COPY without
 * parsing it, as an operator's `pg_dump -Fc | pg_restore` does.
 */
const CUSTOM_FORMAT = ['--format=custom', '--compress=1'];

/**
 * Dumps the configured database into `out` (PostgreSQL: pg_dump's custom format; PGlite: a
 * plain SQL script, which is what PGlite's pg_dump writes and runs), and returns what the manifest
 * records about it (versions, applied migrations, row counts) from the same snapshot.
 *
 * PostgreSQL: 1. a REPEATABLE READ transaction exports its snapshot; 2. the counts are read in
 * it; 3. the newest installed `pg_dump` (at least the server's major) dumps that very snapshot
 * with `--snapshot`, streaming; 4. the transaction ends. So the dump and the counts are one
 * moment, whatever writes run meanwhile.
 *
 * PGlite: the database is taken for this process (a running server is refused), and PGlite's
 * own pg_dump (wasm) dumps it. That pg_dump writes to an in-memory file: memory grows with the
 * size of the dump (see the README's limit).
 */
export async function dumpDatabase(
  config: PgliteConfig | PostgresConfig,
  out: Writable,
): Promise<DatabaseInfo> {
  return config.engine === 'postgres' ? dumpPostgres(config, out) : dumpPglite(config, out);
}

async function dumpPostgres(config: PostgresConfig, out: Writable): Promise<DatabaseInfo> {
  let client: Awaited<ReturnType<typeof connectPostgres>>;
  try {
    client = await connectPostgres(config);
  } catch (error) {
    throw new BackupError(`cannot connect to the database: ${(error as Error).message}`);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const [{ snapshot, major }] = (
      await client.query<{ snapshot: string; major: number }>(
        "SELECT pg_export_snapshot() AS snapshot, current_setting('server_version_num')::int / 10000 AS major",
      )
    ).rows as [{ snapshot: string; major: number }];
    const info = await readDatabaseInfo(
      { query: async (sql, params) => (await client.query(sql, params as unknown[])).rows },
      'postgres',
    );
    // The server that exported the snapshot (the writable one of several hosts), not a choice anew.
    const target = libpqTarget(onServerOf(config, client));
    const child = spawn(
      pgProgram('pg_dump', major),
      [...CUSTOM_FORMAT, ...DUMP_OPTIONS, `--snapshot=${snapshot}`, ...target.args],
      {
        env: target.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const exited = new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    await pipeline(child.stdout, out);
    const code = await exited;
    if (code !== 0) throw new BackupError(`pg_dump failed: ${lastLine(stderr) || `exit code ${code}`}`);
    await client.query('COMMIT');
    return info;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dumpPglite(config: PgliteConfig, out: Writable): Promise<DatabaseInfo> {
  // Loaded only here: a PostgreSQL backup needs neither PGlite nor the database layer it opens with.
  const { ownPglite } = await import('./own-pglite.js');
  const { pgDump } = await import('@electric-sql/pglite-tools/pg_dump');
  const owned = await ownPglite(config.dir, 'create');
  try {
    const info = await readDatabaseInfo(
      { query: async (sql, params) => (await owned.pg.query(sql, params)).rows as never },
      'pglite',
    );
    let file: File;
    try {
      // --rows-per-insert keeps the INSERTs that pgDump insists on (so PGlite can run them) few.
      file = await pgDump({
        pg: owned.pg,
        args: ['--format=plain', ...DUMP_OPTIONS, '--rows-per-insert=500'],
      });
    } catch (error) {
      throw new BackupError(`PGlite's pg_dump failed: ${lastLine((error as Error).message)}`);
    }
    await pipeline(Readable.fromWeb(file.stream() as never), out);
    return info;
  } finally {
    await owned.close();
  }
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter(Boolean)
      .pop()
      ?.replace(/^pg_dump: (error: )?/, '') ?? ''
  );
}
