import { getTableConfig } from 'drizzle-orm/pg-core';
import type { CheckRules } from '../db/check-rules.js';
import type { PgErrorInfo } from '../db/client-errors.js';
import type { TableMeta } from './fields.js';

export { databaseError, type PgErrorInfo } from '../db/client-errors.js';

/**
 * Whether a trigger raised the error (PL/pgSQL `RAISE … USING ERRCODE = 'check_violation',
 * CONSTRAINT = 'rule_name', MESSAGE = '…'`, as the contacts app's primary-object rules do). Such a
 * message is written for users, so it is shown as is. Told apart by the server routine, which
 * does not depend on the server's language.
 */
export function raisedByTrigger(error: PgErrorInfo): boolean {
  return error.routine === 'exec_stmt_raise';
}

/** A database error as a form error: on a field when the constraint names one, else the form's. */
export interface MappedError {
  readonly field?: string;
  readonly message: string;
}

/**
 * Turns an integrity error into the message a user can act on (Django's validate_unique and
 * friends, after the fact): unique → "Question with this Question text already exists.",
 * foreign key → "Select a valid choice.", not null → "This field is required.", check → the
 * message its app's manifest gives the constraint (`rules`: the installed apps' `checkRules`, as
 * `registry.checkRules` indexes them; the message goes on its column's field), else
 * the constraint's name. A rule raised by a trigger keeps its own message, on the column it
 * names when that column is one of `meta`'s.
 */
export function mapDatabaseError(
  meta: TableMeta,
  modelLabel: string,
  labelOf: (key: string) => string,
  error: PgErrorInfo,
  rules: CheckRules,
): MappedError {
  if (raisedByTrigger(error)) {
    const sameTable = !error.table || error.table === meta.tableName;
    const field = sameTable && error.column ? meta.fieldByName(error.column) : undefined;
    return field ? { field: field.key, message: error.message } : { message: error.message };
  }
  const fieldKeys = columnsOf(meta, error);
  const key = fieldKeys[0];
  switch (error.code) {
    case '23505': {
      const labels = fieldKeys.map(labelOf);
      const what = labels.length > 0 ? labels.join(' and ') : 'these values';
      const message = `${modelLabel} with this ${what} already exists.`;
      return fieldKeys.length === 1 ? { field: key!, message } : { message };
    }
    case '23503':
      if (/still referenced/.test(error.detail ?? ''))
        return {
          message: `This object is still referenced by other objects, which protect it: ${error.detail}`,
        };
      return key
        ? { field: key, message: 'Select a valid choice. That choice is not one of the available choices.' }
        : { message: 'A related object does not exist.' };
    case '23502':
      return key
        ? { field: key, message: 'This field is required.' }
        : { message: 'A required value is missing.' };
    case '23514': {
      const rule = rules.named(error.constraint);
      if (rule) {
        const field = rule.column ? meta.fields.find((f) => f.column === rule.column) : undefined;
        return field ? { field: field.key, message: rule.message } : { message: rule.message };
      }
      return key
        ? { field: key, message: `This value does not satisfy the rule “${error.constraint ?? 'check'}”.` }
        : { message: `The values do not satisfy the rule “${error.constraint ?? 'check'}”.` };
    }
    default:
      return { message: `The database refused a value: ${error.message}` };
  }
}

/** The fields an error is about: its column, its constraint's columns, or those in its detail. */
function columnsOf(meta: TableMeta, error: PgErrorInfo): string[] {
  if (error.column) {
    const f = meta.fieldByName(error.column);
    if (f) return [f.key];
  }
  const config = getTableConfig(meta.table);
  const name = error.constraint;
  if (name) {
    const fk = meta.foreignKeys.find((f) => f.name === name);
    if (fk) return [...fk.keys];
    const unique = config.uniqueConstraints.find((u) => u.getName() === name);
    if (unique) return unique.columns.flatMap((c) => meta.fieldByName(c.name)?.key ?? []);
    const indexed = config.indexes.find((i) => i.config.name === name);
    const indexedKeys = (indexed?.config.columns ?? []).flatMap((c) => {
      const n = (c as { name?: string }).name;
      return n ? (meta.fieldByName(n)?.key ?? []) : [];
    });
    // An index on an expression (lower(username)) names no column: read the detail instead.
    if (indexedKeys.length > 0) return indexedKeys;
    const own = meta.fields.find((f) => (f.column as { uniqueName?: string }).uniqueName === name);
    if (own) return [own.key];
  }
  // "Key (lower(username::text))=(alice) already exists." names the columns inside the key.
  const key = /Key \((.+?)\)=/.exec(error.detail ?? '')?.[1];
  if (key) return meta.fields.filter((f) => new RegExp(`\\b${f.name}\\b`).test(key)).map((f) => f.key);
  if (name)
    return meta.fields
      .filter((f) => name.includes(f.name))
      .map((f) => f.key)
      .slice(0, 1);
  return [];
}
