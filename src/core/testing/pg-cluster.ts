import { execFile, execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';
import { requireTool, type Tool } from './tools.js';

export { freePort };

/**
 * The PostgreSQL server binaries (initdb, pg_ctl, postgres) that {@link startPgCluster} runs: the
 * folder `PG_BIN`, else `/usr/lib/postgresql/<version>/bin` (Debian, Ubuntu; 15 preferred), else
 * the folder of an `initdb` on PATH.
 *
 * @example
 *   describe('slipway serve while PostgreSQL restarts', needs(postgresServer), () => { … });
 */
export const postgresServer: Tool = requireTool({
  name: 'PostgreSQL server binaries',
  find: findPgBinDir,
  install: "initdb and pg_ctl are in Debian's postgresql-15 (or set PG_BIN to their folder)",
});

export interface PgClusterOptions {
  /** The password of the `postgres` superuser; TCP connections must give it (scram-sha-256). */
  password: string;
  /** Extra postgresql.conf settings, e.g. `{ max_connections: '20' }`. */
  settings?: Record<string, string>;
  /**
   * Makes the cluster a hot standby of this one: cloned with `pg_basebackup -X stream -R`, so it
   * streams from it (`options.password` must be the primary's). E.g. `settings:
   * { recovery_min_apply_delay: "'2s'" }` makes it lag.
   */
  standbyOf?: PgCluster;
}

export interface PgCluster {
  readonly port: number;
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  /** The cluster's temporary folder (data directory, socket, log). */
  readonly dir: string;
  /** The URL of another database on this cluster. */
  urlFor(database: string): string;
  /** Creates a database (a fresh random name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Runs one statement as the superuser over TCP and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** `pg_ctl stop -m fast`: open connections are terminated, new ones refused. Idempotent. */
  stop(): Promise<void>;
  /** Starts the stopped cluster on the same port; resolves once it accepts TCP connections. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** `pg_ctl promote`: a standby becomes a primary; resolves once it accepts writes. */
  promote(): Promise<void>;
  /**
   * Brings a former primary back as a standby of `primary` (its promoted standby): stops it,
   * `pg_rewind -R` from the new primary (needs `wal_log_hints: 'on'` here and `full_page_writes: 'on'`
   * on both),
   * then starts it streaming. Its own port, socket and settings are kept.
   */
  rejoinAsStandbyOf(primary: PgCluster): Promise<void>;
  /** Stops the cluster and removes its folder. Safe to call twice. */
  destroy(): Promise<void>;
  /** The server log so far, to attach to a failing assertion. */
  log(): string;
}

const COMMAND_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;

/** Clusters not destroyed yet: stopped at process exit so a failed run leaves no server behind. */
const live = new Set<{ dataDir: string; dir: string }>();
let exitHookInstalled = false;

/**
 * Starts a private PostgreSQL cluster for tests that need to stop, restart or misconfigure the
 * server, which the shared TEST_DATABASE_URL server must never suffer. It lives in a temporary
 * folder, listens on a free port on 127.0.0.1 only, asks TCP clients for a scram-sha-256
 * password, and runs with fsync off. When the tests run as root (initdb refuses to), the
 * binaries run as the `postgres` user through `runuser`.
 *
 * @example
 *   const cluster = await startPgCluster({ password: 's3cret' });
 *   afterAll(() => cluster.destroy());
 *   const url = await cluster.createDatabase(); // postgres://postgres:s3cret@127.0.0.1:<port>/<db>
 *   await cluster.stop();  // the database goes away
 *   await cluster.start(); // and comes back on the same port
 */
export async function startPgCluster(options: PgClusterOptions): Promise<PgCluster> {
  const bin = postgresServer.path();
  const owner = clusterOwner();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const entry = { dataDir, dir };
  live.add(entry);
  installExitHook();
  if (owner) chownSync(dir, owner.uid, owner.gid);

  const run = (program: string, args: string[]) => runAs(owner, join(bin, program), args);
  const { password } = options;
  let port = 0;
  let running = false;

  const writeSettings = () => {
    const settings: Record<string, string> = {
      port: String(port),
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      password_encryption: "'scram-sha-256'",
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '100',
      shared_buffers: '32MB',
      log_min_messages: 'warning',
      ...options.settings,
    };
    writeOwned(
      join(dataDir, 'slipway-test.conf'),
      `${Object.entries(settings)
        .map(([k, v]) => `${k} = ${v}`)
        .join('\n')}\n`,
      owner,
    );
  };

  const urlFor = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;

  const query = async <T>(sql: string, params?: unknown[], database = 'postgres'): Promise<T[]> => {
    const client = new pg.Client({ connectionString: urlFor(database), connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const waitUntilAccepting = async () => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let attempt = 1; attempt <= 300; attempt++) {
      try {
        await query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline || attempt === 300)
          throw new Error(`cluster on port ${port} does not accept connections: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  const start = async () => {
    if (running) return;
    await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '30', 'start']);
    running = true;
    await waitUntilAccepting();
  };

  const stop = async () => {
    if (!running) return;
    await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    running = false;
  };

  const cluster: PgCluster = {
    get port() {
      return port;
    },
    get url() {
      return urlFor('postgres');
    },
    dir,
    urlFor,
    async createDatabase(
      name = `slipway_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`,
    ) {
      await query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return urlFor(name);
    },
    query,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async promote() {
      await run('pg_ctl', ['-D', dataDir, '-w', '-t', '30', 'promote']);
    },
    async rejoinAsStandbyOf(primary) {
      await stop();
      // The promoted server writes its new timeline to its control file at the checkpoint that
      // follows the promotion; until then pg_rewind sees one timeline and rewinds nothing.
      await primary.query('CHECKPOINT');
      await run('pg_rewind', ['-D', dataDir, '--source-server', primary.url, '-R']);
      // pg_rewind copied the new primary's configuration files: this cluster's own come back.
      writeSettings();
      await start();
    },
    async destroy() {
      if (!live.has(entry)) return;
      try {
        await stop();
      } catch {
        await run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      }
      live.delete(entry);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
  };

  try {
    if (options.standbyOf) {
      // The primary's configuration comes along; slipway-test.conf is rewritten below (port, socket).
      await run('pg_basebackup', [
        '-D',
        dataDir,
        '-d',
        options.standbyOf.url,
        '-X',
        'stream',
        '-R',
        '-c',
        'fast',
      ]);
    } else await initialize();
    // A free port can be taken between probing and binding: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      writeSettings();
      try {
        await start();
        break;
      } catch (error) {
        if (attempt >= 3 || !/could not bind|already in use/i.test(cluster.log())) throw error;
      }
    }
    return cluster;
  } catch (error) {
    const log = cluster.log();
    await cluster.destroy().catch(() => undefined);
    throw new Error(`${(error as Error).message}${log ? `\nserver log:\n${log}` : ''}`);
  }

  async function initialize() {
    const pwfile = join(dir, 'pwfile');
    writeOwned(pwfile, `${password}\n`, owner);
    await run('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      `--pwfile=${pwfile}`,
      '--no-sync',
    ]);
    rmSync(pwfile);
    // Only the Unix socket in the private folder is trusted; TCP always needs the password.
    writeOwned(
      join(dataDir, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost replication all 127.0.0.1/32 scram-sha-256\n',
      owner,
    );
    writeOwned(
      join(dataDir, 'postgresql.conf'),
      `${readFileSync(join(dataDir, 'postgresql.conf'), 'utf8')}\ninclude 'slipway-test.conf'\n`,
      owner,
    );
  }
}

interface Owner {
  uid: number;
  gid: number;
}

/** initdb and postgres refuse to run as root: as root, the cluster belongs to `postgres`. */
function clusterOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      'running as root, and initdb refuses root: create a "postgres" user or run the tests as another user',
    );
  }
}

function runAs(owner: Owner | undefined, program: string, args: string[]): Promise<string> {
  const [file, argv] = owner ? [runuserPath(), ['-u', 'postgres', '--', program, ...args]] : [program, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${stderr || error.message}`.trim()));
      else resolve(stdout);
    });
  });
}

function runuserPath(): string {
  const candidates = [
    ...(process.env['PATH'] ?? '').split(':').map((d) => join(d, 'runuser')),
    '/usr/sbin/runuser',
    '/sbin/runuser',
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('running as root, and runuser (util-linux) is not installed');
  return found;
}

function writeOwned(path: string, content: string, owner: Owner | undefined): void {
  writeFileSync(path, content, { mode: 0o600 });
  if (owner) chownSync(path, owner.uid, owner.gid);
}

function findPgBinDir(): string | undefined {
  const hasServer = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv) return hasServer(fromEnv) ? fromEnv : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    // PostgreSQL 15 is what production runs; prefer it when several are installed.
    for (const v of ['15', ...versions]) {
      const dir = join(root, v, 'bin');
      if (hasServer(dir)) return dir;
    }
  }
  return (process.env['PATH'] ?? '').split(':').find((d) => d && hasServer(d));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { dataDir, dir } of live) {
      try {
        const pgCtl = join(postgresServer.path(), 'pg_ctl');
        const args = ['-D', dataDir, '-m', 'immediate', '-w', '-t', '10', 'stop'];
        if (process.getuid?.() === 0)
          execFileSync(runuserPath(), ['-u', 'postgres', '--', pgCtl, ...args], { stdio: 'ignore' });
        else execFileSync(pgCtl, args, { stdio: 'ignore' });
      } catch {
        // not running
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
