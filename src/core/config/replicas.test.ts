import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadConfig } from './load-config.js';

const KEY = `${'k'.repeat(20)}abcdefghijklmnop`;
const cwd = mkdtempSync(join(tmpdir(), 'slipway-replicas-'));
const load = (env: Record<string, string>) => loadConfig({ env: { SECRET_KEY: KEY, ...env }, cwd });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('replica configuration', () => {
  it('reads DATABASE_REPLICA_URLS as a list of standbys, with the default lag limit', () => {
    const config = load({
      DATABASE_URL: 'postgres://app:pw@db:5432/slipway',
      DATABASE_REPLICA_URLS: 'postgres://app:pw@replica1/slipway, postgres://app:pw@replica2:5433/slipway',
    });
    expect(config.database).toMatchObject({
      engine: 'postgres',
      host: 'db',
      replicaMaxLagMs: 5000,
      replicas: [
        {
          host: 'replica1',
          port: 5432,
          database: 'slipway',
          user: 'app',
          password: 'pw',
          sslmode: 'disable',
        },
        {
          host: 'replica2',
          port: 5433,
          database: 'slipway',
          user: 'app',
          password: 'pw',
          sslmode: 'disable',
        },
      ],
    });
  });

  it('reads DATABASE_REPLICA_URLS_FILE like every secret', () => {
    const file = join(cwd, 'replica-urls');
    writeFileSync(file, 'postgres://app:pw@replica1/slipway\n');
    const config = load({ DATABASE_URL: 'postgres://app:pw@db/slipway', DATABASE_REPLICA_URLS_FILE: file });
    expect(config.database.engine === 'postgres' && config.database.replicas?.map((r) => r.host)).toEqual([
      'replica1',
    ]);
  });

  it('reads the seed-style SQL_REPLICA_HOSTS with the SQL_* credentials', () => {
    const config = load({
      SQL_HOST: 'db',
      SQL_USER: 'app',
      SQL_PASSWORD: 'pw',
      SQL_DATABASE: 'slipway',
      SQL_REPLICA_HOSTS: 'db-replica,other:5433',
      REPLICA_MAX_LAG: '2.5',
    });
    expect(config.database).toMatchObject({
      replicaMaxLagMs: 2500,
      replicas: [
        { host: 'db-replica', port: 5432, database: 'slipway', user: 'app', password: 'pw' },
        { host: 'other', port: 5433, database: 'slipway', user: 'app', password: 'pw' },
      ],
    });
  });

  it('refuses replicas next to the embedded PGlite database, saying why', () => {
    expect(problemsOf({ DATABASE_REPLICA_URLS: 'postgres://app:pw@replica1/slipway' })).toEqual([
      expect.stringMatching(
        /^DATABASE_REPLICA_URLS: replicas need a PostgreSQL primary .*PGlite database has no replication/,
      ),
    ]);
  });

  it('refuses a replica URL that is not postgres:// without echoing it, and both styles at once', () => {
    const problems = problemsOf({
      DATABASE_URL: 'postgres://app:pw@db/slipway',
      DATABASE_REPLICA_URLS: 'postgres://app:pw@r1/slipway,mysql://app:secretpw@r2/x',
    });
    expect(problems).toEqual(['DATABASE_REPLICA_URLS: URL number 2 is not a postgres:// URL']);
    expect(
      problemsOf({ SQL_HOST: 'db', SQL_REPLICA_HOSTS: 'r1', DATABASE_REPLICA_URLS: 'postgres://r2/x' }),
    ).toEqual(['DATABASE_REPLICA_URLS is set together with SQL_REPLICA_HOSTS: use one style or the other']);
  });

  it('reads several hosts in DATABASE_URL as libpq does, the first one as the main host', () => {
    const config = load({
      DATABASE_URL: 'postgres://app:pw@db1,db2:5433,[::1]/slipway?target_session_attrs=read-write',
    });
    expect(config.database).toMatchObject({
      host: 'db1',
      port: 5432,
      database: 'slipway',
      hosts: [
        { host: 'db1', port: 5432 },
        { host: 'db2', port: 5433 },
        { host: '::1', port: 5432 },
      ],
    });
    expect(problemsOf({ DATABASE_URL: 'postgres://app:pw@db1,db2:99999/slipway' })).toEqual([
      'DATABASE_URL: expected several hosts as host1:port1,host2:port2',
    ]);
  });

  it('reads several hosts in the seed-style SQL_HOST the same way, SQL_PORT by default', () => {
    const config = load({ SQL_HOST: 'db, db-replica:5433', SQL_PORT: '5434', SQL_DATABASE: 'slipway' });
    expect(config.database).toMatchObject({
      engine: 'postgres',
      host: 'db',
      port: 5434,
      database: 'slipway',
      hosts: [
        { host: 'db', port: 5434 },
        { host: 'db-replica', port: 5433 },
      ],
    });
    expect(load({ SQL_HOST: 'db' }).database).not.toHaveProperty('hosts');
    expect(problemsOf({ SQL_HOST: 'db,,db-replica' })).toEqual([
      'SQL_HOST: expected host or host:port, comma-separated, got "db,,db-replica"',
    ]);
  });
});
