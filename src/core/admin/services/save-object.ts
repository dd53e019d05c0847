import { eq } from 'drizzle-orm';
import { rowValueProblems, type ValueProblem } from '../../db/column-values.js';
import { retryTransaction } from '../../db/retry-transaction.js';
import { ConcurrentUpdateError } from '../../errors.js';
import type { Row } from '../options.js';
import type { Inline, Registration } from '../registration.js';
import type { ChangeMessagePart } from '../schema.js';
import { databaseError, mapDatabaseError, type PgErrorInfo } from './constraint-errors.js';
import { valueChanged } from './form-values.js';
import { logAction } from './history.js';
import { saveLinks } from './many-to-many.js';
import { editableFields, type FormDeps, type FormState, type ParsedSubmission } from './object-form.js';
import { reprOf } from './objects.js';

/**
 * A failed save carries the SQLSTATE of the database's refusal (`23505` unique, `23503` foreign
 * key…, `40P01` or `40001` when it collided with a concurrent transaction), so the API can answer
 * 409 or 422, and whether the database `refused` a value or the write kept `colliding` with
 * another transaction (whose message already says that nothing was saved). The messages are on
 * the form state, on the fields or rows they concern.
 */
export type SaveResult =
  | { ok: true; row: Row; changed: boolean }
  | { ok: false; state: FormState; code: string; reason: 'refused' | 'colliding' | 'vanished' };

/**
 * The `code` of a save that found its object (`OBJECT_VANISHED`) or one of its inline rows
 * (`ROW_VANISHED`) deleted by a concurrent request: nothing was saved. The API answers 404 and
 * 409; the admin shows the message on the form.
 */
export const OBJECT_VANISHED = 'object-vanished';
export const ROW_VANISHED = 'row-vanished';

/** A row that an UPDATE … RETURNING no longer found: deleted since it was read. */
class RowVanishedError extends Error {
  constructor(
    readonly inlineIndex?: number,
    readonly row?: number,
  ) {
    super('row vanished');
  }
}

/** Values that their columns cannot take (see rowValueProblems), found before they are bound. */
class ValueRefusedError extends Error {
  constructor(
    readonly problems: readonly ValueProblem[],
    readonly inlineIndex?: number,
    readonly row?: number,
  ) {
    super(problems.map((p) => `${p.key}: ${p.message}`).join('; '));
  }
}

/** An integrity error raised by one inline row, so the message can go to that row. */
class InlineRowError extends Error {
  constructor(
    readonly inlineIndex: number,
    readonly row: number,
    readonly pgError: PgErrorInfo,
  ) {
    super(pgError.message);
  }
}

/**
 * Writes a valid submission: the object, its inline children (adds, changes and deletes), its
 * many-to-many links and the history entry, all in ONE transaction. When the database refuses
 * anything (unique, foreign key, check, not null), everything is rolled back and the error comes
 * back on the form, next to the field it concerns. A deadlock or serialization failure reruns the
 * transaction (see retryTransaction; the submission was parsed before, and is written again as
 * it is); if it keeps failing, the form says that the record was changed concurrently.
 *
 * @example
 *   const parsed = await parseForm(deps, reg, row, body);
 *   if (parsed.ok) await saveObject(deps, reg, row, parsed.parsed, parsed.state);
 */
export async function saveObject(
  deps: FormDeps,
  reg: Registration,
  original: Row | undefined,
  submission: ParsedSubmission,
  state: FormState,
): Promise<SaveResult> {
  const table = reg.meta.table;
  try {
    const result = await retryTransaction(deps.db, async (tx) => {
      const message: ChangeMessagePart[] = [];
      let row: Row;
      if (original) {
        const changed = editableFields(state)
          .filter((f) => valueChanged(f, original[f.key], submission.values[f.key]))
          .map((f) => f.key);
        const extraChanged = Object.keys(submission.values).filter(
          (k) => !editableFields(state).some((f) => f.key === k) && submission.values[k] !== original[k],
        );
        const set = Object.fromEntries([...changed, ...extraChanged].map((k) => [k, submission.values[k]]));
        refuseValues(table, set);
        if (Object.keys(set).length > 0) {
          const [updated] = (await tx
            .update(table)
            .set(set)
            .where(eq(reg.pk.column, original[reg.pk.key] as never))
            .returning()) as Row[];
          if (!updated) throw new RowVanishedError();
          row = updated;
        } else row = original;
        if (changed.length > 0) message.push({ changed: { fields: changed.map(reg.fieldLabel) } });
      } else {
        refuseValues(table, submission.values);
        row = (
          (await tx
            .insert(table)
            .values(submission.values as never)
            .returning()) as Row[]
        )[0]!;
        message.push({ added: {} });
      }
      const pk = row[reg.pk.key];

      const linkChanges: string[] = [];
      for (const m of reg.manyToMany) {
        const wanted = submission.links[m.key];
        if (wanted && (await saveLinks(tx, m, pk, wanted))) linkChanges.push(m.label);
      }
      if (linkChanges.length > 0) {
        const first = message[0];
        if (first && 'changed' in first) first.changed.fields.push(...linkChanges);
        else if (original) message.push({ changed: { fields: linkChanges } });
      }

      for (const [i, { state: inlineState, ops }] of submission.inlineOps.entries())
        for (const op of ops) {
          try {
            message.push(
              await applyInlineOp(tx, inlineState.inline, pk, op, (r) =>
                reprOf(deps.index, inlineState.inline.meta, r),
              ),
            );
          } catch (error) {
            if (error instanceof RowVanishedError) throw new RowVanishedError(i, op.row);
            if (error instanceof ValueRefusedError) throw new ValueRefusedError(error.problems, i, op.row);
            const pgError = databaseError(error);
            throw pgError ? new InlineRowError(i, op.row, pgError) : error;
          }
        }

      const anything = !original || message.length > 0;
      if (anything)
        await logAction(tx, {
          userId: deps.user.id,
          app: reg.app,
          model: reg.model,
          objectId: pk,
          objectRepr: reg.str(row),
          action: original ? 'change' : 'add',
          message,
        });
      return { row, changed: anything };
    });
    return { ok: true, ...result };
  } catch (error) {
    if (error instanceof RowVanishedError) {
      const inline =
        error.inlineIndex === undefined ? undefined : submission.inlineOps[error.inlineIndex]!.state;
      const message = inline
        ? `This ${inline.inline.label.toLowerCase()} was deleted by someone else meanwhile, so nothing was saved. Reload and try again.`
        : `This ${reg.label.toLowerCase()} was deleted by someone else meanwhile, so nothing was saved.`;
      const target = inline ? (inline.rows[error.row!]?.errors ?? undefined) : state.errors;
      if (target) target['__all__'] = [...(target['__all__'] ?? []), message];
      else inline!.errors.push(message);
      return { ok: false, state, code: inline ? ROW_VANISHED : OBJECT_VANISHED, reason: 'vanished' };
    }
    if (error instanceof ValueRefusedError) {
      const inline =
        error.inlineIndex === undefined ? undefined : submission.inlineOps[error.inlineIndex]!.state;
      const target = inline ? inline.rows[error.row!]?.errors : state.errors;
      for (const p of error.problems) {
        if (target) target[p.key] = [...(target[p.key] ?? []), p.message];
        else inline!.errors.push(`${p.key}: ${p.message}`);
      }
      return { ok: false, state, code: '22000', reason: 'refused' };
    }
    if (error instanceof InlineRowError) {
      const inlineState = submission.inlineOps[error.inlineIndex]!.state;
      const { inline } = inlineState;
      const mapped = mapDatabaseError(
        inline.meta,
        inline.label,
        (k) => inline.meta.field(k)?.label ?? k,
        error.pgError,
      );
      const rowState = inlineState.rows[error.row];
      if (rowState) {
        const key =
          mapped.field && inline.fields.some((f) => f.key === mapped.field) ? mapped.field : '__all__';
        rowState.errors[key] = [...(rowState.errors[key] ?? []), mapped.message];
      } else inlineState.errors.push(mapped.message);
      return { ok: false, state, code: error.pgError.code, reason: 'refused' };
    }
    if (error instanceof ConcurrentUpdateError) {
      state.errors['__all__'] = [...(state.errors['__all__'] ?? []), error.message];
      return { ok: false, state, code: error.sqlState, reason: 'colliding' };
    }
    const pgError = databaseError(error);
    if (!pgError) throw error;
    const mapped = mapDatabaseError(reg.meta, reg.label, reg.fieldLabel, pgError);
    const shown = mapped.field && editableFields(state).some((f) => f.key === mapped.field);
    const key = shown ? mapped.field! : '__all__';
    state.errors[key] = [...(state.errors[key] ?? []), mapped.message];
    return { ok: false, state, code: pgError.code, reason: 'refused' };
  }
}

async function applyInlineOp(
  tx: FormDeps['db'],
  inline: Inline,
  parentPk: unknown,
  op: ParsedSubmission['inlineOps'][number]['ops'][number],
  repr: (row: Row) => string,
): Promise<ChangeMessagePart> {
  const table = inline.meta.table;
  const pkColumn = inline.meta.pk!.column;
  const name = inline.label.toLowerCase();
  if (op.kind === 'delete') {
    await tx.delete(table).where(eq(pkColumn, op.pk as never));
    return { deleted: { name, object: repr(op.original) } };
  }
  if (op.kind === 'update') {
    const set = Object.fromEntries(op.changed.map((k) => [k, op.values[k]]));
    refuseValues(table, set);
    const [row] = (await tx
      .update(table)
      .set(set)
      .where(eq(pkColumn, op.pk as never))
      .returning()) as Row[];
    if (!row) throw new RowVanishedError();
    return {
      changed: { name, object: repr(row!), fields: op.changed.map((k) => inline.meta.field(k)!.label) },
    };
  }
  refuseValues(table, op.values);
  const [row] = (await tx
    .insert(table)
    .values({ ...op.values, [inline.fk.key]: parentPk } as never)
    .returning()) as Row[];
  return { added: { name, object: repr(row!) } };
}

/** Throws ValueRefusedError when a value cannot be bound for its column. */
function refuseValues(
  table: Parameters<typeof rowValueProblems>[0],
  values: Readonly<Record<string, unknown>>,
): void {
  const problems = rowValueProblems(table, values);
  if (problems.length > 0) throw new ValueRefusedError(problems);
}
