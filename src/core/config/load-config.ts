import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { projectBase } from '../paths.js';
import type { Config, DatabaseConfig, ReplicaConfig } from './config.js';
import { type EnvSource, readEnvFile, resolveSecretFiles, SECRET_VARIABLES } from './env-source.js';
import { envSchema, type RawEnv, SENSITIVE } from './schema.js';

export interface LoadConfigOptions {
  /** The environment to read; `process.env` by default. */
  env?: EnvSource;
  /**
   * Where `.env` and relative paths are resolved. By default the project root when the working
   * directory is inside the project, else the working directory (see {@link projectBase}).
   */
  cwd?: string;
  /** Values used when neither the environment nor `.env` sets a variable (e.g. `runserver`'s DEBUG=1). */
  defaults?: Record<string, string>;
  /**
   * Whether a missing SECRET_KEY is an error when DEBUG is off (default true). Commands that sign
   * nothing (migrate, check…) pass false and get the development key, flagged as the default.
   */
  requireSecretKey?: boolean;
}

const INSECURE_DEV_KEY = 'slipway-insecure-development-key-do-not-use-in-production';

/**
 * Reads the environment once, validates it and returns a frozen {@link Config}.
 *
 * Precedence: the environment, then `.env`, then `defaults`. Every secret may instead be given
 * as a file (`SQL_PASSWORD_FILE=/run/secrets/db_password`). Throws one {@link ConfigError} that
 * lists every problem; secret values never appear in it.
 *
 * @example
 *   const config = loadConfig(); // at boot, once
 *   config.database.engine; // 'pglite' | 'postgres'
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const cwd = options.cwd ?? projectBase(process.cwd());
  const merged: Record<string, string | undefined> = {
    ...options.defaults,
    ...readEnvFile(cwd),
    ...definedOnly(options.env ?? process.env),
  };
  const problems: string[] = [];
  resolveSecretFiles(merged, SECRET_VARIABLES, cwd, problems);

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      const value = merged[name];
      const got = SENSITIVE.has(name) || value === undefined ? '' : `, got ${JSON.stringify(value)}`;
      problems.push(`${name}: ${issue.message}${got}`);
    }
    // The URL is parsed even so, so that one message names every bad variable.
    const url = merged['DATABASE_URL'];
    if (url && !parsed.error.issues.some((i) => i.path[0] === 'DATABASE_URL'))
      parseDatabaseUrl(url, cwd, cwd, URL_CHECK_POOL, problems, 'disable');
    throw new ConfigError(problems);
  }

  const env = parsed.data;
  const database = withReplicas(resolveDatabase(env, merged, cwd, problems), env, problems);
  const secretKey = resolveSecretKey(env, options.requireSecretKey ?? true, problems);
  if (problems.length > 0 || !database) throw new ConfigError(problems);

  const dataDir = resolve(cwd, env.DATA_DIR ?? './data');
  const config: Config = {
    debug: env.DEBUG,
    secretKey,
    secretKeyIsDefault: secretKey === INSECURE_DEV_KEY,
    allowedHosts: Object.freeze(
      env.ALLOWED_HOSTS.length === 0 && env.DEBUG ? ['localhost', '127.0.0.1', '[::1]'] : env.ALLOWED_HOSTS,
    ),
    host: env.HOST ?? '0.0.0.0',
    port: env.PORT,
    dataDir,
    mediaRoot: resolve(cwd, env.MEDIA_ROOT ?? resolve(dataDir, 'media')),
    logLevel: env.LOG_LEVEL,
    autoMigrate: env.AUTO_MIGRATE,
    database: Object.freeze(database),
    production: env.NODE_ENV === 'production',
    allowEmbedded: env.SLIPWAY_ALLOW_EMBEDDED,
    http: Object.freeze({
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT,
      trustedProxies: Object.freeze(env.TRUSTED_PROXIES),
    }),
    sessionCookieAgeMs: env.SESSION_COOKIE_AGE,
    superuser: Object.freeze({
      username: env.SLIPWAY_SUPERUSER_USERNAME,
      email: env.SLIPWAY_SUPERUSER_EMAIL,
      password: env.SLIPWAY_SUPERUSER_PASSWORD,
    }),
    shutdown: Object.freeze({ timeoutMs: env.SHUTDOWN_TIMEOUT, delayMs: env.SHUTDOWN_DELAY }),
    webConcurrency: env.WEB_CONCURRENCY,
    metricsToken: env.METRICS_TOKEN,
    backup: Object.freeze({
      dir: resolve(cwd, env.BACKUP_DIR ?? resolve(dataDir, 'backups')),
      // A recipients file as age reads it: one per line or comma-separated, # comments.
      ageRecipients: Object.freeze(
        (env.BACKUP_AGE_RECIPIENTS ?? '')
          .split('\n')
          .map((line) => line.replace(/#.*/, ''))
          .flatMap((line) => line.split(/[\s,]+/))
          .filter(Boolean),
      ),
      ageIdentityFile: env.BACKUP_AGE_IDENTITY_FILE ? resolve(cwd, env.BACKUP_AGE_IDENTITY_FILE) : undefined,
      passphrase: env.BACKUP_PASSPHRASE,
      schedule: env.BACKUP_SCHEDULE,
      keep: Object.freeze({
        daily: env.BACKUP_KEEP_DAILY,
        weekly: env.BACKUP_KEEP_WEEKLY,
        monthly: env.BACKUP_KEEP_MONTHLY,
      }),
    }),
  };
  return Object.freeze(config);
}

function definedOnly(env: EnvSource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The shortest SECRET_KEY a server accepts with DEBUG off. */
export const MIN_SECRET_KEY_LENGTH = 32;

/** Pool settings for a DATABASE_URL parsed only to report its problems. */
const URL_CHECK_POOL = {
  poolMax: 1,
  connectTimeoutMs: 0,
  statementTimeoutMs: 0,
  idleTimeoutMs: 0,
  waitTimeoutMs: 0,
};

function resolveSecretKey(env: RawEnv, required: boolean, problems: string[]): string {
  if (env.SECRET_KEY && required && !env.DEBUG && env.SECRET_KEY.length < MIN_SECRET_KEY_LENGTH)
    problems.push(
      `SECRET_KEY: at least ${MIN_SECRET_KEY_LENGTH} characters when DEBUG is off (it has ${env.SECRET_KEY.length}); generate one with: openssl rand -base64 48`,
    );
  if (env.SECRET_KEY) return env.SECRET_KEY;
  if (env.DEBUG || !required) return INSECURE_DEV_KEY;
  problems.push('SECRET_KEY: required when DEBUG is off (a random string of at least 32 characters)');
  return '';
}

const SQL_VARIABLES = ['SQL_ENGINE', 'SQL_HOST', 'SQL_PORT', 'SQL_DATABASE', 'SQL_USER', 'SQL_PASSWORD'];

function resolveDatabase(
  env: RawEnv,
  raw: Record<string, string | undefined>,
  cwd: string,
  problems: string[],
): DatabaseConfig | undefined {
  const pool = {
    poolMax: env.DB_POOL_MAX,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT,
    statementTimeoutMs: env.DB_STATEMENT_TIMEOUT,
    idleTimeoutMs: env.DB_IDLE_TIMEOUT,
    waitTimeoutMs: env.DB_WAIT_TIMEOUT,
  };
  const defaultDir = resolve(cwd, env.DATA_DIR ?? './data', 'pglite');

  if (env.DATABASE_URL) {
    const clash = SQL_VARIABLES.filter((name) => raw[name]);
    if (clash.length > 0) {
      problems.push(`DATABASE_URL is set together with ${clash.join(', ')}: use one style or the other`);
      return undefined;
    }
    return parseDatabaseUrl(env.DATABASE_URL, defaultDir, cwd, pool, problems, env.SQL_SSLMODE);
  }
  // SQL_HOST without SQL_ENGINE can only mean a server; Django would silently use SQLite.
  const engine = raw['SQL_ENGINE'] ? env.SQL_ENGINE : raw['SQL_HOST'] ? 'postgres' : 'pglite';
  if (engine === 'pglite') return { engine: 'pglite', dir: defaultDir, waitTimeoutMs: pool.waitTimeoutMs };
  // Several hosts (`SQL_HOST=db,db-replica`, each `host[:port]`, SQL_PORT by default), as in
  // DATABASE_URL: connections go to the one that accepts writes, found again after a failover.
  const entries = (env.SQL_HOST ?? 'localhost').split(',').map((entry) => entry.trim());
  const hosts = entries.map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = match?.[2] ? Number(match[2]) : env.SQL_PORT;
    return match && port >= 1 && port <= 65_535
      ? { host: match[1]!.replace(/^\[|\]$/g, ''), port }
      : undefined;
  });
  if (entries.length > 1 && hosts.some((h) => !h)) {
    problems.push(
      `SQL_HOST: expected host or host:port, comma-separated, got ${JSON.stringify(env.SQL_HOST)}`,
    );
    return undefined;
  }
  const several = entries.length > 1 ? (hosts as { host: string; port: number }[]) : undefined;
  return {
    engine: 'postgres',
    host: several ? several[0]!.host : (env.SQL_HOST ?? 'localhost'),
    port: several ? several[0]!.port : env.SQL_PORT,
    ...(several ? { hosts: Object.freeze(several) } : {}),
    database: env.SQL_DATABASE ?? 'postgres',
    user: env.SQL_USER ?? 'postgres',
    password: env.SQL_PASSWORD,
    sslmode: env.SQL_SSLMODE,
    ...pool,
  };
}

/**
 * Adds the hot standbys of DATABASE_REPLICA_URLS (comma-separated URLs) or SQL_REPLICA_HOSTS
 * (`host[:port]`, logging in with the SQL_* user and password) to a PostgreSQL configuration.
 * PGlite has no replication, so replicas next to it are refused.
 */
function withReplicas(
  database: DatabaseConfig | undefined,
  env: RawEnv,
  problems: string[],
): DatabaseConfig | undefined {
  const urls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const hosts = env.SQL_REPLICA_HOSTS;
  if (urls.length === 0 && hosts.length === 0) return database;
  const name = urls.length > 0 ? 'DATABASE_REPLICA_URLS' : 'SQL_REPLICA_HOSTS';
  if (urls.length > 0 && hosts.length > 0) {
    problems.push('DATABASE_REPLICA_URLS is set together with SQL_REPLICA_HOSTS: use one style or the other');
    return database;
  }
  if (!database) return database;
  if (database.engine !== 'postgres') {
    problems.push(
      `${name}: replicas need a PostgreSQL primary (DATABASE_URL=postgres://…); the embedded PGlite database has no replication`,
    );
    return database;
  }
  const replicas: ReplicaConfig[] = [];
  for (const [i, url] of urls.entries()) {
    const found: string[] = [];
    const parsed = parseDatabaseUrl(url, '', '', URL_CHECK_POOL, found, database.sslmode);
    if (parsed?.engine !== 'postgres') {
      problems.push(`DATABASE_REPLICA_URLS: URL number ${i + 1} is not a postgres:// URL`);
      continue;
    }
    const { host, port, database: db, user, password, sslmode } = parsed;
    replicas.push({ host, port, database: db, user, password, sslmode });
  }
  for (const entry of hosts) {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = match?.[2] ? Number(match[2]) : database.port;
    if (!match || port < 1 || port > 65_535) {
      problems.push(`SQL_REPLICA_HOSTS: expected host or host:port, got ${JSON.stringify(entry)}`);
      continue;
    }
    const { database: db, user, password, sslmode } = database;
    replicas.push({ host: match[1]!.replace(/^\[|\]$/g, ''), port, database: db, user, password, sslmode });
  }
  return { ...database, replicas: Object.freeze(replicas), replicaMaxLagMs: env.REPLICA_MAX_LAG };
}

function parseDatabaseUrl(
  value: string,
  defaultDir: string,
  cwd: string,
  pool: Omit<
    Extract<DatabaseConfig, { engine: 'postgres' }>,
    'engine' | 'host' | 'port' | 'database' | 'user' | 'password' | 'sslmode'
  >,
  problems: string[],
  sslDefault: 'disable' | 'require' | 'verify-full',
): DatabaseConfig | undefined {
  const expects = 'DATABASE_URL: expected postgres://user:password@host:port/database or pglite://<folder>';
  if (value.startsWith('pglite:')) {
    const dir = value.replace(/^pglite:(\/\/)?/, '');
    return { engine: 'pglite', dir: dir ? resolve(cwd, dir) : defaultDir, waitTimeoutMs: pool.waitTimeoutMs };
  }
  // libpq's several hosts (`postgres://u:pw@db1,db2:5433/app`): the URL is parsed with the first.
  const several = /^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)([^/?#]*,[^/?#]*)(.*)$/.exec(value);
  const hosts = several?.[2]?.split(',').map((entry) => {
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry.trim());
    return match
      ? { host: match[1]!.replace(/^\[|\]$/g, ''), port: match[2] ? Number(match[2]) : 5432 }
      : undefined;
  });
  if (hosts?.some((h) => !h || h.port < 1 || h.port > 65_535)) {
    problems.push('DATABASE_URL: expected several hosts as host1:port1,host2:port2');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(several ? `${several[1]}${several[2]!.split(',')[0]}${several[3]}` : value);
  } catch {
    problems.push(expects);
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push(expects);
    return undefined;
  }
  const port = url.port === '' ? 5432 : Number(url.port);
  const sslmode = url.searchParams.get('sslmode') ?? sslDefault;
  if (!['disable', 'require', 'verify-full'].includes(sslmode)) {
    problems.push('DATABASE_URL: sslmode must be one of disable, require, verify-full');
    return undefined;
  }
  return {
    engine: 'postgres',
    host: decodeURIComponent(url.hostname) || 'localhost',
    port,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    user: decodeURIComponent(url.username) || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : undefined,
    sslmode: sslmode as 'disable',
    ...pool,
    ...(hosts ? { hosts: Object.freeze(hosts as { host: string; port: number }[]) } : {}),
  };
}
