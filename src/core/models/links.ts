import { and, eq, inArray } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import type { ManyToMany, Row } from './model.js';
import { parseKey } from './values.js';

/** The key of the related model that a link table's rows point at. */
export function otherKey(m: ManyToMany): string {
  const ref = m.otherField.references!;
  return m.otherMeta.fields.find((f) => f.column === ref.foreignColumns[0])?.key ?? m.otherMeta.pk!.key;
}

/** The ids of the objects linked to `pk` now. */
export async function linkedIds(db: AppDb, m: ManyToMany, pk: unknown): Promise<Set<string>> {
  const rows = (await db
    .select()
    .from(m.through)
    .where(eq(m.ownField.column, pk as never))) as Row[];
  return new Set(rows.map((r) => String(r[m.otherField.key])));
}

/** Of the submitted ids, those that are not related objects at all. */
export async function unknownIds(db: AppDb, m: ManyToMany, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const key = otherKey(m);
  const field = m.otherMeta.field(key)!;
  const typed = ids.map((v) => parseKey(field, v)).filter((v) => v !== undefined);
  const found = typed.length
    ? ((await db
        .select()
        .from(m.otherMeta.table)
        .where(inArray(field.column, typed as never[]))) as Row[])
    : [];
  const known = new Set(found.map((r) => String(r[key])));
  return ids.filter((id) => !known.has(id));
}

/** Makes the links of `pk` exactly `wanted`; returns whether anything changed. */
export async function saveLinks(
  db: AppDb,
  m: ManyToMany,
  pk: unknown,
  wanted: ReadonlySet<string>,
): Promise<boolean> {
  const current = await linkedIds(db, m, pk);
  const removed = [...current].filter((id) => !wanted.has(id));
  const added = [...wanted].filter((id) => !current.has(id));
  const cast = (id: string) => (m.otherField.kind === 'integer' ? Number(id) : id);
  if (removed.length > 0)
    await db
      .delete(m.through)
      .where(
        and(eq(m.ownField.column, pk as never), inArray(m.otherField.column, removed.map(cast) as never[])),
      );
  if (added.length > 0)
    await db
      .insert(m.through)
      .values(added.map((id) => ({ [m.ownField.key]: pk, [m.otherField.key]: cast(id) })) as never);
  return removed.length + added.length > 0;
}
