import { and, count, inArray, isNotNull, notInArray } from 'drizzle-orm';
import type { AppDb } from '../../core/db/database.js';
import type { ActionContext, DeleteBlocker } from '../../core/models/model.js';
import { type AnyContactRow, type ContactKind, NOUNS, tableOf } from './owned.js';
import { company, person } from './schema.js';

/** The admin's list of each kind, where its "Make primary" action is. */
const LISTS: Readonly<Record<ContactKind, string>> = {
  address: 'Addresses',
  telephone: 'Telephones',
  email: 'E-mail addresses',
};
const PLURALS: Readonly<Record<ContactKind, string>> = {
  address: 'addresses',
  telephone: 'telephones',
  email: 'e-mail addresses',
};
/** Kinds an owner must keep one of (addresses and telephones; e-mails are optional). */
const REQUIRED: ReadonlySet<ContactKind> = new Set(['address', 'telephone']);

/** What the rule looks at in a row of any of the three kinds. */
type Owned = Pick<AnyContactRow, 'id' | 'personId' | 'companyId' | 'isPrimary'>;

/** `personId:7` or `companyId:3`. */
const ownerKey = (row: Owned): string =>
  row.personId !== null ? `personId:${row.personId}` : `companyId:${row.companyId}`;

/**
 * The contacts admin's `deleteBlockers` for addresses, telephones or e-mails: which selected
 * rows the database's rule would refuse to delete (migration contacts/0002_primary_objects, rule 4: not a primary row
 * while its owner has others, nor the last address or telephone), each said with where to
 * switch the primary. On the person's or company's form "Is primary" is read-only; the switch
 * is the “Make primary” action of the kind's list. Rows that are not primary always go.
 *
 * @example
 *   site.register(address, { deleteBlockers: primaryDeleteBlockers('address') });
 */
export function primaryDeleteBlockers<R extends Owned>(kind: ContactKind) {
  return async (ctx: ActionContext, rows: R[]): Promise<DeleteBlocker<R>[]> => {
    const primaries = rows.filter((r) => r.isPrimary);
    if (primaries.length === 0) return [];
    const selected = new Set(rows.map((r) => r.id));
    const kept = await keptCounts(ctx.db, kind, primaries, [...selected]);
    const names = await ownerNames(ctx.db, primaries);
    const noun = NOUNS[kind];
    const how = `select it in the ${LISTS[kind]} list and choose the “Make primary” action`;
    const blockers: DeleteBlocker<R>[] = [];
    for (const row of primaries) {
      const key = ownerKey(row);
      const name = names.get(key) ?? 'its owner';
      const alsoSelected = rows.filter((r) => r !== row && ownerKey(r) === key).length;
      let message: string | undefined;
      if ((kept.get(key) ?? 0) > 0)
        message = `This is the primary ${noun} of ${name}, so it cannot be deleted. Make another ${noun} primary first: ${how}.`;
      else if (REQUIRED.has(kind))
        message =
          alsoSelected === 0
            ? `This is the only ${noun} of ${name}, who must keep one, so it cannot be deleted. Add another ${noun} and make it primary first (${how}), or delete ${name}.`
            : `These are all the ${PLURALS[kind]} of ${name}, who must keep one, so the primary one cannot be deleted. Keep one of them and make it primary first: ${how}.`;
      else if (alsoSelected > 0)
        // The database refuses the primary one while any other is left, whatever the order.
        message = `This is the primary ${noun} of ${name}, so it can only be deleted last. Delete the other ${PLURALS[kind]} of ${name} first.`;
      if (message) blockers.push({ row, message });
    }
    return blockers;
  };
}

/** How many rows of this kind each owner of `rows` keeps outside the selection, by owner key. */
async function keptCounts(
  db: AppDb,
  kind: ContactKind,
  rows: readonly Owned[],
  selected: number[],
): Promise<Map<string, number>> {
  const table = tableOf(kind);
  const kept = new Map<string, number>();
  for (const column of ['personId', 'companyId'] as const) {
    const owners = [...new Set(rows.flatMap((r) => (r[column] === null ? [] : [r[column]!])))];
    if (owners.length === 0) continue;
    const counted = await db
      .select({ owner: table[column], n: count() })
      .from(table)
      .where(and(isNotNull(table[column]), inArray(table[column], owners), notInArray(table.id, selected)))
      .groupBy(table[column]);
    for (const { owner, n } of counted) kept.set(`${column}:${owner}`, n);
  }
  return kept;
}

/** "Ada Lovelace" or "Acme SA" for each owner of `rows`, by owner key. */
async function ownerNames(db: AppDb, rows: readonly Owned[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const people = [...new Set(rows.flatMap((r) => (r.personId === null ? [] : [r.personId])))];
  const companies = [...new Set(rows.flatMap((r) => (r.companyId === null ? [] : [r.companyId])))];
  if (people.length > 0)
    for (const p of await db
      .select({ id: person.id, firstName: person.firstName, lastName: person.lastName })
      .from(person)
      .where(inArray(person.id, people)))
      names.set(`personId:${p.id}`, `${p.firstName} ${p.lastName}`);
  if (companies.length > 0)
    for (const c of await db
      .select({ id: company.id, name: company.name })
      .from(company)
      .where(inArray(company.id, companies)))
      names.set(`companyId:${c.id}`, c.name);
  return names;
}
