import type { AppContext } from '../apps/define-app.js';
import type { AppDb } from '../db/database.js';
import { AppRegistryError } from '../errors.js';

/** One entry of a change message: Django's format, so the history reads like Django's. */
export type ChangeMessagePart =
  | { added: { name?: string; object?: string } }
  | { changed: { fields: string[]; name?: string; object?: string } }
  | { deleted: { name: string; object: string } }
  | { note: string };

/** One write, as the model layer reports it to the history. */
export interface HistoryEntry {
  readonly userId: number;
  readonly app: string;
  readonly model: string;
  readonly objectId: unknown;
  readonly objectRepr: string;
  readonly action: 'add' | 'change' | 'delete';
  readonly message: ChangeMessagePart[];
}

/**
 * Where the model layer records each write it makes (an add, a change, a delete), called with
 * the transaction of the write so the record commits or rolls back with it. The model layer
 * does not know where it goes: the admin owns the history table (`admin_log_entry`, in its own
 * migrations) and gives its `logAction` on the app context (`ctx.history`, read with
 * {@link historyOf}); the admin's routes and the API's pass that one sink, so both record their
 * writes in the same history.
 *
 * @example
 *   await saveObject({ db, user, history: historyOf(ctx), describe }, model, row, submission);
 */
export type HistorySink = (tx: AppDb, entry: HistoryEntry) => Promise<void>;

declare module '../apps/define-app.js' {
  interface AppContext {
    /** Where writes through the model layer are recorded: the admin app gives its history. */
    readonly history?: HistorySink;
  }
}

/**
 * The history sink the installed apps provided (the admin app's), for the routes that write
 * through the model layer. Throws at boot when no installed app provides one.
 *
 * @example
 *   const history = historyOf(ctx);
 */
export function historyOf(ctx: AppContext): HistorySink {
  if (!ctx.history)
    throw new AppRegistryError('no installed app provides a history for writes (the admin app does)');
  return ctx.history;
}
