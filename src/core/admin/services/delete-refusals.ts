import type { ActionContext, Row } from '../options.js';
import type { Registration } from '../registration.js';
import type { DeleteNode } from './delete-plan.js';

/** An object its registration's `deleteBlockers` will not let go, as the delete page lists it. */
export interface RefusedNode extends DeleteNode {
  /** Why, and what to do instead. */
  readonly message: string;
}

/**
 * The selected objects that the registration's `deleteBlockers` refuses to delete (none when it
 * has no such hook), for the delete confirmation: while there is any, nothing is deleted.
 *
 * @example
 *   const refused = await deleteRefusals({ db, user }, reg, rows);
 *   if (refused.length > 0) … // show why, and no "Yes, I'm sure"
 */
export async function deleteRefusals(
  ctx: ActionContext,
  reg: Registration,
  rows: readonly Row[],
): Promise<RefusedNode[]> {
  if (!reg.options.deleteBlockers || rows.length === 0) return [];
  const blockers = await reg.options.deleteBlockers(ctx, [...rows] as never[]);
  return blockers.map(({ row, message }) => ({
    model: reg.label,
    repr: reg.str(row as Row),
    url: `${reg.url}${encodeURIComponent(String((row as Row)[reg.pk.key]))}/change/`,
    children: [],
    message,
  }));
}
