import pg from 'pg';
import type { Logger } from '../log.js';
import { describeDbError, isDatabaseUnavailable } from './unavailable.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where new primary connections go, and how the primary is found again after a failover. */
export interface WritableHost {
  /** The host new connections open to: the last one found writable (the first at start). */
  current(): HostPort;
  /** A pg.Client class for `pg.Pool({ Client })` that connects to {@link current}. */
  readonly Client: typeof pg.Client;
  /** Tells of a failed query: a lost connection or a read-only server starts a search at once. */
  notice(error: unknown): void;
  /** Looks for the writable host now; resolves once the search ends (found or not). */
  search(): Promise<void>;
  close(): void;
}

/**
 * libpq's `target_session_attrs=read-write` for node-postgres, which lacks it: with several hosts
 * in DATABASE_URL (`postgres://u:pw@db1,db2:5433/app`), new connections go to the first that
 * accepts writes, and the search runs again when a connection is lost, when a server answers
 * `read_only_sql_transaction` (25006), and every `intervalMs` (2 s), so the app follows a
 * promoted standby without a restart. While no host is writable, connections keep going to the
 * last writable one and fail, which the HTTP layer answers with 503.
 */
export function createWritableHost(
  hosts: readonly HostPort[],
  connection: pg.ClientConfig,
  log: Logger,
  intervalMs = 2000,
): WritableHost {
  let index = 0;
  let searching: Promise<void> | undefined;
  let closed = false;

  async function isWritable(target: HostPort): Promise<boolean> {
    const client = new pg.Client({ ...connection, host: target.host, port: target.port });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query('SHOW transaction_read_only');
      return (rows[0] as { transaction_read_only: string }).transaction_read_only === 'off';
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function searchOnce(): Promise<void> {
    // The current host first: while it stays writable nothing moves.
    const order = [index, ...hosts.keys()].filter((i, n, all) => all.indexOf(i) === n);
    for (const i of order) {
      if (closed) return;
      if (await isWritable(hosts[i]!)) {
        if (i !== index) {
          log.warn(
            { from: name(hosts[index]!), to: name(hosts[i]!) },
            `the writable database is now ${name(hosts[i]!)}: new connections go there`,
          );
          index = i;
        }
        return;
      }
    }
  }

  const search = () => {
    searching ??= searchOnce().finally(() => {
      searching = undefined;
    });
    return searching;
  };

  const timer = setInterval(() => {
    if (!closed) void search();
  }, intervalMs);
  timer.unref();
  void search();

  class WritableClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      // pg-pool keeps the password non-enumerable: a spread alone would drop it.
      super({ ...config, password: config?.password, ...hosts[index] });
    }
  }

  return {
    current: () => hosts[index]!,
    Client: WritableClient,
    notice(error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (code === '25006' || isDatabaseUnavailable(error)) {
        log.debug({ reason: describeDbError(error) }, 'looking for the writable database');
        void search();
      }
    },
    search,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

const name = (h: HostPort) => `${h.host}:${h.port}`;
