import { sql } from 'drizzle-orm';
import { check, integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCheckRules } from '../db/check-rules.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';
import { checkConstraintProblems } from './check-constraints.js';
import { describeTable } from './fields.js';

const box = pgTable(
  'cc_box',
  {
    id: serial('id').primaryKey(),
    label: varchar('label', { length: 20 }),
    low: integer('low'),
    high: integer('high'),
  },
  (t) => [
    check('cc_box_label_check', sql`${t.label} ~ '^[a-z]+$'`),
    check('cc_box_range_check', sql`${t.low} <= ${t.high}`),
  ],
);
const meta = describeTable(box);
const { rules } = indexCheckRules([
  {
    app: 'cc',
    rules: [{ name: 'cc_box_label_check', column: box.label, message: 'Lower-case letters only.' }],
  },
]);
let testDb: TestDatabase;
let database: Database;

// No table is created: the CHECKs are evaluated on parameters alone.
beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase(testDb.config, { log: pino({ level: 'silent' }), role: 'client' });
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

const ask = (row: Record<string, unknown>, failed: string[] = []) =>
  checkConstraintProblems(database.db, meta, 'Box', (k) => k, row, new Set(failed), rules);

describe('CHECK constraints asked of the database before a write', () => {
  it('evaluates each CHECK with the values as parameters, without a table or a row', async () => {
    expect(await ask({ label: 'abc', low: 1, high: 2 })).toEqual([]);
    expect(await ask({ label: "a'; DROP TABLE x; --", low: 3, high: 2 })).toEqual([
      { field: 'label', message: 'Lower-case letters only.' },
      { field: null, message: 'The values do not satisfy the rule “cc_box_range_check”.' },
    ]);
  });

  it('passes a CHECK whose expression is NULL, as PostgreSQL does', async () => {
    expect(await ask({ label: null, low: null, high: 2 })).toEqual([]);
  });

  it('leaves to the write a CHECK reading a column without a value, or one that failed already', async () => {
    expect(await ask({ label: 'ABC' }, ['label'])).toEqual([]);
    expect(await ask({ low: 3 })).toEqual([]);
  });
});
