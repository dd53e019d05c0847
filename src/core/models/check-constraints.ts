import { Column, is, SQL, sql } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { CheckRules } from '../db/check-rules.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import { mapDatabaseError } from './database-errors.js';
import type { FieldMeta, TableMeta } from './fields.js';

/**
 * The table's CHECK constraints asked of the database before the write, as Django's
 * `Model.validate_constraints` does: each CHECK's own SQL expression is evaluated with the row's
 * values as parameters, so a rule is written once (in the schema, with its words on the app's
 * `checkRules`) and yet reported with every other problem of the form, not only when the INSERT
 * fails. A CHECK is asked only when every column it reads has a value here (`row`: the values
 * being written over the original row's), and none of them already failed; the others are left
 * to the INSERT or UPDATE, where the database still has the last word.
 *
 * Returns the refused constraints as field errors, worded as a refusal of the write would be
 * ({@link mapDatabaseError}): on the column's field, or on the object for a rule on several.
 *
 * @example
 *   await checkConstraintProblems(db, meta, 'Book', label, { title: 'Dune', isbn: '12' }, new Set(), rules)
 *   // [{ field: 'isbn', message: 'Enter the 13 digits of the ISBN.' }]
 */
export async function checkConstraintProblems(
  db: AppDb,
  meta: TableMeta,
  modelLabel: string,
  labelOf: (key: string) => string,
  row: Readonly<Record<string, unknown>>,
  failed: ReadonlySet<string | null>,
  rules: CheckRules,
): Promise<FieldError[]> {
  const asked: { name: string; columns: FieldMeta[]; test: SQL }[] = [];
  for (const check of getTableConfig(meta.table).checks) {
    // The expression holds the table's extra-config columns: matched to the fields by name.
    const fields = columnsRead(check.value).map((name) => meta.fieldByName(name));
    if (fields.length === 0 || fields.some((f) => !f || !(f.key in row) || failed.has(f.key))) continue;
    const test = substitute(check.value, (name) => {
      const { key, column } = meta.fieldByName(name)!;
      return sql`CAST(${sql.param(row[key], column)} AS ${sql.raw(column.getSQLType())})`;
    });
    asked.push({ name: check.name, columns: fields as FieldMeta[], test });
  }
  if (asked.length === 0) return [];
  const query = sql.join(
    asked.map((a, i) => sql`(${a.test}) IS FALSE AS ${sql.identifier(`c${i}`)}`),
    sql`, `,
  );
  const result = (await db.execute(sql`SELECT ${query}`)) as unknown as { rows: Record<string, boolean>[] };
  const answer = result.rows[0];
  return asked.flatMap((a, i) => {
    if (answer?.[`c${i}`] !== true) return [];
    const only = a.columns.length === 1 ? a.columns[0]!.name : undefined;
    const mapped = mapDatabaseError(
      meta,
      modelLabel,
      labelOf,
      { code: '23514', constraint: a.name, column: only, message: '' },
      rules,
    );
    return [{ field: mapped.field ?? null, message: mapped.message }];
  });
}

/** The names of the columns a CHECK's expression reads, once each. */
function columnsRead(expression: SQL): string[] {
  const found = new Set<string>();
  substitute(expression, (name) => {
    found.add(name);
    return sql``;
  });
  return [...found];
}

/** The expression with each column (by its name) replaced. */
function substitute(expression: SQL, replace: (name: string) => SQL): SQL {
  const map = (chunk: unknown): unknown => {
    if (is(chunk, Column)) return replace((chunk as Column).name);
    if (is(chunk, SQL)) return substitute(chunk, replace);
    if (Array.isArray(chunk)) return chunk.map(map);
    return chunk;
  };
  return new SQL(expression.queryChunks.map(map) as SQL['queryChunks']);
}
