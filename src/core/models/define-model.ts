import type { PgTable } from 'drizzle-orm/pg-core';
import type { FieldError } from '../errors.js';
import type { CleanInput, RowOf } from './model.js';

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
}

/** A table with its hooks, handed to the admin registration as `model`. */
export interface ModelDefinition<T extends PgTable = PgTable> {
  readonly table: T;
  readonly hooks: ModelHooks<T>;
}

/**
 * Declares a model's rules next to its schema.
 *
 * @example
 *   export const addressModel = defineModel(address, {
 *     clean: ({ values }) => (values.personId || values.companyId ? [] : [{ field: null, message: 'Choose an owner.' }]),
 *   });
 *   site.register(address, { model: addressModel, list: ['street'] });
 */
export function defineModel<T extends PgTable>(table: T, hooks: ModelHooks<T>): ModelDefinition<T> {
  return { table, hooks };
}
