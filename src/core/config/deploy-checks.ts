import type { Config } from './config.js';

/**
 * Why `start`/`serve` refuse this configuration, in one line, or undefined. In production
 * (NODE_ENV=production, as in the container image, with DEBUG off) the database is PostgreSQL,
 * so landing on the embedded PGlite (the default when no database is configured, as in a
 * container started without one) is a mistake unless SLIPWAY_ALLOW_EMBEDDED=1 says otherwise.
 * A checkout, its tests and `runserver` never set NODE_ENV=production.
 *
 *   embeddedRefusal(loadConfig({ env: { NODE_ENV: 'production', SECRET_KEY } })); // 'refusing…'
 */
export function embeddedRefusal(config: Config): string | undefined {
  if (!config.production || config.debug || config.allowEmbedded) return undefined;
  if (config.database.engine !== 'pglite') return undefined;
  return (
    'refusing to serve production (NODE_ENV=production, DEBUG=0) on the embedded PGlite database: configure PostgreSQL ' +
    '(DATABASE_URL, or SQL_HOST and the other SQL_* variables), or set SLIPWAY_ALLOW_EMBEDDED=1 to use PGlite anyway'
  );
}

/**
 * What `slipway check --deploy` refuses in a production configuration, with how to fix each.
 */
export function deployProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.debug) problems.push('DEBUG is on: it shows stack traces to visitors; set DEBUG=0');
  if (config.secretKeyIsDefault)
    problems.push('SECRET_KEY is the insecure development default: set a random one');
  else if (config.secretKey.length < 32 || new Set(config.secretKey).size < 5)
    problems.push('SECRET_KEY is too short or too simple: use at least 32 random characters');
  if (config.allowedHosts.length === 0)
    problems.push('ALLOWED_HOSTS is empty: list the host names the site answers to');
  if (config.database.engine === 'pglite')
    problems.push(
      'the database is embedded PGlite: production needs PostgreSQL (DATABASE_URL=postgres://… or SQL_ENGINE=postgres)',
    );
  return problems;
}
