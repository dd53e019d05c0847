import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';

/** An account. `password` is an argon2id PHC string; never a plain password. */
export const user = pgTable(
  'auth_user',
  {
    id: serial('id').primaryKey(),
    username: varchar('username', { length: 150 }).notNull(),
    email: varchar('email', { length: 254 }).notNull().default(''),
    password: text('password').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    isStaff: boolean('is_staff').notNull().default(false),
    isSuperuser: boolean('is_superuser').notNull().default(false),
    lastLogin: timestamp('last_login', { withTimezone: true }),
    dateJoined: timestamp('date_joined', { withTimezone: true }).notNull().defaultNow(),
  },
  // "Alice" and "alice" are one account: logins match case-insensitively.
  (t) => [uniqueIndex('auth_user_username_lower_key').on(sql`lower(${t.username})`)],
);

export const group = pgTable('auth_group', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 150 }).notNull().unique(),
});

/** view/add/change/delete for every model, kept in step by `migrate` (see sync-permissions.ts). */
export const permission = pgTable('auth_permission', {
  id: serial('id').primaryKey(),
  /** `<app>.<action>_<model>`, e.g. `polls.change_question`. */
  codename: varchar('codename', { length: 255 }).notNull().unique(),
  name: varchar('name', { length: 255 }).notNull(),
  app: varchar('app', { length: 100 }).notNull(),
  model: varchar('model', { length: 100 }).notNull(),
  action: varchar('action', { length: 20 }).notNull(),
});

export const groupPermission = pgTable(
  'auth_group_permissions',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => group.id, { onDelete: 'cascade' }),
    permissionId: integer('permission_id')
      .notNull()
      .references(() => permission.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.permissionId] })],
);

export const userGroup = pgTable(
  'auth_user_groups',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    groupId: integer('group_id')
      .notNull()
      .references(() => group.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.groupId] })],
);

export const userPermission = pgTable(
  'auth_user_permissions',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    permissionId: integer('permission_id')
      .notNull()
      .references(() => permission.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.permissionId] })],
);

/**
 * Server-side sessions, so any instance serves any user. The cookie holds a random token; the
 * table holds only its sha256, so a leaked table gives no usable session.
 */
export const session = pgTable(
  'auth_session',
  {
    keyHash: varchar('key_hash', { length: 64 }).primaryKey(),
    userId: integer('user_id').references(() => user.id, { onDelete: 'cascade' }),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('auth_session_user_id_idx').on(t.userId),
    index('auth_session_expires_at_idx').on(t.expiresAt),
  ],
);

/** Every login attempt, for throttling and for the record. */
export const loginAttempt = pgTable(
  'auth_login_attempt',
  {
    id: serial('id').primaryKey(),
    username: varchar('username', { length: 150 }).notNull(),
    ip: varchar('ip', { length: 64 }).notNull(),
    succeeded: boolean('succeeded').notNull(),
    attemptedAt: timestamp('attempted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('auth_login_attempt_username_idx').on(sql`lower(${t.username})`, t.attemptedAt),
    index('auth_login_attempt_ip_idx').on(t.ip, t.attemptedAt),
  ],
);
