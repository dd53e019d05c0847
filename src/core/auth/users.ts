import { eq, sql } from 'drizzle-orm';
import { textProblem } from '../db/column-values.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import { ValidationError } from './errors.js';
import { hashPassword, validatePassword } from './passwords.js';
import { session, user } from './schema.js';

export type UserRow = typeof user.$inferSelect;

export interface NewUser {
  username: string;
  email?: string;
  password: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
}

const USERNAME = /^[\w.@+-]{1,150}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Problems with a username and e-mail; empty when they are acceptable. */
export function validateIdentity(input: { username: string; email?: string }): FieldError[] {
  const errors: FieldError[] = [];
  if (!USERNAME.test(input.username))
    errors.push({
      field: 'username',
      message: 'Enter a username of up to 150 letters, digits and @/./+/-/_ characters.',
    });
  if (input.email && !EMAIL.test(input.email))
    errors.push({ field: 'email', message: 'Enter a valid email address.' });
  return errors;
}

/** Finds a user by username, case-insensitively. */
export async function findUserByUsername(db: AppDb, username: string): Promise<UserRow | undefined> {
  // No stored username can hold what its column refuses (a NUL byte): not sent to the database.
  if (textProblem(username)) return undefined;
  const [row] = await db
    .select()
    .from(user)
    .where(sql`lower(${user.username}) = lower(${username})`)
    .limit(1);
  return row;
}

/**
 * Creates a user after validating the username, e-mail and password.
 * Throws {@link ValidationError} naming each bad field, including a username already taken.
 */
export async function createUser(db: AppDb, input: NewUser): Promise<UserRow> {
  const errors = validateIdentity(input);
  for (const message of validatePassword(input.password, input)) errors.push({ field: 'password', message });
  if (!errors.some((e) => e.field === 'username') && (await findUserByUsername(db, input.username)))
    errors.push({
      field: 'username',
      message: `A user with the username "${input.username}" already exists.`,
    });
  if (errors.length > 0) throw new ValidationError(`${errors[0]!.field}: ${errors[0]!.message}`, errors);
  const [row] = await db
    .insert(user)
    .values({
      username: input.username,
      email: input.email ?? '',
      password: await hashPassword(input.password),
      isStaff: input.isStaff ?? false,
      isSuperuser: input.isSuperuser ?? false,
      isActive: input.isActive ?? true,
    })
    .returning();
  return row!;
}

/**
 * Sets a new password after validating it, and ends every session of the user server-side
 * (a stolen session dies with the old password). Callers re-login the current request if wanted.
 */
export async function setPassword(db: AppDb, target: UserRow, password: string): Promise<void> {
  const problems = validatePassword(password, target);
  if (problems.length > 0)
    throw new ValidationError(
      problems[0]!,
      problems.map((message) => ({ field: 'password', message })),
    );
  const encoded = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(user).set({ password: encoded }).where(eq(user.id, target.id));
    await tx.delete(session).where(eq(session.userId, target.id));
  });
}
