import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PostgresConfig } from '../config/index.js';
import { BackupError } from './errors.js';

const LIB = '/usr/lib/postgresql';

/**
 * The PostgreSQL client program `name` (pg_dump, pg_restore, psql) able to talk to a server of major version
 * `serverMajor`: the newest installed under /usr/lib/postgresql/<n>/bin (Debian's layout, where
 * several majors can sit side by side), else the one on PATH. pg_dump refuses a server newer
 * than itself, so an older one is an error that says which package to install.
 */
export function pgProgram(name: 'pg_dump' | 'pg_restore' | 'psql', serverMajor: number): string {
  const candidates: { path: string; major: number }[] = [];
  if (existsSync(LIB))
    for (const v of readdirSync(LIB)) {
      const path = join(LIB, v, 'bin', name);
      if (/^\d+$/.test(v) && existsSync(path)) candidates.push({ path, major: Number(v) });
    }
  const onPath = (process.env['PATH'] ?? '')
    .split(':')
    .map((d) => join(d, name))
    .find(existsSync);
  if (onPath) candidates.push({ path: onPath, major: programMajor(onPath) });
  candidates.sort((a, b) => b.major - a.major);
  const best = candidates[0];
  if (!best)
    throw new BackupError(
      `${name} not found: install the PostgreSQL client (apt-get install postgresql-client-${serverMajor})`,
    );
  if (name === 'pg_dump' && best.major < serverMajor)
    throw new BackupError(
      `${name} ${best.major} cannot dump a PostgreSQL ${serverMajor} server: install postgresql-client-${serverMajor}`,
    );
  return best.path;
}

function programMajor(path: string): number {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8' });
    return Number(/(\d+)(\.\d+)?/.exec(out)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Connection arguments and environment for pg_dump and psql: the password never goes on argv.
 * Several hosts (`SQL_HOST=db,db-replica`) are all given to libpq, which connects to the first
 * that accepts writes (`PGTARGETSESSIONATTRS=read-write`), as connectPostgres does.
 */
export function libpqTarget(
  config: PostgresConfig,
  database = config.database,
): {
  args: string[];
  env: NodeJS.ProcessEnv;
} {
  const hosts = config.hosts && config.hosts.length > 1 ? config.hosts : undefined;
  const host = hosts ? hosts.map((h) => h.host).join(',') : config.host;
  const port = hosts ? hosts.map((h) => h.port).join(',') : String(config.port);
  return {
    args: ['-h', host, '-p', port, '-U', config.user, '-d', database],
    env: {
      ...(hosts ? { PGTARGETSESSIONATTRS: 'read-write' } : {}),
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      PGSSLMODE:
        config.sslmode === 'verify-full'
          ? 'verify-full'
          : config.sslmode === 'require'
            ? 'require'
            : 'disable',
      PGCONNECT_TIMEOUT: String(Math.max(1, Math.ceil(config.connectTimeoutMs / 1000))),
      ...(config.password !== undefined ? { PGPASSWORD: config.password } : {}),
    },
  };
}
