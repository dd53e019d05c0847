/** The validated, frozen configuration that `loadConfig()` returns. */
export interface Config {
  readonly debug: boolean;
  readonly secretKey: string;
  /** True when SECRET_KEY was not set and DEBUG supplied the insecure development key. */
  readonly secretKeyIsDefault: boolean;
  readonly allowedHosts: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly mediaRoot: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly autoMigrate: boolean;
  readonly database: DatabaseConfig;
  /** NODE_ENV=production, as the container image sets it. */
  readonly production: boolean;
  /** SLIPWAY_ALLOW_EMBEDDED: `start`/`serve` may serve on PGlite in production. */
  readonly allowEmbedded: boolean;
  readonly http: {
    readonly keepAliveTimeoutMs: number;
    /** Addresses or CIDRs of proxies whose X-Forwarded-For/-Proto are believed. */
    readonly trustedProxies: readonly string[];
  };
  readonly sessionCookieAgeMs: number;
  /** `createsuperuser --no-input` reads these (SLIPWAY_SUPERUSER_*). */
  readonly superuser: { readonly username?: string; readonly email?: string; readonly password?: string };
  readonly shutdown: { readonly timeoutMs: number; readonly delayMs: number };
  /** WEB_CONCURRENCY: how many worker processes `serve`/`start` run (`auto`: one per CPU). */
  readonly webConcurrency: number | 'auto';
  /** METRICS_TOKEN(_FILE): the bearer token GET /metrics requires; no /metrics without one. */
  readonly metricsToken: string | undefined;
  readonly backup: BackupConfig;
}

/** Where `slipway backup` writes archives and how it encrypts them (BACKUP_*). */
export interface BackupConfig {
  /** BACKUP_DIR: `DATA_DIR/backups` unless set; relative paths resolve like DATA_DIR. */
  readonly dir: string;
  /** age recipients (`age1…`) archives are encrypted to; empty when none are configured. */
  readonly ageRecipients: readonly string[];
  /** The file holding the age identities (`AGE-SECRET-KEY-1…`) that restore and verify decrypt with. */
  readonly ageIdentityFile: string | undefined;
  /** BACKUP_PASSPHRASE(_FILE): encrypt and decrypt with a passphrase instead of recipients. */
  readonly passphrase: string | undefined;
  /** The cron expression of `backup schedule`. */
  readonly schedule: string | undefined;
  /** The retention `backup schedule` prunes with after each backup. */
  readonly keep: { readonly daily: number; readonly weekly: number; readonly monthly: number };
}

export type DatabaseConfig = PgliteConfig | PostgresConfig;

export interface PgliteConfig {
  readonly engine: 'pglite';
  /** The folder PGlite persists to: `DATA_DIR/pglite` unless DATABASE_URL names another. */
  readonly dir: string;
  readonly waitTimeoutMs: number;
}

export interface PostgresConfig {
  readonly engine: 'postgres';
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string | undefined;
  readonly sslmode: 'disable' | 'require' | 'verify-full';
  readonly poolMax: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly waitTimeoutMs: number;
  /** Hot standbys that reads which may be stale go to (DATABASE_REPLICA_URLS or SQL_REPLICA_HOSTS). */
  readonly replicas?: readonly ReplicaConfig[];
  /**
   * Every host of a DATABASE_URL that names several (`postgres://db1,db2:5433/app`), in order:
   * connections go to the first that accepts writes, found again after a failover.
   */
  readonly hosts?: readonly { readonly host: string; readonly port: number }[];
  /** REPLICA_MAX_LAG: a replica further behind leaves the rotation until it catches up. */
  readonly replicaMaxLagMs?: number;
  /**
   * How often the replicas' lag is measured, and how often, with several hosts, the writable
   * one is looked for (2 s each). Not read from the environment: tests and benchmarks set them.
   */
  readonly replicaCheckIntervalMs?: number;
  readonly hostSearchIntervalMs?: number;
}

/** One hot standby: where it listens and how to log in (the pool settings are the primary's). */
export type ReplicaConfig = Pick<
  PostgresConfig,
  'host' | 'port' | 'database' | 'user' | 'password' | 'sslmode'
>;

/** A description of the database safe to print: never includes the password. */
export function describeDatabase(db: DatabaseConfig): string {
  if (db.engine === 'pglite') return `PGlite in ${db.dir}`;
  return `PostgreSQL postgres://${db.user}@${db.host}:${db.port}/${db.database}`;
}
