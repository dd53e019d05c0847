import type { DeleteNode } from './delete-plan.js';
import type { ActionContext, Model, ModelIndex, Row } from './model.js';

/** An object its model's `deleteBlockers` will not let go, as the delete page lists it. */
export interface RefusedNode extends DeleteNode {
  /** Why, and what to do instead. */
  readonly message: string;
}

/**
 * The selected objects that the model's `deleteBlockers` refuses to delete (none when it has no
 * such hook), for the delete confirmation: while there is any, nothing is deleted. With an
 * `index`, each names where the object is shown ({@link ModelIndex.objectUrl}).
 *
 * @example
 *   const refused = await deleteRefusals({ db, user, index }, reg, rows);
 *   if (refused.length > 0) … // show why, and no "Yes, I'm sure"
 */
export async function deleteRefusals(
  ctx: ActionContext & { readonly index?: ModelIndex },
  reg: Model,
  rows: readonly Row[],
): Promise<RefusedNode[]> {
  if (!reg.options.deleteBlockers || rows.length === 0) return [];
  const blockers = await reg.options.deleteBlockers({ db: ctx.db, user: ctx.user }, [...rows] as never[]);
  return blockers.map(({ row, message }) => {
    const url = ctx.index?.objectUrl?.(reg, (row as Row)[reg.pk.key]);
    return { model: reg.label, repr: reg.str(row as Row), ...(url ? { url } : {}), children: [], message };
  });
}
