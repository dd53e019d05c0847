import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import type { CleanInput, RowOf } from './rows.js';

/** What a `save` hook is handed: one row of the model to write, already valid. */
export interface SaveInput<R = Record<string, unknown>> {
  /** The model layer's transaction (the whole write's): write with it, and only with it. */
  readonly tx: AppDb;
  /** `add` inserts a row, `change` updates `original`. */
  readonly mode: 'add' | 'change';
  /**
   * The values to write, parsed and passed through `clean`: on `add` every value of the new row
   * (a child row's with its `parentKey` set to the parent's id); on `change` only those that
   * differ from `original`.
   */
  readonly values: Readonly<Record<string, unknown>>;
  /** The row as it was read before the write, on `change`. */
  readonly original: R | undefined;
  /** For a child row written with its parent (an inline): the key of its foreign key to the parent. */
  readonly parentKey?: string;
  readonly user: AuthUser;
}

/** What a `delete` hook is handed: one row of the model to delete. */
export interface DeleteInput<R = Record<string, unknown>> {
  readonly tx: AppDb;
  /** The row as it was read before the deletion. */
  readonly row: R;
}

/**
 * A model's own rules, declared once next to its table (Django's `Model.clean`): every writer
 * that goes through the model layer runs them, the admin's forms and the API alike, after each
 * field was parsed against its column. The database stays the final authority; these say the
 * rule first, in words, with every other problem of the write.
 */
export interface ModelHooks<T extends PgTable = PgTable> {
  /**
   * Checks the write as a whole, and may adjust `values` (a telephone number made E.164).
   * Returns the problems: `field` a column key, or null for the object.
   */
  readonly clean?: (
    input: CleanInput<RowOf<T>>,
  ) => Promise<readonly FieldError[] | undefined> | readonly FieldError[] | undefined;
  /**
   * Writes one row instead of the model layer's own INSERT or UPDATE (Django's `Model.save`
   * override, or a registration that hands writes to the app's service): for the model's own
   * object and for its rows written as child rows of another model, in the one transaction of
   * the write (the history entry, links and other child rows are the model layer's, as before).
   * Returns the written row; `undefined` when the row to change no longer exists (the write is
   * then refused as deleted meanwhile). What it throws is translated as the model layer's own
   * writes are: a refusal of the database onto the field or child row it names, an app's
   * SlipwayError (status below 500) by its field errors or message, with its status.
   */
  readonly save?: (input: SaveInput<RowOf<T>>) => Promise<RowOf<T> | undefined>;
  /**
   * Deletes one row instead of the model layer's own DELETE: for the model's own objects (the
   * admin's delete page and bulk delete, the API's DELETE) and for its child rows a parent's write
   * deletes, in that write's transaction, after `deleteBlockers` were asked. Rows that a
   * deletion cascades to (the database's ON DELETE CASCADE) do not pass through it. Returns the
   * deleted row, or `undefined` when it was already gone. Its errors are translated as for `save`.
   */
  readonly delete?: (input: DeleteInput<RowOf<T>>) => Promise<RowOf<T> | undefined>;
}

/** A table with its hooks, handed to the admin registration as `model`. */
export interface ModelDefinition<T extends PgTable = PgTable> {
  readonly table: T;
  readonly hooks: ModelHooks<T>;
}

/**
 * Declares a model's rules next to its schema: `clean` checks a write, `save` and `delete`
 * (optional) write its rows through the app's own code.
 *
 * @example
 *   export const addressModel = defineModel(address, {
 *     clean: ({ values }) => (values.personId || values.companyId ? [] : [{ field: null, message: 'Choose an owner.' }]),
 *     // The app's write part, shared with its services: locks the owner, demotes the old primary.
 *     save: ({ tx, values, original }) =>
 *       original ? changeAddress(tx, original, values) : insertAddress(tx, values),
 *     delete: ({ tx, row }) => removeAddress(tx, row),
 *   });
 *   site.register(address, { model: addressModel, list: ['street'] });
 */
export function defineModel<T extends PgTable>(table: T, hooks: ModelHooks<T>): ModelDefinition<T> {
  return { table, hooks };
}
