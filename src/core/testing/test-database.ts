import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type DatabaseConfig, loadConfig } from '../config/index.js';
import { projectRoot } from '../paths.js';

export interface TestDatabase {
  /** 'postgres' when TEST_DATABASE_URL is set, else 'pglite'. */
  readonly engine: 'pglite' | 'postgres';
  readonly config: DatabaseConfig;
  /** A DATABASE_URL for subprocesses: postgres://… or pglite://<folder>. */
  readonly url: string;
  /** A scratch folder that is removed with the database (DATA_DIR for subprocesses). */
  readonly tmp: string;
  drop(): Promise<void>;
}

/** The server suites run against: `TEST_DATABASE_URL`, or undefined for PGlite. */
export const serverUrl: string | undefined = process.env['TEST_DATABASE_URL'] || undefined;

/**
 * A fresh, empty database for one test file: a new database on the TEST_DATABASE_URL server,
 * or a new PGlite folder. `drop()` removes it.
 *
 * @example
 *   const testDb = await createTestDatabase();
 *   afterAll(() => testDb.drop());
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  if (!serverUrl) {
    const dir = join(tmp, 'pglite');
    cpSync(await pgliteTemplate(), dir, { recursive: true });
    return {
      engine: 'pglite',
      config: loadConfig({ env: { DATABASE_URL: `pglite://${dir}` }, cwd: tmp, requireSecretKey: false })
        .database,
      url: `pglite://${dir}`,
      tmp,
      drop: async () => rmSync(tmp, { recursive: true, force: true }),
    };
  }
  const name = `slipway_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    config: loadConfig({ env: { DATABASE_URL: url.toString() }, cwd: tmp, requireSecretKey: false }).database,
    url: url.toString(),
    tmp,
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/**
 * An empty PGlite folder made once per PGlite version and copied for each test database: a
 * fresh initdb takes about 5 s, a copy well under one.
 */
async function pgliteTemplate(): Promise<string> {
  const manifest = join(projectRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const template = join(tmpdir(), `slipway-pglite-template-${pkg.version}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(`${template}.building-`);
  const db = await PGlite.create({ dataDir: join(building, 'db') });
  await db.close();
  try {
    renameSync(join(building, 'db'), template); // atomic: another worker may have won the race
  } catch {
    // the other worker's template is as good as ours
  }
  rmSync(building, { recursive: true, force: true });
  return template;
}

/** Runs one statement on the TEST_DATABASE_URL server's maintenance database. */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
