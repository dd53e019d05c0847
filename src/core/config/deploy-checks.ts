import type { Config } from './config.js';

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
