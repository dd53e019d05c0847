import { eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { rowValueProblems, type ValueProblem } from '../db/column-values.js';
import { retryTransaction } from '../db/retry-transaction.js';
import { ConcurrentUpdateError, SlipwayError } from '../errors.js';
import { databaseError, mapDatabaseError, type PgErrorInfo } from './database-errors.js';
import type { DeleteInput, SaveInput } from './define-model.js';
import type { FieldMeta } from './fields.js';
import type { ChangeMessagePart, HistorySink } from './history.js';
import { saveLinks } from './links.js';
import type { ChildModel, ChildOp, Model, ModelError, Row, Submission, WriteDeps } from './model.js';
import { valueChanged } from './values.js';

/**
 * How a save went. A failed one carries every problem as {@link ModelError}s, the SQLSTATE of
 * the database's refusal (`23505` unique, `23503` foreign key…, `40P01`/`40001` when it kept
 * colliding with a concurrent transaction, or {@link OBJECT_VANISHED} / {@link ROW_VANISHED}),
 * and whether the database `refused` a value, the write kept `colliding`, or a row `vanished`.
 */
export type SaveResult =
  | { ok: true; row: Row; changed: boolean }
  | {
      ok: false;
      errors: ModelError[];
      code: string;
      reason: 'refused' | 'colliding' | 'vanished';
      /** The HTTP status of an app's error thrown by a `save` hook (its SlipwayError's). */
      status?: number;
    };

/**
 * The `code` of a save that found its object (`OBJECT_VANISHED`) or one of its child rows
 * (`ROW_VANISHED`) deleted by a concurrent request: nothing was saved.
 */
export const OBJECT_VANISHED = 'object-vanished';
export const ROW_VANISHED = 'row-vanished';

export interface SaveDeps extends WriteDeps {
  /** Where the write is recorded (`ctx.history`: the admin's history), in its transaction. */
  readonly history: HistorySink;
  /** How a child row is named in the history entry. */
  readonly describe: (child: ChildModel, row: Row) => string;
}

/** A row that an UPDATE … RETURNING no longer found: deleted since it was read. */
class RowVanishedError extends Error {
  constructor(
    readonly inline?: number,
    readonly row?: number,
  ) {
    super('row vanished');
  }
}

/** Values that their columns cannot take (see rowValueProblems), found before they are bound. */
class ValueRefusedError extends Error {
  constructor(
    readonly problems: readonly ValueProblem[],
    readonly inline?: number,
    readonly row?: number,
  ) {
    super(problems.map((p) => `${p.key}: ${p.message}`).join('; '));
  }
}

/**
 * An integrity error raised by one child row, so the message can go to that row. The driver's
 * error stays its `cause`, so that a deadlock is still recognised and the write retried.
 */
class ChildRowError extends Error {
  constructor(
    readonly inline: number,
    readonly row: number,
    readonly pgError: PgErrorInfo,
    cause: unknown,
  ) {
    super(pgError.message, { cause });
  }
}

/** An app's error (a SlipwayError below 500) thrown by a child model's `save` or `delete` hook. */
class ChildHookError extends Error {
  constructor(
    readonly inline: number,
    readonly row: number,
    readonly error: SlipwayError,
  ) {
    super(error.message, { cause: error });
  }
}

/** An app's own refusal thrown by a hook, as opposed to a bug or a collision. */
const appRefusal = (error: unknown): error is SlipwayError =>
  error instanceof SlipwayError && error.status < 500 && !(error instanceof ConcurrentUpdateError);

/**
 * Writes a valid submission: the object, its child rows (adds, changes and deletes), its
 * many-to-many links and the history entry, all in ONE transaction. The database is the final
 * authority: when it refuses anything (unique, foreign key, check, not null, a trigger's rule),
 * everything is rolled back and its refusal comes back translated, on the field or child row it
 * concerns. A deadlock or serialization failure reruns the transaction (retryTransaction); if
 * it keeps failing, the result says that the record was changed concurrently.
 *
 * @example
 *   const valid = await validateObject(deps, model, row, input);
 *   if (valid.ok) await saveObject(deps, model, row, valid.submission);
 */
export async function saveObject(
  deps: SaveDeps,
  model: Model,
  original: Row | undefined,
  submission: Submission,
): Promise<SaveResult> {
  const table = model.meta.table;
  const editable = submission.editable;
  const save = (model.options.model?.hooks.save as SaveHook | undefined) ?? plainSave(table, model.pk);
  try {
    const result = await retryTransaction(deps.db, async (tx) => {
      const message: ChangeMessagePart[] = [];
      let row: Row;
      if (original) {
        const changed = editable
          .filter((f) => valueChanged(f, original[f.key], submission.values[f.key]))
          .map((f) => f.key);
        const extraChanged = Object.keys(submission.values).filter(
          (k) => !editable.some((f) => f.key === k) && submission.values[k] !== original[k],
        );
        const set = Object.fromEntries([...changed, ...extraChanged].map((k) => [k, submission.values[k]]));
        refuseValues(table, set);
        if (Object.keys(set).length > 0) {
          const updated = await save({ tx, mode: 'change', values: set, original, user: deps.user });
          if (!updated) throw new RowVanishedError();
          row = updated;
        } else row = original;
        if (changed.length > 0) message.push({ changed: { fields: changed.map(model.fieldLabel) } });
      } else {
        refuseValues(table, submission.values);
        row = added(
          model.label,
          await save({ tx, mode: 'add', values: submission.values, original: undefined, user: deps.user }),
        );
        message.push({ added: {} });
      }
      const pk = row[model.pk.key];

      const linkChanges: string[] = [];
      for (const m of model.manyToMany) {
        const wanted = submission.links[m.key];
        if (wanted && (await saveLinks(tx, m, pk, wanted))) linkChanges.push(m.label);
      }
      if (linkChanges.length > 0) {
        const first = message[0];
        if (first && 'changed' in first) first.changed.fields.push(...linkChanges);
        else if (original) message.push({ changed: { fields: linkChanges } });
      }

      for (const { inline, ops } of submission.children) {
        const child = model.inlines[inline]!;
        for (const op of ops) {
          try {
            message.push(await applyChildOp(tx, deps, child, pk, op));
          } catch (error) {
            if (error instanceof RowVanishedError) throw new RowVanishedError(inline, op.row);
            if (error instanceof ValueRefusedError)
              throw new ValueRefusedError(error.problems, inline, op.row);
            if (appRefusal(error)) throw new ChildHookError(inline, op.row, error);
            const pgError = databaseError(error);
            throw pgError ? new ChildRowError(inline, op.row, pgError, error) : error;
          }
        }
      }

      const anything = !original || message.length > 0;
      if (anything)
        await deps.history(tx, {
          userId: deps.user.id,
          app: model.app,
          model: model.model,
          objectId: pk,
          objectRepr: model.str(row),
          action: original ? 'change' : 'add',
          message,
        });
      return { row, changed: anything };
    });
    return { ok: true, ...result };
  } catch (error) {
    return { ok: false, ...refusal(model, editable, error) };
  }
}

/** A failed save's errors, or the error itself thrown again when it is not a refusal. */
function refusal(
  model: Model,
  editable: Submission['editable'],
  error: unknown,
): { errors: ModelError[]; code: string; reason: 'refused' | 'colliding' | 'vanished'; status?: number } {
  if (error instanceof RowVanishedError) {
    const child = error.inline === undefined ? undefined : model.inlines[error.inline]!;
    if (child)
      return {
        errors: [
          {
            field: null,
            message: `This ${child.label.toLowerCase()} was deleted by someone else meanwhile, so nothing was saved. Reload and try again.`,
            child: { inline: error.inline!, row: error.row! },
          },
        ],
        code: ROW_VANISHED,
        reason: 'vanished',
      };
    const message = `This ${model.label.toLowerCase()} was deleted by someone else meanwhile, so nothing was saved.`;
    return { errors: [{ field: null, message }], code: OBJECT_VANISHED, reason: 'vanished' };
  }
  if (error instanceof ValueRefusedError) {
    const at = error.inline === undefined ? {} : { child: { inline: error.inline, row: error.row! } };
    return {
      errors: error.problems.map((p) => ({ field: p.key, message: p.message, ...at })),
      code: '22000',
      reason: 'refused',
    };
  }
  if (error instanceof ChildRowError) {
    const child = model.inlines[error.inline]!;
    const mapped = mapDatabaseError(
      child.meta,
      child.label,
      (k) => child.meta.field(k)?.label ?? k,
      error.pgError,
      child.checkRules,
    );
    const field = mapped.field && child.fields.some((f) => f.key === mapped.field) ? mapped.field : null;
    return {
      errors: [{ field, message: mapped.message, child: { inline: error.inline, row: error.row } }],
      code: error.pgError.code,
      reason: 'refused',
    };
  }
  if (error instanceof ChildHookError) {
    const child = model.inlines[error.inline]!;
    const at = { child: { inline: error.inline, row: error.row } };
    const shown = (key: string | null) => key !== null && child.fields.some((f) => f.key === key);
    return {
      errors: hookErrors(error.error, shown).map((e) => ({ ...e, ...at })),
      code: error.error.code,
      reason: 'refused',
      status: error.error.status,
    };
  }
  if (error instanceof ConcurrentUpdateError)
    return { errors: [{ field: null, message: error.message }], code: error.sqlState, reason: 'colliding' };
  if (appRefusal(error))
    return {
      errors: hookErrors(error, (key) => key !== null && editable.some((f) => f.key === key)),
      code: error.code,
      reason: 'refused',
      status: error.status,
    };
  const pgError = databaseError(error);
  if (!pgError) throw error;
  const mapped = mapDatabaseError(model.meta, model.label, model.fieldLabel, pgError, model.checkRules);
  const shown = mapped.field && editable.some((f) => f.key === mapped.field);
  return {
    errors: [{ field: shown ? mapped.field! : null, message: mapped.message }],
    code: pgError.code,
    reason: 'refused',
  };
}

/** A hook's field errors (its message when it has none), on the fields the writer sees. */
function hookErrors(error: SlipwayError, shown: (key: string | null) => boolean): ModelError[] {
  const errors = error.errors.length > 0 ? error.errors : [{ field: null, message: error.message }];
  return errors.map((e) => ({ field: shown(e.field) ? e.field : null, message: e.message }));
}

/** A `save` hook as the model layer calls it, whatever the model's table. */
type SaveHook = (input: SaveInput<Row>) => Promise<Row | undefined>;
type DeleteHook = (input: DeleteInput<Row>) => Promise<Row | undefined>;

/**
 * The model layer's own write of one row, what a model without a `save` hook gets: an INSERT,
 * or an UPDATE of the original row by its primary key (no row: it was deleted meanwhile).
 */
function plainSave(table: PgTable, pk: FieldMeta): SaveHook {
  return async ({ tx, mode, values, original }) => {
    const written =
      mode === 'add'
        ? tx.insert(table).values(values as never)
        : tx
            .update(table)
            .set(values)
            .where(eq(pk.column, original![pk.key] as never));
    return ((await written.returning()) as Row[])[0];
  };
}

/** The row a `save` hook added; a hook that adds nothing is a bug of the app. */
function added(label: string, row: Row | undefined): Row {
  if (!row) throw new Error(`The save hook of ${label} returned no row for a row it was to add.`);
  return row;
}

/**
 * Writes one child row: through the child model's `save` or `delete` hook when it declares one,
 * else with the model layer's own statement ({@link plainSave}).
 */
async function applyChildOp(
  tx: WriteDeps['db'],
  deps: SaveDeps,
  child: ChildModel,
  parentPk: unknown,
  op: ChildOp,
): Promise<ChangeMessagePart> {
  const table = child.meta.table;
  const pkColumn = child.meta.pk!.column;
  const name = child.label.toLowerCase();
  const repr = (row: Row) => deps.describe(child, row);
  const save = (child.hooks.save as SaveHook | undefined) ?? plainSave(table, child.meta.pk!);
  const remove = child.hooks.delete as DeleteHook | undefined;
  const parentKey = child.fk.key;
  if (op.kind === 'delete') {
    if (remove) await remove({ tx, row: op.original });
    else await tx.delete(table).where(eq(pkColumn, op.pk as never));
    return { deleted: { name, object: repr(op.original) } };
  }
  if (op.kind === 'update') {
    const set = Object.fromEntries(op.changed.map((k) => [k, op.values[k]]));
    refuseValues(table, set);
    const row = await save({
      tx,
      mode: 'change',
      values: set,
      original: op.original,
      parentKey,
      user: deps.user,
    });
    if (!row) throw new RowVanishedError();
    return {
      changed: { name, object: repr(row), fields: op.changed.map((k) => child.meta.field(k)!.label) },
    };
  }
  refuseValues(table, op.values);
  const values = { ...op.values, [parentKey]: parentPk };
  const row = added(
    child.label,
    await save({ tx, mode: 'add', values, original: undefined, parentKey, user: deps.user }),
  );
  return { added: { name, object: repr(row) } };
}

/** Throws ValueRefusedError when a value cannot be bound for its column. */
function refuseValues(
  table: Parameters<typeof rowValueProblems>[0],
  values: Readonly<Record<string, unknown>>,
): void {
  const problems = rowValueProblems(table, values);
  if (problems.length > 0) throw new ValueRefusedError(problems);
}
