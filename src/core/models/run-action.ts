import { SlipwayError } from '../errors.js';
import { modelNoun } from '../text.js';
import type { ActionContext, ActionResult, BulkAction, Model, Row } from './model.js';

/** How a bulk action went; `error` is the typed error `run` threw, when it threw one. */
export interface ActionOutcome extends ActionResult {
  readonly error?: SlipwayError;
}

/**
 * Runs a model's bulk action on the selected rows and says how it went, for the admin's
 * changelist and the API alike: what `run` returned as an {@link ActionResult}, a plain string
 * as the message of a success, and nothing as a success with a generic message ("“Make primary”
 * ran on 2 addresses."). A SlipwayError below 500 thrown by `run` (a rule it enforces, a row gone
 * meanwhile) is a refusal like a returned one: level `error` with the error's message, and the
 * error itself in `error`, so that the API can answer with its status. Any other error is thrown
 * unchanged (a 500).
 *
 * @example
 *   const result = await runAction({ db, user }, reg, action, rows);
 *   if (result.level !== 'success') … // refused (error) or done in part (warning)
 */
export async function runAction(
  ctx: ActionContext,
  reg: Model,
  action: BulkAction,
  rows: readonly Row[],
): Promise<ActionOutcome> {
  let returned: Awaited<ReturnType<BulkAction['run']>>;
  try {
    returned = await action.run(ctx, [...rows]);
  } catch (error) {
    if (!(error instanceof SlipwayError) || error.status >= 500) throw error;
    return { level: 'error', message: error.message, error };
  }
  if (typeof returned === 'object') return returned;
  return {
    level: 'success',
    message: returned ?? `“${action.label}” ran on ${rows.length} ${modelNoun(reg, rows.length)}.`,
  };
}
