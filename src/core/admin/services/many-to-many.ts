import { asc } from 'drizzle-orm';
import type { AppDb } from '../../db/database.js';
import { otherKey } from '../../models/links.js';
import type { ManyToMany, Row } from '../../models/model.js';
import { reprOf } from '../../models/objects.js';
import type { AdminIndex } from '../site.js';

/** Checkbox lists show at most this many related objects. */
const MAX_OPTIONS = 2000;

/** The related objects offered as checkboxes, as [id, name]. */
export async function manyToManyOptions(
  db: AppDb,
  index: AdminIndex,
  m: ManyToMany,
): Promise<[string, string][]> {
  const key = otherKey(m);
  const reg = index.forTable(m.otherMeta.table);
  const rows = (await db
    .select()
    .from(m.otherMeta.table)
    .orderBy(asc(m.otherMeta.field(key)!.column))
    .limit(MAX_OPTIONS)) as Row[];
  const label = m.optionLabel ?? ((r: Row) => reprOf(index, m.otherMeta, r));
  const options = rows.map((r): [string, string] => [String(r[key]), label(r)]);
  if (!reg?.options.ordering) options.sort((a, b) => a[1].localeCompare(b[1]));
  return options;
}
