import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integer, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../errors.js';
import { checkModels } from './check-models.js';
import { makeMigration } from './make-migration.js';

const v1 = {
  item: pgTable('t_item', { id: serial('id').primaryKey(), name: varchar('name', { length: 50 }).notNull() }),
};
const item2 = pgTable('t_item', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 80 }).notNull(),
  note: text('note'),
});
const v2 = {
  item: item2,
  tag: pgTable('t_tag', {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').references(() => item2.id),
  }),
};
const renamed = {
  item: pgTable('t_item', {
    id: serial('id').primaryKey(),
    title: varchar('title', { length: 50 }).notNull(),
  }),
};

const newDir = () => mkdtempSync(join(tmpdir(), 'slipway-make-'));

describe('makemigrations and the model check', () => {
  it('writes 0001_initial from the models, after which the check is clean', async () => {
    const dir = newDir();
    expect(await checkModels(dir, v1)).toEqual([
      'table "t_item" is in the models but in no migration',
      'run `slipway makemigrations` to write a migration for these changes',
    ]);
    const result = await makeMigration({ dir, schema: v1 });
    expect(result).toMatchObject({ created: true, name: '0001_initial' });
    const sql = readFileSync(join(dir, '0001_initial.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "t_item"');
    expect(readdirSync(join(dir, 'meta'))).toEqual(['0001_initial.json']);
    expect(await checkModels(dir, v1)).toEqual([]);
    expect(await makeMigration({ dir, schema: v1 })).toEqual({ created: false });
  });

  it('names the tables and columns that changed without a migration', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    const problems = await checkModels(dir, v2);
    expect(problems).toEqual(
      expect.arrayContaining([
        'table "t_tag" is in the models but in no migration',
        'column "t_item.note" is in the models but in no migration',
        'column "t_item.name" changed: type "varchar(50)" → "varchar(80)"',
      ]),
    );
    const result = await makeMigration({ dir, schema: v2, name: 'tags' });
    expect(result).toMatchObject({ created: true, name: '0002_tags' });
    const sql = readFileSync(join(dir, '0002_tags.sql'), 'utf8');
    expect(sql).toContain('ALTER TABLE "t_item" ADD COLUMN "note" text');
    expect(sql).toContain('CREATE TABLE "t_tag"');
    expect(await checkModels(dir, v2)).toEqual([]);
  });

  it('refuses a possible rename instead of prompting, and says how to write it by hand', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    const error = await makeMigration({ dir, schema: renamed }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as Error).message).toMatch(/table "t_item": column name removed and title added/);
    expect((error as Error).message).toContain('makemigrations --empty');
    expect(readdirSync(dir).filter((f) => f.endsWith('.sql'))).toEqual(['0001_initial.sql']);

    const empty = await makeMigration({ dir, schema: renamed, empty: true, name: 'rename_title' });
    expect(empty).toMatchObject({ created: true, name: '0002_rename_title' });
    expect(readFileSync(join(dir, '0002_rename_title.sql'), 'utf8')).toMatch(
      /write this migration's SQL by hand/,
    );
    expect(await checkModels(dir, renamed)).toEqual([]);
  });

  it('reports migrations that two branches numbered alike', async () => {
    const dir = newDir();
    await makeMigration({ dir, schema: v1 });
    await makeMigration({ dir, schema: v2, name: 'a' });
    copyFileSync(join(dir, '0002_a.sql'), join(dir, '0002_b.sql'));
    expect(await checkModels(dir, v2)).toEqual([
      'migrations 0002_a and 0002_b share a number: renumber one of them (they were made on two branches)',
    ]);
  });

  it('rejects a migration name that is not a simple identifier', async () => {
    await expect(makeMigration({ dir: newDir(), schema: v1, name: '../evil' })).rejects.toThrow(/--name/);
  });
});
