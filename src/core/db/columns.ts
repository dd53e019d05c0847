import { serial, timestamp } from 'drizzle-orm/pg-core';

/**
 * Column helpers shared by every app's tables: Slipway's "abstract models". Each call returns
 * fresh column builders (a builder belongs to one table), to spread into `pgTable`.
 *
 * @example
 *   export const person = pgTable('contacts_person', {
 *     ...id(),
 *     firstName: varchar('first_name', { length: 100 }).notNull(),
 *     ...timestamps(),
 *   });
 */

/** `id serial PRIMARY KEY`: the surrogate key every model has (Django's AutoField). */
export function id() {
  return { id: serial('id').primaryKey() };
}

/**
 * `created_at` and `updated_at`, both `timestamptz NOT NULL DEFAULT now()` (Django's
 * `auto_now_add` and `auto_now`).
 *
 * `updated_at` is refreshed by Drizzle on every `update()` that does not set it itself. Writes
 * that bypass Drizzle (raw SQL, psql, triggers) are covered by the database function
 * `slipway_touch_updated_at()` (the core's migration core/0001_touch_updated_at): attach it to
 * the table in a hand-written migration of the app, which depends on that one. It keeps an
 * explicitly written value (a fixture restoring its timestamps), as Drizzle does.
 *
 * @example
 *   -- src/apps/<app>/migrations/00xx_touch_my_table.sql
 *   -- (slipway makemigrations --empty <app> --name touch_my_table)
 *   -- depends: core/0001_touch_updated_at
 *   CREATE TRIGGER my_table_touch BEFORE UPDATE ON my_table
 *     FOR EACH ROW EXECUTE FUNCTION slipway_touch_updated_at();
 */
export function timestamps() {
  return {
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  };
}
