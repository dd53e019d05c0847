import type { HistorySink } from '../../models/history.js';
import type { ModelError, Row } from '../../models/model.js';
import { reprOf } from '../../models/objects.js';
import { saveObject as saveModel } from '../../models/save.js';
import type { Registration } from '../registration.js';
import { inlineRowErrors } from './inline-forms.js';
import type { FormDeps, FormState, ParsedSubmission } from './object-form.js';

/**
 * A failed save carries the SQLSTATE of the database's refusal and whether the database
 * `refused` a value, the write kept `colliding` with another transaction, or a row `vanished`.
 * The messages are on the form state, on the fields or rows they concern.
 */
export type SaveResult =
  | { ok: true; row: Row; changed: boolean }
  | { ok: false; state: FormState; code: string; reason: 'refused' | 'colliding' | 'vanished' };

/**
 * Writes a valid form submission through the model layer (models/save.ts: one transaction for
 * the object, its inlines, its links and the history entry) and puts a refusal's messages back
 * on the form, next to the field or inline row they concern.
 *
 * @example
 *   const parsed = await parseForm(deps, reg, row, body);
 *   if (parsed.ok) await saveObject(deps, reg, row, parsed.parsed, parsed.state);
 */
export async function saveObject(
  deps: FormDeps & { readonly history: HistorySink },
  reg: Registration,
  original: Row | undefined,
  submission: ParsedSubmission,
  state: FormState,
): Promise<SaveResult> {
  const describe = (child: { meta: Registration['meta'] }, row: Row) => reprOf(deps.index, child.meta, row);
  const saved = await saveModel({ ...deps, describe }, reg, original, submission);
  if (saved.ok) return saved;
  putErrors(reg, state, saved.errors);
  return { ok: false, state, code: saved.code, reason: saved.reason };
}

/** The model layer's errors on the form: on fields, the form (`__all__`) or inline rows. */
function putErrors(reg: Registration, state: FormState, errors: readonly ModelError[]): void {
  for (const e of errors) {
    const inline = e.child && state.inlines.find((s) => s.inline === reg.inlines[e.child!.inline]);
    if (inline) {
      // The save's rows are the form's rows, in order (no unknown row reaches a save).
      const rowOf = new Map(inline.rows.map((_, i) => [i, i]));
      inlineRowErrors(inline, rowOf, [e]);
      continue;
    }
    const key = e.field ?? '__all__';
    state.errors[key] = [...(state.errors[key] ?? []), e.message];
  }
}
