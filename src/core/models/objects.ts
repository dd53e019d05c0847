import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import { describeTable, type FieldMeta, type TableMeta } from './fields.js';
import type { Model, ModelAction, ModelIndex, OrderTerm, Row } from './model.js';
import { hasObjectPerm, requirePerm } from './permissions.js';
import { parseKey } from './values.js';

/** Order terms (a model's `ordering`) as the SQL of an ORDER BY. */
export const orderBy = (terms: readonly OrderTerm[]): SQL[] =>
  terms.map((t) => (t.desc ? desc(t.field.column) : asc(t.field.column)));

/**
 * A primary key from a URL, form or query string, typed like the column and within its type's
 * range ({@link parseKey}); undefined when it cannot be one (the route then answers 404, a filter
 * or a body a field error, instead of letting the database reject it).
 */
export function parsePk(field: FieldMeta, raw: unknown): number | string | undefined {
  if (typeof raw !== 'string' || raw === '') return undefined;
  return parseKey(field, raw);
}

/** The rows the user may see: the model's `scope` (if any) and the extra condition. */
export function scoped(reg: Model, user: AuthUser, condition?: SQL): SQL | undefined {
  const scope = reg.options.scope?.(user);
  return scope && condition ? and(scope, condition) : (scope ?? condition);
}

/** One object by primary key, within the model's scope. */
export async function loadObject(
  db: AppDb,
  reg: Model,
  user: AuthUser,
  pk: number | string,
): Promise<Row | undefined> {
  const [row] = await db
    .select()
    .from(reg.meta.table)
    .where(scoped(reg, user, eq(reg.pk.column, pk)))
    .limit(1);
  return row as Row | undefined;
}

/**
 * The object named by an id from a URL, for a user about to act on it: the model permission is
 * required first (PermissionDeniedError, 403); then `missing` when the id cannot be a key, the
 * object does not exist or is outside the model's scope, and `forbidden` when the model's
 * object-level hook refuses it. Each transport answers these in its own words (the admin's 404
 * page, the API's problem document).
 *
 * @example
 *   const found = await findObject(db, reg, user, request.params.id, 'change');
 *   if (!found.ok) … // found.refusal: 'missing' | 'forbidden', found.message
 */
export async function findObject(
  db: AppDb,
  model: Model,
  user: AuthUser,
  rawId: unknown,
  action: ModelAction,
): Promise<
  | { ok: true; row: Row; pk: number | string }
  | { ok: false; refusal: 'missing' | 'forbidden'; message: string }
> {
  requirePerm(user, model, action);
  const pk = parsePk(model.pk, rawId);
  const row = pk === undefined ? undefined : await loadObject(db, model, user, pk);
  if (!row || pk === undefined)
    return {
      ok: false,
      refusal: 'missing',
      message: `${model.label} with ID “${String(rawId)}” doesn’t exist. Perhaps it was deleted?`,
    };
  if (!hasObjectPerm(user, model, action, row))
    return {
      ok: false,
      refusal: 'forbidden',
      message: `You do not have permission to ${action} this ${model.label.toLowerCase()}.`,
    };
  return { ok: true, row, pk };
}

/** Objects by primary keys, within scope, in no particular order. */
export async function loadObjects(
  db: AppDb,
  reg: Model,
  user: AuthUser,
  pks: readonly (number | string)[],
): Promise<Row[]> {
  if (pks.length === 0) return [];
  return (await db
    .select()
    .from(reg.meta.table)
    .where(scoped(reg, user, inArray(reg.pk.column, [...pks])))) as Row[];
}

/** How a row of any installed table is named: its model's `str`, else "<Label> object (pk)". */
export function reprOf(index: ModelIndex, meta: TableMeta, row: Row): string {
  const reg = index.forTable(meta.table);
  if (reg) return reg.str(row);
  const owner = index.tables.find((t) => t.table === meta.table);
  const name = owner ? owner.model.replaceAll('_', ' ') : meta.tableName;
  const id = meta.pk
    ? String(row[meta.pk.key])
    : meta.fields.map((f) => `${f.label}: ${String(row[f.key])}`).join(', ');
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} object (${id})`;
}

/**
 * The names of related objects for a foreign key column, by id: what lists and read-only fields
 * show instead of a bare id.
 */
export async function relatedReprs(
  db: AppDb,
  index: ModelIndex,
  field: FieldMeta,
  ids: readonly unknown[],
): Promise<Map<string, string>> {
  const ref = field.references;
  const wanted = [...new Set(ids.filter((v) => v !== null && v !== undefined))];
  if (!ref || wanted.length === 0) return new Map();
  const target = ref.foreignTable;
  const targetColumn = ref.foreignColumns[0]!;
  const meta = describeTable(target);
  const rows = (await db
    .select()
    .from(target)
    .where(inArray(targetColumn, wanted as never[]))) as Row[];
  const key = meta.fields.find((f) => f.column === targetColumn)?.key ?? meta.pk?.key ?? 'id';
  return new Map(rows.map((r) => [String(r[key]), reprOf(index, meta, r)]));
}
