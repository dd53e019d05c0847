import { asc, count, eq } from 'drizzle-orm';
import type { AppDb } from '../../db/database.js';
import { describeTable, type FieldMeta } from '../../models/fields.js';
import type { Row } from '../../models/model.js';
import { orderBy, reprOf } from '../../models/objects.js';
import { parseKey } from '../../models/values.js';
import type { Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';
import type { ForeignKeyWidget } from '../templates/widgets.js';
import { manyToManyOptions } from './many-to-many.js';
import type { FormState } from './object-form.js';

/** A foreign key gets a select while its table has at most this many rows; an id input beyond. */
export const SELECT_LIMIT = 200;

export interface WidgetData {
  /** Foreign key widgets by field key, or `prefix:key` for inline fields. */
  readonly fk: Map<string, ForeignKeyWidget>;
  readonly m2m: Map<string, [string, string][]>;
}

async function foreignKeyWidget(
  db: AppDb,
  index: AdminIndex,
  field: FieldMeta,
  values: readonly string[],
  autocomplete: boolean,
): Promise<ForeignKeyWidget> {
  const ref = field.references!;
  const target = describeTable(ref.foreignTable);
  const targetField = target.fields.find((f) => f.column === ref.foreignColumns[0]) ?? target.pk!;
  const targetReg = index.forTable(ref.foreignTable);
  const [{ n } = { n: 0 }] = autocomplete
    ? [{ n: Number.POSITIVE_INFINITY }]
    : await db.select({ n: count() }).from(ref.foreignTable);
  if (n <= SELECT_LIMIT) {
    const order = targetReg?.ordering.length ? orderBy(targetReg.ordering) : [asc(targetField.column)];
    const rows = (await db
      .select()
      .from(ref.foreignTable)
      .orderBy(...order)
      .limit(SELECT_LIMIT)) as Row[];
    return {
      kind: 'select',
      options: rows.map((r) => [String(r[targetField.key]), reprOf(index, target, r)]),
    };
  }
  const current = values.find((v) => v !== '');
  let repr: string | undefined;
  const typed = current === undefined ? undefined : parseKey(targetField, current);
  if (typed !== undefined) {
    const [row] = (await db
      .select()
      .from(ref.foreignTable)
      .where(eq(targetField.column, typed as never))
      .limit(1)) as Row[];
    if (row) repr = reprOf(index, target, row);
  }
  return {
    kind: 'raw',
    ...(repr ? { repr } : {}),
    ...(targetReg ? { lookupUrl: targetReg.url } : {}),
    ...(autocomplete && targetReg ? { autocompleteUrl: `${targetReg.url}autocomplete/` } : {}),
  };
}

/** Loads what the form's widgets need: foreign key choices or names, many-to-many options. */
export async function loadWidgetData(
  db: AppDb,
  index: AdminIndex,
  reg: Registration,
  state: FormState,
): Promise<WidgetData> {
  const fk = new Map<string, ForeignKeyWidget>();
  for (const f of state.sections.flatMap((s) => s.fields))
    if (f.references)
      fk.set(
        f.key,
        await foreignKeyWidget(db, index, f, [state.raw[f.key] ?? ''], reg.autocomplete.has(f.key)),
      );
  for (const inlineState of state.inlines)
    for (const f of inlineState.inline.fields)
      if (f.references) {
        const values = inlineState.rows.map((r) => r.raw[f.key] ?? '');
        // Each row may show a different object: a select serves all, raw inputs get their own name.
        const widget = await foreignKeyWidget(db, index, f, values, false);
        fk.set(`${inlineState.inline.prefix}:${f.key}`, widget);
        if (widget.kind === 'raw')
          for (const [i, v] of values.entries())
            fk.set(
              `${inlineState.inline.prefix}:${i}:${f.key}`,
              await foreignKeyWidget(db, index, f, [v], false),
            );
      }
  const m2m = new Map<string, [string, string][]>();
  for (const m of state.sections.flatMap((s) => s.manyToMany))
    m2m.set(m.key, await manyToManyOptions(db, index, m));
  return { fk, m2m };
}

/** A read-only value as text: related objects by name, everything else formatted. */
export async function readonlyText(
  db: AppDb,
  index: AdminIndex,
  field: FieldMeta,
  value: unknown,
): Promise<string | undefined> {
  if (!field.references || value === null || value === undefined) return undefined;
  const ref = field.references;
  const target = describeTable(ref.foreignTable);
  const [row] = (await db
    .select()
    .from(ref.foreignTable)
    .where(eq(ref.foreignColumns[0]!, value as never))
    .limit(1)) as Row[];
  return row ? reprOf(index, target, row) : undefined;
}
