import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { type DatabaseConfig, loadConfig } from '../config/index.js';
import {
  adminQuery,
  emptyPgliteTemplate,
  migratedPgliteTemplate,
  migratedServerTemplate,
} from './templates.js';

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

/** The engine of this run: 'postgres' with TEST_DATABASE_URL, else 'pglite'. */
export const engine: 'pglite' | 'postgres' = serverUrl ? 'postgres' : 'pglite';

/** The engine of this run for test titles: 'PostgreSQL' or 'PGlite'. */
export const engineName = serverUrl ? 'PostgreSQL' : 'PGlite';

/**
 * `describe()` registered on one engine only. On the other engine nothing is registered, so the
 * run neither runs nor lists it as skipped: the engine's own run covers it. (A file whose every
 * test is for one engine is left out in vitest.config.ts instead.)
 *
 * @example
 *   describeOn('postgres', 'two sessions deadlock', () => { … });
 */
export function describeOn(only: 'pglite' | 'postgres', name: string, fn: () => void): void {
  if (engine === only) describe(name, fn);
}

/**
 * A fresh database for one test file: a new database on the TEST_DATABASE_URL server, or a new
 * PGlite folder; empty, or with `migrated: true` as `slipway migrate` leaves it (copied from a
 * template, see templates.ts: much quicker than migrating). `drop()` removes it.
 *
 * @example
 *   const testDb = await createTestDatabase({ migrated: true });
 *   afterAll(() => testDb.drop());
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  if (!serverUrl) {
    const dir = join(tmp, 'pglite');
    try {
      cpSync(await (options.migrated ? migratedPgliteTemplate() : emptyPgliteTemplate()), dir, {
        recursive: true,
      });
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw error;
    }
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
  try {
    const template = options.migrated ? ` TEMPLATE "${await migratedServerTemplate(serverUrl)}"` : '';
    await adminQuery(serverUrl, `CREATE DATABASE "${name}"${template}`);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    engine: 'postgres',
    config: loadConfig({ env: { DATABASE_URL: url.toString() }, cwd: tmp, requireSecretKey: false }).database,
    url: url.toString(),
    tmp,
    drop: async () => {
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
