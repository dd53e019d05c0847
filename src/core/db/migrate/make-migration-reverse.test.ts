import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integer, pgEnum, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import { openDatabase } from '../open-database.js';
import { readMigrationFiles } from './files.js';
import { makeMigration } from './make-migration.js';
import { migrateTo } from './rollback.js';
import { migrate } from './runner.js';
import { schemaFingerprint } from './testing.js';

const log = pino({ level: 'silent' });
const engine = process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite';

const v1 = {
  item: pgTable('w_item', { id: serial('id').primaryKey(), name: varchar('name', { length: 50 }).notNull() }),
};
const mood = pgEnum('w_mood', ['calm', 'busy']);
const item2 = pgTable('w_item', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 80 }).notNull(),
  note: text('note'),
  mood: mood('mood'),
});
const v2 = {
  mood,
  item: item2,
  tag: pgTable('w_tag', {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').references(() => item2.id),
  }),
};

let testDb: TestDatabase;
let database: Database;
let dir: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log, role: 'client' });
  dir = mkdtempSync(join(tmpdir(), 'slipway-make-reverse-'));
});
afterAll(async () => {
  await database.close();
  await testDb.drop();
});

describe(`makemigrations writes the way back (${engine})`, () => {
  it('writes a reverse section that undoes the generated SQL', async () => {
    await makeMigration({ dir, schema: v1 });
    const made = await makeMigration({ dir, schema: v2, name: 'tags' });
    expect(made).toMatchObject({ created: true, reversible: true, previous: '0001_initial', remaining: [] });
    const text = readFileSync(join(dir, '0002_tags.sql'), 'utf8');
    expect(text).toMatch(/\n-- reverse\n/);
    const [file] = readMigrationFiles(dir).filter((f) => f.name === '0002_tags');
    expect(file?.sql).toContain('ALTER TABLE "w_item" ADD COLUMN "note" text');
    expect(file?.sql).not.toContain('DROP');
    expect(file?.reverse).toContain('DROP TABLE "w_tag"');
    expect(file?.reverse).toContain('ALTER TABLE "w_item" DROP COLUMN "note"');
    expect(file?.reverse).toContain('DROP TYPE "public"."w_mood"');
    expect(file?.reverse).not.toContain('ROW LEVEL SECURITY'); // drizzle-kit's noise before a DROP TABLE
  });

  it('goes back through the generated reverse to the same schema, and forward again', async () => {
    const files = readMigrationFiles(dir);
    await migrate(database, files.slice(0, 1), { log });
    const before = await schemaFingerprint(database);
    await migrate(database, files, { log });
    const after = await schemaFingerprint(database);
    expect(after).not.toEqual(before);
    await database.exec("INSERT INTO w_item (name, note) VALUES ('short', 'n')");

    expect(await migrateTo(database, files, '0001_initial', { log })).toMatchObject({
      reverted: ['0002_tags'],
    });
    expect(await schemaFingerprint(database)).toEqual(before);
    expect(await database.query('SELECT name FROM w_item')).toEqual([{ name: 'short' }]);
    await migrate(database, files, { log });
    expect(await schemaFingerprint(database)).toEqual(after);
  });

  it('leaves an --empty migration a reverse section to fill, and refuses to go back until it is filled', async () => {
    const empty = await makeMigration({ dir, schema: v2, empty: true, name: 'by_hand' });
    expect(empty).toMatchObject({ created: true, empty: true, reversible: false, changes: [] });
    const path = join(dir, '0003_by_hand.sql');
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/write this migration's SQL by hand/);
    expect(text).toMatch(/\n-- reverse\n-- Write the SQL that undoes the above here/);

    writeFileSync(
      path,
      text.replace('\n\n\n-- reverse', '\nCREATE INDEX w_item_note_idx ON w_item (note);\n\n-- reverse'),
    );
    await migrate(database, readMigrationFiles(dir), { log });
    await expect(migrateTo(database, readMigrationFiles(dir), '0002', { log })).rejects.toThrow(
      /^cannot revert 0003_by_hand: it has no reverse/,
    );

    writeFileSync(path, `${readFileSync(path, 'utf8')}DROP INDEX w_item_note_idx;\n`);
    expect(await migrateTo(database, readMigrationFiles(dir), '0002', { log })).toMatchObject({
      reverted: ['0003_by_hand'],
    });
  });
});
