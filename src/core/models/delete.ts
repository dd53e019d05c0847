import type { FieldError } from '../errors.js';
import { deleteObjects } from './delete-objects.js';
import { planDelete } from './delete-plan.js';
import { deleteRefusals } from './delete-refusals.js';
import type { HistorySink } from './history.js';
import type { Model, ModelIndex, Row, WriteDeps } from './model.js';

/**
 * Why a deletion was refused: other rows `protect` it (a RESTRICT foreign key), it would cascade
 * to rows the user may not delete (`permission`), or the database `refused` it when it ran (a
 * trigger's rule, a reference added meanwhile, a write that kept colliding).
 */
export type DeleteRefusal = 'protected' | 'permission' | 'refused';

export type DeleteOutcome = { ok: true } | { ok: false; refusal: DeleteRefusal; errors: FieldError[] };

/**
 * Deletes one object with what its foreign keys cascade to, and logs it, for any transport:
 * 1. the cascade is planned (planDelete); rows that protect the object refuse it;
 * 2. a cascade into a model the user may not delete refuses it;
 * 3. the registration's `deleteBlockers` refuse it in their words (the admin's delete page shows
 *    the same);
 * 4. the rows go in one transaction; the database stays the final authority, and its refusal
 *    comes back translated ("Nothing was deleted." and the rule's own words).
 *
 * @example
 *   const outcome = await deleteObject({ db, user, index, history: ctx.history }, reg, row);
 *   if (!outcome.ok && outcome.refusal === 'permission') … // 403
 */
export async function deleteObject(
  deps: WriteDeps & { readonly index: ModelIndex; readonly history: HistorySink },
  reg: Model,
  row: Row,
): Promise<DeleteOutcome> {
  const { db, user, index, history } = deps;
  const name = `${reg.label.toLowerCase()} “${reg.str(row)}”`;
  const plan = await planDelete(db, index, user, reg, [row]);
  if (plan.protected.length > 0)
    return refused(
      'protected',
      `Cannot delete the ${name}: these objects refer to it and are protected: ${plan.protected
        .map((n) => `${n.model} “${n.repr}”`)
        .join(', ')}.`,
    );
  if (plan.missingPerms.length > 0)
    return refused(
      'permission',
      `Deleting the ${name} would also delete ${plan.missingPerms.join(', ').toLowerCase()}, which you may not delete.`,
    );
  // The model's own refusals (a primary address), in the words its delete page shows.
  const blocked = await deleteRefusals({ db, user }, reg, [row]);
  if (blocked.length > 0)
    return refused('refused', `Nothing was deleted. ${blocked.map((b) => b.message).join(' ')}`);
  const result = await deleteObjects({ db, history }, reg, user.id, [row]);
  return result.ok ? { ok: true } : refused('refused', result.message);
}

function refused(refusal: DeleteRefusal, message: string): DeleteOutcome {
  return { ok: false, refusal, errors: [{ field: null, message }] };
}
