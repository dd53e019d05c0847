import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { ReplicaRouter } from './replicas.js';

/** The Drizzle handle apps query through; the same type on both engines. */
export type AppDb = PgDatabase<PgQueryResultHKT, Record<string, unknown>>;

/** Raw SQL on one connection. `exec` runs a script of several statements without parameters. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

/** One dedicated connection, for work that must not hop between pool connections (migrations). */
export interface Session extends SqlRunner {
  /** Runs `fn` in BEGIN … COMMIT on this connection, or ROLLBACK if it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/**
 * One facade over the two engines: embedded PGlite and a PostgreSQL server.
 *
 * Lifecycle: 1. `openDatabase()` connects (and, for PGlite, locks the folder);
 * 2. apps use `db` (Drizzle) or `query`; 3. `close()` releases everything and is safe to call twice.
 */
export interface Database extends SqlRunner {
  /** Which engine runs the SQL. A CLI attached to a running server's PGlite reports 'pglite'. */
  readonly engine: 'pglite' | 'postgres';
  /** True when several processes may share this database (a server, not an owned PGlite folder). */
  readonly shared: boolean;
  readonly db: AppDb;
  /** A printable description, never including a password. */
  readonly description: string;
  /** The hot standbys, when DATABASE_REPLICA_URLS names some (PostgreSQL only). */
  readonly replicas?: ReplicaRouter;
  /** Runs `fn` on one dedicated connection. */
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** Resolves when the database answers `SELECT 1`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The Drizzle handle for a read that may be slightly stale (a public page, a list, a detail):
 * a replica that has replayed the client's last write (`minLsn`), else the primary. Writes,
 * transactions and reads that decide a write use `database.db`, the primary, instead.
 *
 * @example
 *   const rows = await latestQuestions(staleReadDb(database, request.lsnToken), now);
 */
export function staleReadDb(database: Database, minLsn?: string): AppDb {
  return database.replicas?.reader(minLsn) ?? database.db;
}
