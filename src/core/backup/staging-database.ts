import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { DatabaseConfig, PgliteConfig, PostgresConfig } from '../config/index.js';
import { syncFolder } from './create-backup.js';
import { type DatabaseInfo, readDatabaseInfo } from './database-info.js';
import { BackupError } from './errors.js';
import {
  customToScript,
  loadIntoPglite,
  loadIntoPostgres,
  restoreIntoPostgres,
  unknownSettingFilter,
} from './load-script.js';
import { CUSTOM_DUMP_MEMBER } from './manifest.js';
import { lockPglite } from './own-pglite.js';
import { connectPostgres, ident, maintenanceDatabase, onServerOf } from './pg-client.js';
import type { ScriptPart } from './sql-script.js';
import { splitScript } from './sql-script.js';

/** A database beside the live one that a backup is restored into before anything live changes. */
export interface StagingDatabase {
  /** Runs a dump script (the archive's database.sql.gz, decompressed) in it. */
  load(sql: AsyncIterable<Buffer>): Promise<void>;
  /** Restores a pg_dump custom-format archive (the archive's database.dump) in it. */
  loadCustom(dump: AsyncIterable<Buffer>): Promise<void>;
  /** Versions, applied migrations and row counts of what was loaded. */
  info(): Promise<DatabaseInfo>;
  /** Puts it in place of the live database (restore only). */
  swapIn(): Promise<void>;
  /** Removes it, and releases what it holds; safe to call after swapIn. */
  discard(): Promise<void>;
}

/** The advisory lock a restore holds, on the maintenance database: ('SLPR', hashtext(<live database>)). */
const RESTORE_LOCK = 0x534c5052;

/**
 * A staging database for `purpose`:
 * - 'verify': a scratch database (`<db>_verify_<random>` on the server, a scratch PGlite folder
 *   in `scratchDir`), removed afterwards; the live database is never touched.
 * - 'restore': `<db>_restore_staging` on the server (under an advisory lock, so restores run
 *   one at a time), or `<folder>.restore-staging` beside the PGlite folder (whose lock is taken,
 *   so no server starts meanwhile). What a killed restore left there is removed first.
 */
export async function createStaging(
  config: DatabaseConfig,
  purpose: 'verify' | 'restore',
  scratchDir: string,
): Promise<StagingDatabase> {
  return config.engine === 'postgres'
    ? postgresStaging(config, purpose)
    : pgliteStaging(config, purpose, scratchDir);
}

async function postgresStaging(
  config: PostgresConfig,
  purpose: 'verify' | 'restore',
): Promise<StagingDatabase> {
  const live = config.database;
  const suffix = purpose === 'verify' ? `_verify_${randomBytes(3).toString('hex')}` : '_restore_staging';
  const name = `${live.slice(0, 63 - suffix.length)}${suffix}`;
  let admin: pg.Client;
  try {
    admin = await connectPostgres(config, maintenanceDatabase(live));
  } catch (error) {
    throw new BackupError(`cannot connect to the server: ${(error as Error).message}`);
  }
  const q = async <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) =>
    (await admin.query<T>(sql, params)).rows;
  // The staging database is made on the server that accepts writes; it is loaded and read there,
  // never through the host list, whose standby may not have replayed its CREATE DATABASE yet.
  const server = onServerOf(config, admin);
  try {
    if (purpose === 'restore') {
      // Keyed by the live database's name: restores of other databases on the server may run.
      const [got] = await q<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
        RESTORE_LOCK,
        live,
      ]);
      if (!got?.ok) throw new BackupError(`another backup restore of ${live} is running`);
    }
    await q(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
    await q(`CREATE DATABASE ${ident(name)} TEMPLATE template0 ENCODING 'UTF8'`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    if (error instanceof BackupError) throw error;
    throw new BackupError(`cannot create the staging database ${name}: ${(error as Error).message}`);
  }
  const [{ major }] = (await q<{ major: number }>(
    "SELECT current_setting('server_version_num')::int / 10000 AS major",
  )) as [{ major: number }];
  const known = new Set((await q<{ name: string }>('SELECT name FROM pg_settings')).map((r) => r.name));
  let swapped = false;
  let closed = false;
  return {
    load: (sql) => loadIntoPostgres(server, name, major, sql, unknownSettingFilter(known)),
    loadCustom: (dump) => restoreIntoPostgres(server, name, major, dump),
    async info() {
      const client = await connectPostgres(server, name);
      try {
        return await readDatabaseInfo(
          { query: async (s, p) => (await client.query(s, p as unknown[])).rows },
          'postgres',
        );
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async swapIn() {
      // Running servers: their connections are ended, and their pools reconnect to the same name,
      // which is now the restored database. New connections are refused for the instant between.
      const old = `${live.slice(0, 63 - '_pre_restore'.length)}_pre_restore`;
      await q(`DROP DATABASE IF EXISTS ${ident(old)} WITH (FORCE)`);
      await q(`ALTER DATABASE ${ident(live)} ALLOW_CONNECTIONS false`);
      try {
        await q(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [live],
        );
        await q(`ALTER DATABASE ${ident(live)} RENAME TO ${ident(old)}`);
      } catch (error) {
        await q(`ALTER DATABASE ${ident(live)} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw new BackupError(
          `cannot take the live database out of service: ${(error as Error).message}; nothing was changed`,
        );
      }
      try {
        await q(`ALTER DATABASE ${ident(name)} RENAME TO ${ident(live)}`);
      } catch (error) {
        await q(`ALTER DATABASE ${ident(old)} RENAME TO ${ident(live)}`).catch(() => undefined);
        await q(`ALTER DATABASE ${ident(live)} ALLOW_CONNECTIONS true`).catch(() => undefined);
        throw new BackupError(
          `cannot put the restored database in place: ${(error as Error).message}; nothing was changed`,
        );
      }
      swapped = true;
      await q(`DROP DATABASE IF EXISTS ${ident(old)} WITH (FORCE)`);
    },
    async discard() {
      if (closed) return;
      closed = true;
      try {
        if (!swapped) await q(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } finally {
        // Released here rather than by the session's end, which the server completes only after
        // the client has gone: a restore started right after this one could still find it held.
        if (purpose === 'restore')
          await q('SELECT pg_advisory_unlock($1, hashtext($2))', [RESTORE_LOCK, live]).catch(() => undefined);
        await admin.end().catch(() => undefined);
      }
    },
  };
}

async function pgliteStaging(
  config: PgliteConfig,
  purpose: 'verify' | 'restore',
  scratchDir: string,
): Promise<StagingDatabase> {
  const live = config.dir;
  const lock = purpose === 'restore' ? lockPglite(live, 'restore') : undefined;
  const dir =
    purpose === 'restore'
      ? `${live}.restore-staging`
      : join(scratchDir, `.verify-${randomBytes(3).toString('hex')}`);
  let pg: PGlite | undefined;
  try {
    rmSync(dir, { recursive: true, force: true });
    pg = await PGlite.create({ dataDir: dir });
  } catch (error) {
    lock?.release();
    throw new BackupError(`cannot create the staging database in ${dir}: ${(error as Error).message}`);
  }
  const db = pg;
  let swapped = false;
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await db.close().catch(() => undefined);
    }
  };
  const load = async (sql: AsyncIterable<Buffer>) => {
    const known = new Set(
      (await db.query<{ name: string }>('SELECT name FROM pg_settings')).rows.map((r) => r.name),
    );
    await loadIntoPglite(db, splitScript(sql, unknownSettingFilter(known)) as AsyncIterable<ScriptPart>);
  };
  return {
    load,
    loadCustom: (dump) => load(customToScript(dump)),
    info: () => readDatabaseInfo({ query: async (s, p) => (await db.query(s, p)).rows as never }, 'pglite'),
    async swapIn() {
      await close();
      const old = `${live}.pre-restore`;
      rmSync(old, { recursive: true, force: true });
      if (existsSync(live)) renameSync(live, old);
      try {
        renameSync(dir, live);
      } catch (error) {
        if (existsSync(old)) renameSync(old, live);
        throw new BackupError(
          `cannot put the restored database in place: ${(error as Error).message}; nothing was changed`,
        );
      }
      swapped = true;
      syncFolder(dirname(live));
      rmSync(old, { recursive: true, force: true });
    },
    async discard() {
      await close();
      if (!swapped) rmSync(dir, { recursive: true, force: true });
      lock?.release();
    },
  };
}

/** Loads an archive's database member, in whichever of its two forms, into `staging`. */
export function loadMember(staging: StagingDatabase, name: string, data: Readable): Promise<void> {
  return name === CUSTOM_DUMP_MEMBER ? staging.loadCustom(data) : staging.load(data.pipe(createGunzip()));
}
