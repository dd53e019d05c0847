import { index, integer, jsonb, pgTable, serial, text, timestamp, varchar } from 'drizzle-orm/pg-core';
import { user } from '../auth/schema.js';
import type { ChangeMessagePart } from '../models/history.js';

/**
 * The admin's history: one row per add, change or delete made through the admin, written in the
 * transaction of the change itself. The user is kept as NULL when the account is deleted, so
 * the record outlives it.
 */
export const logEntry = pgTable(
  'admin_log_entry',
  {
    id: serial('id').primaryKey(),
    actionTime: timestamp('action_time', { withTimezone: true }).notNull().defaultNow(),
    userId: integer('user_id').references(() => user.id, { onDelete: 'set null' }),
    app: varchar('app', { length: 100 }).notNull(),
    model: varchar('model', { length: 100 }).notNull(),
    objectId: text('object_id').notNull(),
    objectRepr: varchar('object_repr', { length: 200 }).notNull(),
    action: varchar('action', { length: 10, enum: ['add', 'change', 'delete'] }).notNull(),
    changeMessage: jsonb('change_message').$type<ChangeMessagePart[]>().notNull().default([]),
  },
  (t) => [
    index('admin_log_entry_object_idx').on(t.app, t.model, t.objectId, t.actionTime),
    index('admin_log_entry_user_idx').on(t.userId, t.actionTime),
  ],
);
