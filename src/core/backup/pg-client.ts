import pg from 'pg';
import type { PostgresConfig } from '../config/index.js';

/**
 * One connection to `database` (the configured one by default) on the configured server, for the
 * work of backups that needs a session of its own: an exported snapshot, CREATE DATABASE, a lock.
 */
export async function connectPostgres(
  config: PostgresConfig,
  database = config.database,
): Promise<pg.Client> {
  const client = new pg.Client({
    host: config.host,
    port: config.port,
    database,
    user: config.user,
    password: config.password,
    ssl: config.sslmode === 'disable' ? false : { rejectUnauthorized: config.sslmode === 'verify-full' },
    connectionTimeoutMillis: config.connectTimeoutMs,
    application_name: 'slipway backup',
  });
  client.on('error', () => undefined); // a dropped connection fails the next query instead
  await client.connect();
  return client;
}

/** The database to run CREATE/ALTER/DROP DATABASE from: `postgres`, or `template1` when that is the target. */
export const maintenanceDatabase = (target: string) => (target === 'postgres' ? 'template1' : 'postgres');

/** A double-quoted SQL identifier. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
