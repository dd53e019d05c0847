import { index, integer, pgTable, serial, timestamp, varchar } from 'drizzle-orm/pg-core';
import { user } from '../auth/schema.js';

/**
 * API tokens: `Authorization: Token <key>`. Only the sha256 of the key is stored, so the key is
 * shown once, when created (`slipway createtoken <user>` or the admin).
 */
export const token = pgTable(
  'api_token',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    name: varchar('name', { length: 100 }).notNull().default(''),
    keyHash: varchar('key_hash', { length: 64 }).notNull().unique(),
    /** The first characters of the key, to tell tokens apart in lists without revealing them. */
    prefix: varchar('prefix', { length: 12 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [index('api_token_user_id_idx').on(t.userId)],
);
