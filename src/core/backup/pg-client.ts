import pg from 'pg';
import type { PostgresConfig } from '../config/index.js';
import { acceptsWrites } from '../db/writable-host.js';

/**
 * One connection to `database` (the configured one by default) on the configured server, for the
 * work of backups that needs a session of its own: an exported snapshot, CREATE DATABASE, a lock.
 *
 * With several hosts (`SQL_HOST=db,db-replica`, or a DATABASE_URL naming several), the connection
 * goes to the first that accepts writes, as the app's own do (libpq's
 * `target_session_attrs=read-write`): after a failover, backups follow the promoted standby.
 */
export async function connectPostgres(
  config: PostgresConfig,
  database = config.database,
): Promise<pg.Client> {
  const hosts = config.hosts && config.hosts.length > 1 ? config.hosts : undefined;
  if (!hosts) return open(config, database, config);
  const reasons: string[] = [];
  for (const target of hosts) {
    let client: pg.Client;
    try {
      client = await open(config, database, target);
    } catch (error) {
      reasons.push(`${target.host}:${target.port}: ${(error as Error).message}`);
      continue;
    }
    try {
      if (await acceptsWrites(client)) return client;
      reasons.push(`${target.host}:${target.port}: read-only (a standby)`);
    } catch (error) {
      reasons.push(`${target.host}:${target.port}: ${(error as Error).message}`);
    }
    await client.end().catch(() => undefined);
  }
  throw new Error(`no server accepts writes (${reasons.join('; ')})`);
}

async function open(
  config: PostgresConfig,
  database: string,
  target: { readonly host: string; readonly port: number },
): Promise<pg.Client> {
  const client = new pg.Client({
    host: target.host,
    port: target.port,
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

/** The configuration `client` connected with, narrowed to its one server: pg_dump must reach that one. */
export function onServerOf(config: PostgresConfig, client: pg.Client): PostgresConfig {
  const { hosts: _hosts, ...rest } = config;
  return { ...rest, host: client.host, port: client.port };
}

/** The database to run CREATE/ALTER/DROP DATABASE from: `postgres`, or `template1` when that is the target. */
export const maintenanceDatabase = (target: string) => (target === 'postgres' ? 'template1' : 'postgres');

/** A double-quoted SQL identifier. */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
