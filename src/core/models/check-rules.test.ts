import { pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { columnSchema } from '../api/json-schema.js';
import { defineApp } from '../apps/define-app.js';
import { createRegistry } from '../apps/registry.js';
import { mapDatabaseError } from './database-errors.js';
import { describeTable } from './fields.js';
import { parseField } from './values.js';

// Check rules live on the registry that indexed them, not in the process: two registries with a
// rule of the same name each see their own (before, the second one booted replaced the first).

const code = pgTable('t_code', {
  id: serial('id').primaryKey(),
  code: varchar('code', { length: 10 }).notNull(),
});

function site(message: string) {
  const app = defineApp({
    name: 'trial',
    label: 'Trial',
    schema: { code },
    checkRules: [
      {
        name: 't_code_code_check',
        column: code.code,
        message,
        validate: (text) => (/^[A-Z]+$/.test(text) ? undefined : message),
      },
    ],
  });
  return { meta: describeTable(code), checkRules: createRegistry([app]).checkRules };
}

describe('check rules', () => {
  it('are those of the registry that indexed them', () => {
    const first = site('Capitals only.');
    const second = site('Use capital letters.');
    const field = first.meta.field('code')!;
    expect(parseField(field, 'abc', 'add', first.checkRules)).toEqual({ ok: false, error: 'Capitals only.' });
    expect(parseField(field, 'abc', 'add', second.checkRules)).toEqual({
      ok: false,
      error: 'Use capital letters.',
    });
    const refused = {
      code: '23514',
      routine: 'ExecConstraints',
      constraint: 't_code_code_check',
      message: 'new row violates check constraint "t_code_code_check"',
    };
    expect(mapDatabaseError(first.meta, 'Code', (k) => k, refused, first.checkRules)).toEqual({
      field: 'code',
      message: 'Capitals only.',
    });
    expect(columnSchema(field, second.checkRules)).toMatchObject({ description: 'Use capital letters.' });
  });
});
