import { z } from 'zod';
import { bool, int, list, oneOf, seconds, text, workers } from './fields.js';

/**
 * Every environment variable Slipway reads, with its default. `.env.example` documents the same
 * list; a test keeps the two in step.
 */
export const envSchema = z.object({
  DEBUG: bool(false),
  SECRET_KEY: text(),
  ALLOWED_HOSTS: list(),
  HOST: text('0.0.0.0'),
  PORT: int(8000, 1, 65_535),
  DATA_DIR: text('./data'),
  MEDIA_ROOT: text(),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  AUTO_MIGRATE: bool(false),

  DATABASE_URL: text(),
  SQL_ENGINE: oneOf(['postgres', 'postgresql', 'pglite'], 'pglite'),
  SQL_HOST: text('localhost'),
  SQL_PORT: int(5432, 1, 65_535),
  SQL_DATABASE: text('postgres'),
  SQL_USER: text('postgres'),
  SQL_PASSWORD: text(),
  SQL_SSLMODE: oneOf(['disable', 'require', 'verify-full'], 'disable'),
  NODE_ENV: text(),
  SLIPWAY_ALLOW_EMBEDDED: bool(false),

  DB_POOL_MAX: int(10, 1, 1000),
  DB_CONNECT_TIMEOUT: seconds(5, 600),
  DB_STATEMENT_TIMEOUT: seconds(30),
  DB_IDLE_TIMEOUT: seconds(30),
  DB_WAIT_TIMEOUT: seconds(60),

  DATABASE_REPLICA_URLS: text(),
  SQL_REPLICA_HOSTS: list(),
  REPLICA_MAX_LAG: seconds(5, 3600),

  SESSION_COOKIE_AGE: seconds(14 * 86_400, 365 * 86_400),
  TRUSTED_PROXIES: list(),

  SLIPWAY_SUPERUSER_USERNAME: text(),
  SLIPWAY_SUPERUSER_EMAIL: text(),
  SLIPWAY_SUPERUSER_PASSWORD: text(),

  KEEP_ALIVE_TIMEOUT: seconds(95, 3600),
  SHUTDOWN_TIMEOUT: seconds(25, 3600),
  SHUTDOWN_DELAY: seconds(0, 600),
  WEB_CONCURRENCY: workers(1),
  METRICS_TOKEN: text(),

  BACKUP_DIR: text(),
  BACKUP_AGE_RECIPIENTS: text(),
  BACKUP_AGE_IDENTITY_FILE: text(),
  BACKUP_PASSPHRASE: text(),
  BACKUP_SCHEDULE: text(),
  BACKUP_KEEP_DAILY: int(7, 0, 10_000),
  BACKUP_KEEP_WEEKLY: int(4, 0, 10_000),
  BACKUP_KEEP_MONTHLY: int(6, 0, 10_000),
});

export type RawEnv = z.output<typeof envSchema>;

/** Variables whose value must never be echoed back in an error message. */
export const SENSITIVE = new Set([
  'SECRET_KEY',
  'SQL_PASSWORD',
  'DATABASE_URL',
  'DATABASE_REPLICA_URLS',
  'SLIPWAY_SUPERUSER_PASSWORD',
  'BACKUP_PASSPHRASE',
  'METRICS_TOKEN',
]);
