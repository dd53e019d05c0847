import type { ActionContext, ActionResult, BulkAction, Row } from '../options.js';
import type { Registration } from '../registration.js';

/**
 * Runs a registration's bulk action on the selected rows and says how it went, for the admin's
 * changelist and the API alike: what `run` returned as an {@link ActionResult}, a plain string
 * as the message of a success, and nothing as a success with a generic message ("“Make primary”
 * ran on 2 addresses."). Errors thrown by `run` are not caught.
 *
 * @example
 *   const result = await runAction({ db, user }, reg, action, rows);
 *   if (result.level !== 'success') … // refused (error) or done in part (warning)
 */
export async function runAction(
  ctx: ActionContext,
  reg: Registration,
  action: BulkAction,
  rows: readonly Row[],
): Promise<ActionResult> {
  const returned = await action.run(ctx, [...rows]);
  if (typeof returned === 'object') return returned;
  const what = rows.length === 1 ? reg.label.toLowerCase() : reg.labelPlural.toLowerCase();
  return { level: 'success', message: returned ?? `“${action.label}” ran on ${rows.length} ${what}.` };
}
