import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { deployProblems } from './deploy-checks.js';
import { loadConfig } from './load-config.js';

const KEY = `${'k'.repeat(20)}abcdefghijklmnop`;
const cwd = mkdtempSync(join(tmpdir(), 'slipway-config-'));
const load = (env: Record<string, string>, extra: { defaults?: Record<string, string>; cwd?: string } = {}) =>
  loadConfig({ env, cwd: extra.cwd ?? cwd, ...(extra.defaults ? { defaults: extra.defaults } : {}) });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to embedded PGlite in DATA_DIR/pglite, port 8000, DEBUG off', () => {
    const config = load({ SECRET_KEY: KEY });
    expect(config.database).toEqual({
      engine: 'pglite',
      dir: join(cwd, 'data', 'pglite'),
      waitTimeoutMs: 60_000,
    });
    expect(config.port).toBe(8000);
    expect(config.debug).toBe(false);
    expect(config.allowedHosts).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('reads the seed-style SQL_* variables', () => {
    const config = load({
      SECRET_KEY: KEY,
      SQL_ENGINE: 'postgres',
      SQL_HOST: 'db',
      SQL_PORT: '6543',
      SQL_DATABASE: 'app',
      SQL_USER: 'web',
      SQL_PASSWORD: 'pw',
      DB_CONNECT_TIMEOUT: '2.5',
      DB_STATEMENT_TIMEOUT: '10',
      DB_POOL_MAX: '4',
    });
    expect(config.database).toMatchObject({
      engine: 'postgres',
      host: 'db',
      port: 6543,
      database: 'app',
      user: 'web',
      password: 'pw',
      connectTimeoutMs: 2500,
      statementTimeoutMs: 10_000,
      poolMax: 4,
    });
  });

  it('treats SQL_HOST without SQL_ENGINE as a PostgreSQL server', () => {
    expect(load({ SECRET_KEY: KEY, SQL_HOST: 'db' }).database.engine).toBe('postgres');
  });

  it('parses DATABASE_URL for both engines', () => {
    const pg = load({ SECRET_KEY: KEY, DATABASE_URL: 'postgresql://u%40x:p%2Fw@h:5433/d?sslmode=require' });
    expect(pg.database).toMatchObject({
      engine: 'postgres',
      user: 'u@x',
      password: 'p/w',
      host: 'h',
      port: 5433,
      database: 'd',
      sslmode: 'require',
    });
    const lite = load({ SECRET_KEY: KEY, DATABASE_URL: 'pglite://./db' });
    expect(lite.database).toMatchObject({ engine: 'pglite', dir: join(cwd, 'db') });
  });

  it('reads secrets from NAME_FILE and trims the final newline', () => {
    const file = join(cwd, 'pw.txt');
    writeFileSync(file, 's3cret with spaces \n');
    const config = load({ SECRET_KEY: KEY, SQL_ENGINE: 'postgres', SQL_PASSWORD_FILE: file });
    expect(config.database).toMatchObject({ password: 's3cret with spaces ' });
    const keyFile = join(cwd, 'key.txt');
    writeFileSync(keyFile, `${KEY}\r\n`);
    expect(load({ SECRET_KEY_FILE: keyFile }).secretKey).toBe(KEY);
  });

  it('refuses a secret given both directly and as a file', () => {
    const file = join(cwd, 'pw2.txt');
    writeFileSync(file, 'x');
    const problems = problemsOf({
      SECRET_KEY: KEY,
      SQL_ENGINE: 'postgres',
      SQL_PASSWORD: 'y',
      SQL_PASSWORD_FILE: file,
    });
    expect(problems).toEqual(['SQL_PASSWORD and SQL_PASSWORD_FILE are both set: set only one of them']);
  });

  it('reports a missing secret file by path, not content', () => {
    const problems = problemsOf({ SECRET_KEY: KEY, DATABASE_URL_FILE: '/nonexistent/url' });
    expect(problems[0]).toMatch(/^DATABASE_URL_FILE: cannot read the file \/nonexistent\/url \(ENOENT\)$/);
  });

  it('lists every invalid variable in one error, with what it expects', () => {
    const problems = problemsOf({
      SQL_ENGINE: 'oracle',
      SQL_PORT: 'abc',
      PORT: '70000',
      DEBUG: 'maybe',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'DEBUG: expected 1/0, true/false, yes/no or on/off, got "maybe"',
        'PORT: expected an integer from 1 to 65535, got "70000"',
        'SQL_PORT: expected an integer from 1 to 65535, got "abc"',
        'SQL_ENGINE: expected one of postgres, postgresql, pglite, got "oracle"',
        'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('never echoes a secret in its messages', () => {
    let message = '';
    try {
      load({ DATABASE_URL: 'mysql://root:hunter2@db/x', SECRET_KEY: KEY });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL: expected postgres://');
    expect(message).not.toContain('hunter2');
  });

  it('requires SECRET_KEY when DEBUG is off, unless the command signs nothing', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^SECRET_KEY: required when DEBUG is off/)]);
    const relaxed = loadConfig({ env: {}, cwd, requireSecretKey: false });
    expect(relaxed.secretKeyIsDefault).toBe(true);
    const dev = load({ DEBUG: '1' });
    expect(dev.secretKeyIsDefault).toBe(true);
    expect(dev.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
  });

  it('names every bad variable at once, the database URL included', () => {
    writeFileSync(join(cwd, 'k'), KEY);
    const problems = problemsOf({
      PORT: 'abc',
      DATABASE_URL: 'nonsense',
      SECRET_KEY: 'x',
      SECRET_KEY_FILE: './k',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^DATABASE_URL: expected postgres:\/\//),
        expect.stringMatching(/SECRET_KEY.*SECRET_KEY_FILE|SECRET_KEY_FILE.*SECRET_KEY/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('refuses a SECRET_KEY under 32 characters for servers with DEBUG off', () => {
    expect(problemsOf({ SECRET_KEY: 'k'.repeat(15) })).toEqual([
      'SECRET_KEY: at least 32 characters when DEBUG is off (it has 15); generate one with: openssl rand -base64 48',
    ]);
    expect(load({ SECRET_KEY: 'k'.repeat(15), DEBUG: '1' }).secretKey).toHaveLength(15);
    expect(loadConfig({ env: { SECRET_KEY: 'short' }, cwd, requireSecretKey: false }).secretKey).toBe(
      'short',
    );
  });

  it('refuses DATABASE_URL together with SQL_* variables', () => {
    expect(problemsOf({ SECRET_KEY: KEY, DATABASE_URL: 'postgres://h/d', SQL_HOST: 'x' })[0]).toMatch(
      /DATABASE_URL is set together with SQL_HOST/,
    );
  });

  it('reads .env, lets the environment win, and uses command defaults last', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-dotenv-'));
    writeFileSync(join(dir, '.env'), `PORT=9000\nSECRET_KEY=${KEY}\nLOG_LEVEL=debug\n`);
    const config = load({ LOG_LEVEL: 'warn' }, { cwd: dir, defaults: { PORT: '1234', DEBUG: '1' } });
    expect(config.port).toBe(9000);
    expect(config.logLevel).toBe('warn');
    expect(config.debug).toBe(true);
  });
});

describe('deployProblems', () => {
  it('refuses DEBUG, a default or weak key, empty ALLOWED_HOSTS and PGlite', () => {
    expect(deployProblems(load({ DEBUG: '1', ALLOWED_HOSTS: '' }))).toEqual([
      expect.stringMatching(/^DEBUG is on/),
      expect.stringMatching(/^SECRET_KEY is the insecure development default/),
      expect.stringMatching(/^the database is embedded PGlite/),
    ]);
    // A command that signs nothing loads a short key (servers refuse it, see above); check --deploy flags it.
    const weak = deployProblems(
      loadConfig({ env: { SECRET_KEY: 'short', DEBUG: '0' }, cwd, requireSecretKey: false }),
    );
    expect(weak).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SECRET_KEY is too short/),
        expect.stringMatching(/^ALLOWED_HOSTS is empty/),
      ]),
    );
  });

  it('accepts a production configuration', () => {
    const config = load({
      SECRET_KEY: KEY,
      ALLOWED_HOSTS: 'example.com',
      DATABASE_URL: 'postgres://u:p@db/app',
    });
    expect(deployProblems(config)).toEqual([]);
  });
});
