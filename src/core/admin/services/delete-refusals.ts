import type { ActionContext, Row } from '../options.js';
import type { Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';
import type { DeleteNode } from './delete-plan.js';
import type { ParsedSubmission } from './object-form.js';

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

/**
 * Asks each inline's model (when it is registered with `deleteBlockers`) about the child rows the
 * submission deletes, and puts each refusal on its row of the form. Returns whether there was
 * any: then the form is shown again and nothing is written.
 */
export async function refuseBlockedInlineDeletes(
  ctx: ActionContext,
  index: AdminIndex,
  submission: ParsedSubmission,
): Promise<boolean> {
  let refused = false;
  for (const { state, ops } of submission.inlineOps) {
    const reg = index.forTable(state.inline.meta.table);
    const deletes = ops.flatMap((op) => (op.kind === 'delete' ? [op] : []));
    if (!reg?.options.deleteBlockers || deletes.length === 0) continue;
    const key = reg.pk.key;
    const blockers = await reg.options.deleteBlockers(
      ctx,
      deletes.map((op) => op.original as never),
    );
    for (const { row, message } of blockers) {
      const op = deletes.find((d) => String(d.original[key]) === String((row as Row)[key]));
      const rowState = op && state.rows[op.row];
      if (rowState) rowState.errors['__all__'] = [...(rowState.errors['__all__'] ?? []), message];
      else state.errors.push(message);
      refused = true;
    }
  }
  return refused;
}
