import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';

/** A table's row as Drizzle selects it, typed. */
export type RowOf<T extends PgTable> = T['$inferSelect'];

/** What `clean` receives: the parsed values, which it may change, and the raw extra inputs. */
export interface CleanInput<R = Record<string, unknown>> {
  readonly mode: 'add' | 'change';
  /**
   * For a child row written with its parent (an inline): the key of its foreign key to the
   * parent, which the save sets. `values` holds the parent's id there when the parent exists;
   * when the parent is being added, its id is not known yet and the key is absent.
   */
  readonly parentKey?: string;
  readonly values: Record<string, unknown>;
  readonly extra: Record<string, string>;
  readonly original: R | undefined;
  readonly user: AuthUser;
  readonly db: AppDb;
}
