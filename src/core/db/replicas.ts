import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { ReplicaConfig } from '../config/index.js';
import type { Logger } from '../log.js';
import type { AppDb } from './database.js';
import { describeDbError, isDatabaseUnavailable } from './unavailable.js';

/** What `/readyz` shows of one replica. */
export interface ReplicaStatus {
  /** host:port, never the password. */
  readonly name: string;
  /** 'streaming': in the rotation; 'lagging': too far behind; 'down': unreachable or not a standby. */
  readonly state: 'starting' | 'streaming' | 'lagging' | 'down';
  /** Replay lag in milliseconds at the last check (0 when it has replayed all it received). */
  readonly lagMs: number | null;
  /** pg_last_wal_replay_lsn() at the last check. */
  readonly replayLsn: string | null;
  readonly error?: string;
}

/** The reads that may be stale, and the bookkeeping that keeps them safe. */
export interface ReplicaRouter {
  /**
   * A Drizzle handle for a read that may be slightly stale: a replica in the rotation that has
   * replayed at least `minLsn` (the client's last write), else the primary. A query that fails
   * on the replica is run again on the primary, so a replica never turns a read into an error.
   */
  reader(minLsn?: string): AppDb;
  /** pg_current_wal_lsn() on the primary: the token a client keeps after it writes. */
  primaryLsn(): Promise<string>;
  status(): readonly ReplicaStatus[];
  /** Measures every replica once now (the monitor also does so every `intervalMs`). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export interface ReplicaSetOptions {
  replicas: readonly ReplicaConfig[];
  /** The primary's pool: where reads fall back to. */
  primary: pg.Pool;
  /** The primary's Drizzle handle, returned when no replica is usable. */
  primaryDb: AppDb;
  /** Pool settings copied from the primary's (connect and statement timeouts). */
  poolConfig: pg.PoolConfig;
  maxLagMs: number;
  intervalMs?: number | undefined;
  /**
   * Called when a replica is found promoted, before it leaves the rotation: the writable host is
   * looked for then, so the reads that fall back to the primary go to the promoted server.
   */
  onPromoted?: (() => Promise<void>) | undefined;
  schema: Record<string, unknown>;
  log: Logger;
}

interface Replica {
  name: string;
  pool: pg.Pool;
  db: AppDb;
  status: ReplicaStatus;
  replayed: bigint;
}

/**
 * Parses an LSN (`16/B374D848`) into a number that compares; undefined when it is not one.
 *
 * @example lsnValue('0/3000060') // 50331744n
 */
export function lsnValue(lsn: string | undefined | null): bigint | undefined {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn ?? '');
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

// The replay lag as monitoring tools compute it: 0 when everything received is replayed,
// otherwise the age of the last transaction replayed.
const LAG_SQL = `SELECT pg_is_in_recovery() AS standby,
  pg_last_wal_replay_lsn()::text AS replay,
  CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
       ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END AS lag_ms`;

/**
 * Creates the replicas' pools and starts measuring their lag every `intervalMs` (2 s).
 *
 * Lifecycle: 1. every replica starts out of the rotation ('starting') until its first check;
 * 2. a check that finds it a standby within `maxLagMs` puts it in ('streaming'), one that finds
 * it behind ('lagging'), unreachable or promoted ('down') takes it out; 3. a read that fails on a
 * replica marks it 'down' when the failure is the connection's, and runs on the primary;
 * 4. `close()` stops the monitor and ends the pools.
 */
export function createReplicaSet(options: ReplicaSetOptions): ReplicaRouter {
  const { primary, log, maxLagMs } = options;
  let next = 0;
  let closed = false;

  const replicas: Replica[] = options.replicas.map((target) => {
    const name = `${target.host}:${target.port}`;
    const pool = new pg.Pool({
      ...options.poolConfig,
      host: target.host,
      port: target.port,
      database: target.database,
      user: target.user,
      password: target.password,
      ssl:
        !target.sslmode || target.sslmode === 'disable'
          ? false
          : { rejectUnauthorized: target.sslmode === 'verify-full' },
      application_name: 'slipway-replica-read',
    });
    pool.on('error', (error) =>
      log.warn({ replica: name, reason: describeDbError(error) }, 'idle replica connection lost'),
    );
    const replica: Replica = {
      name,
      pool,
      db: undefined as unknown as AppDb,
      status: { name, state: 'starting', lagMs: null, replayLsn: null },
      replayed: 0n,
    };
    // Drizzle sees a client whose queries try the replica, then the primary.
    const client = {
      query: async (config: unknown, values?: unknown) => {
        try {
          return await pool.query(config as pg.QueryConfig, values as unknown[]);
        } catch (error) {
          if (isDatabaseUnavailable(error)) setState(replica, 'down', null, describeDbError(error));
          log.warn(
            { replica: name, reason: describeDbError(error) },
            'read failed on a replica; running it on the primary',
          );
          return await primary.query(config as pg.QueryConfig, values as unknown[]);
        }
      },
    };
    replica.db = drizzle({
      client: client as unknown as pg.Pool,
      schema: options.schema,
    }) as unknown as AppDb;
    return replica;
  });
  const { primaryDb } = options;

  function setState(replica: Replica, state: ReplicaStatus['state'], lagMs: number | null, error?: string) {
    const before = replica.status.state;
    replica.status = {
      name: replica.name,
      state,
      lagMs,
      replayLsn: replica.status.replayLsn,
      ...(error ? { error } : {}),
    };
    if (before !== state && !(before === 'starting' && state === 'streaming'))
      log.warn({ replica: replica.name, state, lagMs, error }, `replica ${replica.name} is ${state}`);
  }

  async function checkOne(replica: Replica): Promise<void> {
    try {
      const [row] = (await replica.pool.query(LAG_SQL)).rows as {
        standby: boolean;
        replay: string | null;
        lag_ms: string;
      }[];
      if (!row?.standby) {
        if (replica.status.state !== 'down') await options.onPromoted?.().catch(() => undefined);
        setState(replica, 'down', null, 'not a standby (promoted?): left out of the rotation');
        return;
      }
      const lagMs = Math.round(Number(row.lag_ms));
      const replayed = lsnValue(row.replay);
      if (replayed !== undefined && replayed > replica.replayed) replica.replayed = replayed;
      replica.status = { ...replica.status, replayLsn: row.replay };
      setState(replica, lagMs > maxLagMs ? 'lagging' : 'streaming', lagMs);
    } catch (error) {
      setState(replica, 'down', null, describeDbError(error));
    }
  }

  const check = async () => {
    await Promise.all(replicas.map(checkOne));
  };
  const timer = setInterval(() => {
    if (!closed) check().catch(() => undefined);
  }, options.intervalMs ?? 2000);
  timer.unref();
  void check();

  return {
    reader(minLsn) {
      const wanted = lsnValue(minLsn) ?? 0n;
      for (let i = 0; i < replicas.length; i++) {
        const replica = replicas[(next + i) % replicas.length]!;
        if (replica.status.state === 'streaming' && replica.replayed >= wanted) {
          next = (next + i + 1) % replicas.length;
          return replica.db;
        }
      }
      return primaryDb;
    },
    async primaryLsn() {
      const { rows } = await primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
      return (rows[0] as { lsn: string }).lsn;
    },
    status: () => replicas.map((r) => r.status),
    check,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await Promise.all(replicas.map((r) => r.pool.end().catch(() => undefined)));
    },
  };
}
