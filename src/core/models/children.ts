import { asc, eq } from 'drizzle-orm';
import { permissionCodename } from '../auth/permissions.js';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import type { FieldMeta } from '../models/fields.js';
import { modelNoun } from '../text.js';
import type { ChildModel, ChildOp, ChildPerms, ModelError, Row } from './model.js';
import { jsonText, parseField, plainDefault, storedText, valueChanged } from './values.js';

/** The child model's own permissions decide what may be done with its rows, as in Django. */
export function childPerms(user: AuthUser, child: ChildModel): ChildPerms {
  const has = (action: 'view' | 'add' | 'change' | 'delete') =>
    user.hasPerm(permissionCodename(child.app, action, child.model));
  const change = has('change');
  return { view: change || has('view'), add: has('add'), change, delete: has('delete') };
}

/** The parent's existing children, in primary key order. */
export async function loadChildren(db: AppDb, child: ChildModel, parentPk: unknown): Promise<Row[]> {
  return (await db
    .select()
    .from(child.meta.table)
    .where(eq(child.fk.column, parentPk as never))
    .orderBy(asc(child.meta.pk!.column))
    .limit(child.max + 1000)) as Row[];
}

/** One child row as a writer sends it. */
export interface ChildItem {
  /** The existing child's primary key as text; none for a new row. */
  readonly id?: string;
  /**
   * Inputs by field key: text typed in a form (`source: 'text'`) or JSON values. A key left out
   * keeps the existing child's value, or takes the column's default for a new row.
   */
  readonly values: Readonly<Record<string, unknown>>;
  readonly delete?: boolean;
}

/** Rows beyond this are refused outright (Django's absolute_max); callers cut their input here. */
export const MAX_CHILD_ROWS = 1000;

/**
 * Plans the writes to a parent's child rows (Django's inline formset): each row checked field by
 * field, the user's permissions on the child model, and the `min`/`max` counts, children not
 * listed kept as they are. A new row left at its defaults is skipped. Errors carry
 * `child: { inline, row }` (the row's index in `items`), or only `inline` for the whole list.
 *
 * @example
 *   planChildren(choices, 0, perms, existing, [{ values: { choiceText: 'Yes' } }], 'json', 'add')
 *   // { ops: [{ kind: 'insert', row: 0, values: { choiceText: 'Yes', votes: 0 } }], errors: [] }
 */
export function planChildren(
  child: ChildModel,
  inline: number,
  perms: ChildPerms,
  existing: readonly Row[],
  items: readonly ChildItem[],
  source: 'text' | 'json',
): { ops: ChildOp[]; errors: ModelError[] } {
  const pkKey = child.meta.pk!.key;
  const byPk = new Map(existing.map((c) => [String(c[pkKey]), c]));
  const editable = child.fields.filter((f) => !child.readonly.has(f.key));
  const text = (f: FieldMeta, value: unknown) =>
    source === 'text' ? String(value ?? '') : jsonText(f, value);
  const blank = (f: FieldMeta) =>
    source === 'text' ? storedText(f, plainDefault(f)) : jsonText(f, plainDefault(f));
  const ops: ChildOp[] = [];
  const errors: ModelError[] = [];
  const listError = (message: string) => errors.push({ field: null, message, child: { inline } });
  const seen = new Set<string>();
  let kept = 0;
  for (const [i, item] of items.slice(0, MAX_CHILD_ROWS).entries()) {
    const rowError = (field: string | null, message: string) =>
      errors.push({ field, message, child: { inline, row: i } });
    const pk = item.id || undefined;
    const original = pk === undefined ? undefined : byPk.get(pk);
    if (pk !== undefined && (!original || seen.has(pk))) {
      listError(`Row ${i + 1}: that ${child.label.toLowerCase()} does not belong to this object.`);
      continue;
    }
    if (pk !== undefined) seen.add(pk);
    const raw = (f: FieldMeta) =>
      f.key in item.values ? text(f, item.values[f.key]) : original ? jsonText(f, original[f.key]) : blank(f);
    if (original && item.delete) {
      if (!perms.delete) rowError(null, 'You may not delete this row.');
      else ops.push({ kind: 'delete', row: i, pk: original[pkKey], original });
      continue;
    }
    if (!original && (item.delete || editable.every((f) => raw(f) === blank(f)))) continue;
    kept++;
    if (original && !perms.change) continue;
    if (!original && !perms.add) {
      rowError(null, `You may not add ${child.labelPlural.toLowerCase()}.`);
      continue;
    }
    const values: Record<string, unknown> = {};
    let valid = true;
    for (const f of editable) {
      const parsed = parseField(f, raw(f), original ? 'change' : 'add', child.checkRules);
      if (parsed.ok) {
        if (parsed.value !== undefined) values[f.key] = parsed.value;
      } else {
        rowError(f.key, parsed.error);
        valid = false;
      }
    }
    if (!valid) continue;
    if (original) {
      const changed = editable
        .filter((f) => valueChanged(f, original[f.key], values[f.key]))
        .map((f) => f.key);
      if (changed.length > 0)
        ops.push({ kind: 'update', row: i, pk: original[pkKey], original, values, changed });
    } else ops.push({ kind: 'insert', row: i, values });
  }
  // Children the input did not mention stay as they are, and count.
  kept += existing.filter((c) => !seen.has(String(c[pkKey]))).length;
  if (kept < child.min) listError(`Please submit at least ${child.min} ${modelNoun(child, child.min)}.`);
  if (kept > child.max) listError(`Please submit at most ${child.max} ${modelNoun(child, child.max)}.`);
  return { ops, errors };
}
