import { inArray } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import { retryTransaction } from '../db/retry-transaction.js';
import { ConcurrentUpdateError, SlipwayError } from '../errors.js';
import { databaseError, raisedByTrigger } from './database-errors.js';
import type { DeleteInput } from './define-model.js';
import type { HistorySink } from './history.js';
import type { Model, Row } from './model.js';

export type DeleteResult = { ok: true; count: number } | { ok: false; message: string };

/** The first sentence of a refused deletion's message; the reason follows as sentences. */
const NOTHING_DELETED = 'Nothing was deleted.';

/**
 * Deletes objects and records each deletion in `history`, in one transaction; the database
 * cascades to the children. A model with a `delete` hook (defineModel) has each row deleted by
 * it instead, in the same transaction; an app's error it throws refuses the whole deletion in
 * its words. A foreign key that protects a row (added since the confirmation page) rolls back
 * everything and comes back as a message instead of an error page, and so does a deadlock or
 * serialization failure that the retries of retryTransaction did not get past: "Nothing was
 * deleted." followed by the reason ("The record was changed by someone else…", a trigger's
 * message, or the objects that still refer to it).
 */
export async function deleteObjects(
  deps: { readonly db: AppDb; readonly history: HistorySink },
  reg: Model,
  userId: number,
  rows: readonly Row[],
): Promise<DeleteResult> {
  const { db, history } = deps;
  if (rows.length === 0) return { ok: true, count: 0 };
  try {
    await retryTransaction(db, async (tx) => {
      for (const row of rows)
        await history(tx, {
          userId,
          app: reg.app,
          model: reg.model,
          objectId: row[reg.pk.key],
          objectRepr: reg.str(row),
          action: 'delete',
          message: [],
        });
      const remove = reg.options.model?.hooks.delete as
        | ((input: DeleteInput<Row>) => Promise<Row | undefined>)
        | undefined;
      if (remove) for (const row of rows) await remove({ tx, row });
      else
        await tx
          .delete(reg.meta.table)
          .where(inArray(reg.pk.column, rows.map((r) => r[reg.pk.key]) as never[]));
    });
    return { ok: true, count: rows.length };
  } catch (error) {
    if (error instanceof ConcurrentUpdateError)
      return { ok: false, message: `${NOTHING_DELETED} ${error.message}` };
    // A refusal of the model's `delete` hook (an app's error) says itself what to do.
    if (error instanceof SlipwayError && error.status < 500)
      return { ok: false, message: `${NOTHING_DELETED} ${error.message}` };
    const pgError = databaseError(error);
    // A trigger's rule (a primary address cannot be deleted) says itself, in sentences, what to do.
    if (pgError && raisedByTrigger(pgError))
      return { ok: false, message: `${NOTHING_DELETED} ${pgError.message}` };
    if (pgError?.code !== '23503') throw error;
    return {
      ok: false,
      message: `${NOTHING_DELETED} Other objects still refer to ${rows.length === 1 ? 'it' : 'them'} (${pgError.detail ?? pgError.message}).`,
    };
  }
}
