import type { AuthUser } from '../../auth/request-user.js';
import type { AppDb } from '../../db/database.js';
import { orderTerms } from '../../models/list.js';
import type { Row } from '../../models/model.js';
import { orderBy, scoped } from '../../models/objects.js';
import { searchCondition } from '../../models/search.js';
import type { Registration } from '../registration.js';

export const AUTOCOMPLETE_PAGE = 20;

/**
 * One page of a model's objects matching `term` through its registered search fields, for
 * foreign key pickers: `{ results: [{ id, text }], more }` as select2 and Django expect.
 */
export async function autocomplete(
  db: AppDb,
  reg: Registration,
  user: AuthUser,
  term: string,
  page: number,
): Promise<{ results: { id: string; text: string }[]; more: boolean }> {
  const where = scoped(reg, user, searchCondition(reg.searchFields, term.slice(0, 200)));
  const rows = (await db
    .select()
    .from(reg.meta.table)
    .where(where)
    .orderBy(...orderBy(orderTerms(reg, [])))
    .limit(AUTOCOMPLETE_PAGE + 1)
    .offset((page - 1) * AUTOCOMPLETE_PAGE)) as Row[];
  return {
    results: rows.slice(0, AUTOCOMPLETE_PAGE).map((r) => ({ id: String(r[reg.pk.key]), text: reg.str(r) })),
    more: rows.length > AUTOCOMPLETE_PAGE,
  };
}
