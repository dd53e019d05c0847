import { type Column, type SQL, sql } from 'drizzle-orm';

/**
 * `column = ANY($1)`: a membership test that binds the values as ONE array parameter.
 * Drizzle's `inArray` binds one parameter per value, so a page of 100 ids costs 100 parameters
 * to build, send and parse, for each query that loads the page's children; and its SQL text
 * changes with the count, so PostgreSQL cannot reuse a plan. PostgreSQL infers the array's type
 * from the column.
 *
 * @example
 *   db.select().from(address).where(anyOf(address.personId, [3, 5, 8]))
 */
export function anyOf(column: Column, values: readonly unknown[]): SQL {
  return sql`${column} = any(${sql.param(values.map((v) => column.mapToDriverValue(v)))})`;
}
