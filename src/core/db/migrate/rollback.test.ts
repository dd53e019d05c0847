import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../../errors.js';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { type MigrationFile, readMigrationFiles } from './files.js';
import { migrateTo, planTarget, resolveTarget } from './rollback.js';
import { MIGRATION_LOCK_KEY, migrate, migrationStatus, readApplied } from './runner.js';
import { schemaFingerprint } from './testing.js';

const log = pino({ level: 'silent' });
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';
let testDb: TestDatabase;
let database: Database;
let dir: string;

const write = (name: string, sql: string) => writeFileSync(join(dir, `${name}.sql`), sql);
const files = () => readMigrationFiles(dir);
const upTo = (name: string) => files().filter((f) => f.name <= name);
const tables = async () =>
  (
    await database.query<{ t: string }>(
      "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'r\\_%' ORDER BY 1",
    )
  ).map((r) => r.t);
const appliedNames = async () => (await database.withSession(readApplied)).map((a) => a.name);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log, role: 'client' });
  dir = mkdtempSync(join(tmpdir(), 'slipway-rollback-'));
  write('0001_a', 'CREATE TABLE r_a (id int);\nINSERT INTO r_a VALUES (1);\n\n-- reverse\nDROP TABLE r_a;\n');
  write(
    '0002_b',
    "CREATE TABLE r_b (id int PRIMARY KEY);\n--> statement-breakpoint\nALTER TABLE r_a ADD COLUMN note text DEFAULT 'x';\n" +
      '\n-- reverse\nALTER TABLE r_a DROP COLUMN note;\n--> statement-breakpoint\nDROP TABLE r_b;\n',
  );
  write('0003_c', 'CREATE INDEX r_a_id_idx ON r_a (id);\n-- reverse\nDROP INDEX r_a_id_idx;\n');
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe(`migrating back to a target (${engine})`, () => {
  let atFirst: string[];
  let atLast: string[];

  it('goes back to a target, newest first, and forward again to the same schema', async () => {
    await migrate(database, upTo('0001_a'), { log });
    atFirst = await schemaFingerprint(database);
    await migrate(database, files(), { log });
    atLast = await schemaFingerprint(database);

    const order: string[] = [];
    const result = await migrateTo(database, files(), '0001_a', { log, onRevert: (n) => order.push(n) });
    expect(result).toEqual({ target: '0001_a', reverted: ['0003_c', '0002_b'], applied: [] });
    expect(order).toEqual(['0003_c', '0002_b']);
    expect(await appliedNames()).toEqual(['0001_a']);
    expect(await schemaFingerprint(database)).toEqual(atFirst);
    expect(await database.query('SELECT * FROM r_a')).toEqual([{ id: 1 }]); // kept, as reverted to

    expect(await migrate(database, files(), { log })).toEqual(['0002_b', '0003_c']);
    expect(await schemaFingerprint(database)).toEqual(atLast);
  });

  it('applies the pending migrations up to a target ahead of the database', async () => {
    await migrateTo(database, files(), '0001_a', { log });
    expect(await migrateTo(database, files(), '0002_b', { log })).toEqual({
      target: '0002_b',
      reverted: [],
      applied: ['0002_b'],
    });
    expect(await appliedNames()).toEqual(['0001_a', '0002_b']);
    expect(await migrateTo(database, files(), '0002_b', { log })).toEqual({
      target: '0002_b',
      reverted: [],
      applied: [],
    });
    await migrate(database, files(), { log });
  });

  it('plans without changing anything', async () => {
    const applied = await database.withSession(readApplied);
    const plan = planTarget('0001_a', files(), applied);
    expect(plan.revert.map((a) => a.name)).toEqual(['0003_c', '0002_b']);
    expect(plan.apply).toEqual([]);
    expect(plan.problems).toEqual([]);
    expect(planTarget(undefined, files(), applied).revert.map((a) => a.name)).toEqual([
      '0003_c',
      '0002_b',
      '0001_a',
    ]);
    expect(await schemaFingerprint(database)).toEqual(atLast);
  });

  it('refuses, before changing anything, naming every migration without a reverse', async () => {
    write('0004_d', 'CREATE TABLE r_d (id int);\n');
    write('0005_e', 'CREATE TABLE r_e (id int);\n\n-- reverse\n-- write the SQL that undoes it here\n');
    await migrate(database, files(), { log });
    const before = await schemaFingerprint(database);

    const error = await failure(migrateTo(database, files(), '0002_b', { log }));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error?.message).toMatch(/^cannot revert 0005_e, 0004_d: they have no reverse\. Write the SQL/);
    expect(error?.message).toContain(join(dir, '0004_d.sql'));
    expect(error?.message).toMatch(/Nothing was changed\.$/);
    expect(await schemaFingerprint(database)).toEqual(before); // not even 0005_e's neighbours
    expect(await appliedNames()).toEqual(['0001_a', '0002_b', '0003_c', '0004_d', '0005_e']);
    expect(planTarget('0002_b', files(), await database.withSession(readApplied)).problems).toEqual([
      error?.message.replace(/\. Nothing was changed\.$/, ''),
    ]);
  });

  it('accepts a reverse added to a migration after it was applied, and runs it', async () => {
    write('0004_d', 'CREATE TABLE r_d (id int);\n\n-- reverse\nDROP TABLE r_d;\n');
    write('0005_e', 'CREATE TABLE r_e (id int);\n\n-- reverse\nDROP TABLE r_e;\n');
    const status = await database.withSession((s) => migrationStatus(s, files()));
    expect(status.changed).toEqual([]);
    expect(await migrateTo(database, files(), '0003', { log })).toEqual({
      target: '0003_c',
      reverted: ['0005_e', '0004_d'],
      applied: [],
    });
    expect(await tables()).toEqual(['r_a', 'r_b']);
    await migrate(database, files(), { log });
  });

  it('rolls back a failing reverse in its own transaction and stops; those before it stay reverted', async () => {
    write('0006_f', 'CREATE TABLE r_f (id int);\n-- reverse\nDROP TABLE r_f;\nDROP TABLE r_missing;\n');
    write('0007_g', 'CREATE TABLE r_g (id int);\n-- reverse\nDROP TABLE r_g;\n');
    await migrate(database, files(), { log });
    const error = await failure(migrateTo(database, files(), '0005_e', { log }));
    expect(error).toBeInstanceOf(MigrationError);
    expect(error?.message).toMatch(
      /^reverting migration 0006_f failed and was rolled back: .*r_missing.* \(0007_g stayed reverted\)$/,
    );
    expect(await tables()).toContain('r_f'); // its DROP TABLE r_f was rolled back
    expect(await tables()).not.toContain('r_g');
    expect(await appliedNames()).toContain('0006_f');
    expect(await appliedNames()).not.toContain('0007_g');
    write('0006_f', 'CREATE TABLE r_f (id int);\n-- reverse\nDROP TABLE r_f;\n');
    await migrateTo(database, files(), '0005_e', { log });
    expect(await tables()).not.toContain('r_f');
  });

  it('reverts the last applied first: a migration merged from an older branch goes back before later numbers', async () => {
    write('0002_branch', 'CREATE TABLE r_branch (id int);\n-- reverse\nDROP TABLE r_branch;\n');
    expect(await migrate(database, files(), { log })).toEqual(['0002_branch', '0006_f', '0007_g']);
    const order: string[] = [];
    await migrateTo(database, files(), '0001_a', { log, onRevert: (n) => order.push(n) });
    expect(order).toEqual(['0007_g', '0006_f', '0002_branch', '0005_e', '0004_d', '0003_c', '0002_b']);
  });

  it('reverts everything with zero, and refuses an edited or missing migration', async () => {
    await migrate(database, files(), { log });
    write('0003_c', 'CREATE INDEX r_a_id_idx ON r_a (id, note);\n-- reverse\nDROP INDEX r_a_id_idx;\n');
    const edited = await failure(migrateTo(database, files(), 'zero', { log }));
    expect(edited?.message).toMatch(/^applied migration was edited afterwards: .*0003_c\.sql/);
    write('0003_c', 'CREATE INDEX r_a_id_idx ON r_a (id);\n-- reverse\nDROP INDEX r_a_id_idx;\n');

    const without = (name: string): MigrationFile[] => files().filter((f) => f.name !== name);
    const missing = await failure(migrateTo(database, without('0007_g'), '0006_f', { log }));
    expect(missing?.message).toMatch(/^cannot revert 0007_g: applied, but its file is missing/);

    await migrateTo(database, files(), 'zero', { log });
    expect(await appliedNames()).toEqual([]);
    expect(await tables()).toEqual([]);
  });

  it('names a target by its number or whole name, or zero; refuses one it does not know', () => {
    expect(resolveTarget('0003', files(), [])).toBe('0003_c');
    expect(resolveTarget('0003_c', files(), [])).toBe('0003_c');
    expect(resolveTarget('zero', files(), [])).toBeUndefined();
    expect(() => resolveTarget('0002', files(), [])).toThrow(/"0002" matches 0002_b and 0002_branch/);
    expect(() => resolveTarget('0099', files(), [])).toThrow(/^no migration "0099"; name a migration/);
  });

  // Registered on PostgreSQL only (not listed as skipped on PGlite, whose run has one process).
  if (engine === 'PostgreSQL')
    it('waits for the lock that migrating instances hold', async () => {
      await migrate(database, files(), { log });
      let released = false;
      const holder = database.withSession(async (session) => {
        await session.query('SELECT pg_advisory_lock($1, $2)', MIGRATION_LOCK_KEY);
        await new Promise((resolve) => setTimeout(resolve, 500));
        released = true;
        await session.query('SELECT pg_advisory_unlock($1, $2)', MIGRATION_LOCK_KEY);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await migrateTo(database, files(), '0001_a', { log, onRevert: () => expect(released).toBe(true) });
      await holder;
      expect(await appliedNames()).toEqual(['0001_a']);
    });
});
