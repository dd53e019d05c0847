import { integer, pgTable, serial, varchar } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { indexCheckRules } from '../../db/check-rules.js';
import {
  databaseError,
  mapDatabaseError,
  type PgErrorInfo,
  raisedByTrigger,
} from '../../models/database-errors.js';
import { describeTable } from '../../models/fields.js';

const phone = pgTable('t_phone', {
  id: serial('id').primaryKey(),
  ownerId: integer('owner_id'),
  number: varchar('number', { length: 32 }).notNull(),
});
const meta = describeTable(phone);
const labelOf = (key: string) => meta.field(key)?.label ?? key;
const { rules } = indexCheckRules([
  {
    app: 't',
    rules: [
      { name: 't_phone_shape_check', column: phone.number, message: 'Enter digits.', validate: () => 'x' },
      { name: 't_phone_owner_check', message: 'Choose an owner.' },
    ],
  },
]);
const map = (error: PgErrorInfo) => mapDatabaseError(meta, 'Phone', labelOf, error, rules);

/** What a PL/pgSQL `RAISE … USING ERRCODE, CONSTRAINT, TABLE, COLUMN, MESSAGE` reports. */
const raised = (extra: Partial<PgErrorInfo>): PgErrorInfo => ({
  code: '23514',
  routine: 'exec_stmt_raise',
  constraint: 't_phone_primary_protected',
  table: 't_phone',
  message: 'This is the primary telephone of Ada: make another telephone primary first.',
  ...extra,
});

describe('database errors raised by triggers', () => {
  it('are told from constraint errors by the routine that raised them', () => {
    expect(raisedByTrigger(raised({}))).toBe(true);
    expect(raisedByTrigger({ code: '23514', routine: 'ExecConstraints', message: 'new row violates…' })).toBe(
      false,
    );
    expect(raisedByTrigger({ code: '23514', message: 'no routine reported' })).toBe(false);
  });

  it('keep their own message, for the whole form when they name no column', () => {
    expect(map(raised({}))).toEqual({
      message: 'This is the primary telephone of Ada: make another telephone primary first.',
    });
  });

  it('go to the field of the column they name, when it is a column of this table', () => {
    const error = raised({
      constraint: 't_phone_number_check',
      column: 'number',
      message: '“12” is not a number.',
    });
    expect(map(error)).toEqual({ field: 'number', message: '“12” is not a number.' });
    // Raised about another table (a deferred check at COMMIT): the form's, not a field's.
    expect(map({ ...error, table: 't_other' })).toEqual({ message: '“12” is not a number.' });
  });

  it('leave the messages of plain constraints as they were', () => {
    const check: PgErrorInfo = {
      code: '23514',
      routine: 'ExecConstraints',
      constraint: 't_phone_number_check',
      message: 'new row for relation "t_phone" violates check constraint "t_phone_number_check"',
    };
    expect(map(check)).toEqual({
      field: 'number',
      message: 'This value does not satisfy the rule “t_phone_number_check”.',
    });
  });

  it('are unwrapped from the query error Drizzle throws, like any integrity error', () => {
    const wrapped = Object.assign(new Error('Failed query: COMMIT'), { cause: raised({ code: '23505' }) });
    expect(databaseError(wrapped)).toMatchObject({ code: '23505', routine: 'exec_stmt_raise' });
  });
});

describe('check constraints given a message', () => {
  const shape: PgErrorInfo = {
    code: '23514',
    routine: 'ExecConstraints',
    constraint: 't_phone_shape_check',
    message: 'new row for relation "t_phone" violates check constraint "t_phone_shape_check"',
  };

  it('say the message, on the field of their column', () => {
    expect(map(shape)).toEqual({ field: 'number', message: 'Enter digits.' });
  });

  it('say it for the whole form when they are about the row', () => {
    expect(map({ ...shape, constraint: 't_phone_owner_check' })).toEqual({ message: 'Choose an owner.' });
  });

  it('give the forms the rules to run first, by column', () => {
    expect(rules.forColumn(phone.number).map((r) => r.name)).toEqual(['t_phone_shape_check']);
    expect(rules.forColumn(phone.ownerId)).toEqual([]);
  });
});
