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
  /**
   * {@link notice}, and after a read-only server (25006) waits for the search (1 s at most), so
   * that the error's 503 goes out once new connections go to the new primary.
   */
  failed(error: unknown): Promise<void>;
  /**
   * Keeps `pool` on the writable host: a connection that met a read-only server (25006) is closed
   * when released, and when the writable host moves, the idle connections to the old one are
   * closed, so the next request opens one to the new host instead of failing on the old.
   */
  attach(pool: pg.Pool): void;
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
  const moved = new Set<() => void>();

  async function isWritable(target: HostPort): Promise<boolean> {
    const client = new pg.Client({ ...connection, host: target.host, port: target.port });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await acceptsWrites(client);
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
          for (const listener of moved) listener();
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
  // Connections wait for this first search: the first host listed may be a standby (after a
  // failover, db,db-replica lists the old primary first), and a migration at start must not
  // meet it.
  let starting: Promise<void> | undefined = search().finally(() => {
    starting = undefined;
  });

  const notice = (error: unknown) => {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === READ_ONLY || isDatabaseUnavailable(error)) {
      log.debug({ reason: describeDbError(error) }, 'looking for the writable database');
      void search();
    }
  };

  const failed = async (error: unknown) => {
    if ((error as { code?: unknown } | undefined)?.code !== READ_ONLY) return notice(error);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      search(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, SEARCH_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  };

  class WritableClient extends pg.Client {
    /** The host this connection went to. */
    target = hosts[index]!;
    /** Set when the server answered 25006: it is not the primary any more. */
    readOnly = false;

    constructor(config?: pg.ClientConfig) {
      // pg-pool keeps the password non-enumerable: a spread alone would drop it.
      super({ ...config, password: config?.password, ...hosts[index] });
    }

    // Opens to the writable host as now known, once the first search has ended.
    override connect(...args: unknown[]): never {
      const callback = args[0];
      const open = () => {
        this.target = hosts[index]!;
        const self = this as unknown as {
          host: string;
          port: number;
          connectionParameters: { host: string; port: number };
        };
        self.host = self.connectionParameters.host = this.target.host;
        self.port = self.connectionParameters.port = this.target.port;
        return (super.connect as (cb?: unknown) => unknown)(callback);
      };
      if (!starting) return open() as never;
      const opened = starting.then(open);
      if (callback) {
        opened.catch(() => undefined);
        return undefined as never;
      }
      return opened as never;
    }

    // Every query, in a transaction or not, tells of a read-only server at once; its error (a
    // 503 for the request) waits for the search, up to SEARCH_WAIT_MS, so that the client's
    // retry already goes to the new primary.
    override query(...args: unknown[]): never {
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (!(result instanceof Promise)) return result as never;
      return result.catch(async (error: unknown) => {
        if ((error as { code?: unknown } | undefined)?.code === READ_ONLY) this.readOnly = true;
        await failed(error);
        throw error;
      }) as never;
    }
  }
  const stale = (client: pg.Client) =>
    client instanceof WritableClient && (client.readOnly || client.target !== hosts[index]);

  return {
    current: () => hosts[index]!,
    Client: WritableClient,
    notice,
    failed,
    attach(pool) {
      // pg-pool's public events tell which connections are idle; a connection is closed only
      // while idle (through the 'error' pg-pool removes it on) or on its release.
      const idle = new Set<pg.Client>();
      pool.on('release', (_error: Error | undefined, client: pg.Client) => {
        if (stale(client)) void client.end().catch(() => undefined);
        else idle.add(client);
      });
      pool.on('acquire', (client) => idle.delete(client));
      pool.on('remove', (client) => idle.delete(client));
      moved.add(() => {
        for (const client of [...idle].filter(stale)) {
          idle.delete(client);
          client.emit('error', Object.assign(new Error('the writable database moved'), { code: MOVED }));
        }
      });
    },
    search,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

/** Whether the server behind `client` accepts writes: a primary, not a standby (libpq's `read-write` test). */
export async function acceptsWrites(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query('SHOW transaction_read_only');
  return (rows[0] as { transaction_read_only: string }).transaction_read_only === 'off';
}

/** read_only_sql_transaction: a write reached a standby (or a server set read-only). */
const READ_ONLY = '25006';
/** How long the error of a write that met a read-only server waits for the new primary. */
const SEARCH_WAIT_MS = 1000;
/** The code of the error that closes an idle connection to a host that is no longer writable. */
export const MOVED = 'SLIPWAY_DB_MOVED';

const name = (h: HostPort) => `${h.host}:${h.port}`;
