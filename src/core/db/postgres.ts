import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { PostgresConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { AppDb, Database, Session, SqlRunner } from './database.js';
import { createReplicaSet, type ReplicaRouter } from './replicas.js';
import { describeDbError } from './unavailable.js';
import { createWritableHost, type HostPort, MOVED, type WritableHost } from './writable-host.js';

export interface PostgresTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string | undefined;
  sslmode?: PostgresConfig['sslmode'];
  poolMax: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleTimeoutMs: number;
  /** Hot standbys for reads that may be stale (see {@link ReplicaRouter}). */
  replicas?: PostgresConfig['replicas'];
  replicaMaxLagMs?: number | undefined;
  /** Several hosts (DATABASE_URL=postgres://db1,db2/…): connections go to the writable one. */
  hosts?: readonly HostPort[] | undefined;
  /** How often replicas are measured, and the writable host looked for (2 s each). */
  replicaCheckIntervalMs?: number | undefined;
  hostSearchIntervalMs?: number | undefined;
}

/**
 * A pooled PostgreSQL server connection. Connects lazily, so opening never fails; `ping()` tells
 * whether the server answers. Errors on idle connections (a server restart) are logged and the
 * broken connection is dropped; the pool opens fresh ones when the server is back.
 */
export class PostgresDatabase implements Database {
  readonly engine: 'pglite' | 'postgres';
  readonly shared = true;
  readonly db: AppDb;
  readonly description: string;
  readonly replicas?: ReplicaRouter;
  private readonly pool: pg.Pool;
  private readonly writable?: WritableHost;
  private closed = false;

  constructor(
    target: PostgresTarget,
    log: Logger,
    options: { schema?: Record<string, unknown>; engine?: 'pglite' | 'postgres'; description?: string } = {},
  ) {
    this.engine = options.engine ?? 'postgres';
    this.description =
      options.description ??
      `PostgreSQL postgres://${target.user}@${target.host}:${target.port}/${target.database}`;
    const ssl = sslOption(target.sslmode);
    if (target.hosts && target.hosts.length > 1) {
      const connection = { user: target.user, password: target.password, database: target.database, ssl };
      this.writable = createWritableHost(
        target.hosts,
        { ...connection, connectionTimeoutMillis: target.connectTimeoutMs, application_name: 'slipway' },
        log,
        target.hostSearchIntervalMs,
      );
    }
    const writable = this.writable;
    // A failed connection tells the host finder at once (queries, in transactions too, tell it
    // through its Client class; it also looks every 2 s).
    const Pool = writable
      ? class NoticingPool extends pg.Pool {
          override query(...args: unknown[]): never {
            const result = (super.query as (...a: unknown[]) => unknown)(...args);
            if (!(result instanceof Promise)) return result as never;
            return result.catch(async (error: unknown) => {
              await writable.failed(error);
              throw error;
            }) as never;
          }
          // A transaction's connection that cannot be opened (the old primary is gone).
          override connect(...args: unknown[]): never {
            const result = (super.connect as (...a: unknown[]) => unknown)(...args);
            if (result instanceof Promise) result.catch((error) => writable.notice(error));
            return result as never;
          }
        }
      : pg.Pool;
    this.pool = new Pool({
      ...(writable ? { Client: writable.Client } : {}),
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      ssl,
      max: target.poolMax,
      connectionTimeoutMillis: target.connectTimeoutMs,
      idleTimeoutMillis: target.idleTimeoutMs,
      statement_timeout: target.statementTimeoutMs || undefined,
      query_timeout: target.statementTimeoutMs ? target.statementTimeoutMs + 1000 : undefined,
      keepAlive: true,
      application_name: 'slipway',
    });
    writable?.attach(this.pool);
    this.pool.on('error', (error) => {
      if ((error as { code?: string }).code === MOVED) return; // closed by the host finder
      writable?.notice(error);
      log.warn({ reason: describeDbError(error) }, 'idle database connection lost');
    });
    this.db = drizzle({ client: this.pool, schema: options.schema ?? {} }) as unknown as AppDb;
    if (target.replicas && target.replicas.length > 0)
      this.replicas = createReplicaSet({
        replicas: target.replicas,
        primary: this.pool,
        primaryDb: this.db,
        poolConfig: {
          max: target.poolMax,
          connectionTimeoutMillis: target.connectTimeoutMs,
          idleTimeoutMillis: target.idleTimeoutMs,
          statement_timeout: target.statementTimeoutMs || undefined,
          query_timeout: target.statementTimeoutMs ? target.statementTimeoutMs + 1000 : undefined,
          keepAlive: true,
        },
        maxLagMs: target.replicaMaxLagMs ?? 5000,
        intervalMs: target.replicaCheckIntervalMs,
        onPromoted: writable ? () => writable.search() : undefined,
        schema: options.schema ?? {},
        log,
      });
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    const result = await this.pool.query(sql, params);
    return result.rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection lost mid-session emits 'error' on the client; without a listener it would crash.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await fn(clientSession(client));
    } catch (error) {
      this.writable?.notice(error);
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.writable?.close();
    await this.replicas?.close();
    await this.pool.end();
  }
}

function clientSession(client: pg.PoolClient): Session {
  const runner: SqlRunner = {
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (sql: string) => {
      await client.query(sql);
    },
  };
  return {
    ...runner,
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        const result = await fn(runner);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    },
  };
}

function sslOption(mode: PostgresConfig['sslmode'] | undefined): pg.PoolConfig['ssl'] {
  if (!mode || mode === 'disable') return false;
  if (mode === 'verify-full') return { rejectUnauthorized: true };
  // 'require' encrypts without verifying the certificate, as libpq does.
  return { rejectUnauthorized: false };
}
