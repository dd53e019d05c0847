import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import { LoginThrottledError } from './errors.js';
import { verifyPassword } from './passwords.js';
import { loginAttempt, user } from './schema.js';
import { findUserByUsername, type UserRow } from './users.js';

/** Failures allowed in the window, per username and per client address, before logins answer 429. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perUsername: 5, perIp: 20 } as const;

/** Seconds until another attempt is allowed; 0 when not throttled. */
export async function loginRetryAfter(db: AppDb, username: string, ip: string): Promise<number> {
  const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
  const failures = (where: ReturnType<typeof and>) =>
    db
      .select({ n: count(), oldest: sql<string | null>`min(${loginAttempt.attemptedAt})` })
      .from(loginAttempt)
      .where(and(eq(loginAttempt.succeeded, false), gt(loginAttempt.attemptedAt, since), where));
  const [[byUser], [byIp]] = await Promise.all([
    failures(sql`lower(${loginAttempt.username}) = lower(${username})`),
    failures(eq(loginAttempt.ip, ip)),
  ]);
  const blocked = [
    byUser && byUser.n >= LOGIN_LIMITS.perUsername ? byUser.oldest : null,
    byIp && byIp.n >= LOGIN_LIMITS.perIp ? byIp.oldest : null,
  ].filter((v): v is string => v !== null);
  if (blocked.length === 0) return 0;
  const oldest = Math.min(...blocked.map((v) => new Date(v).getTime()));
  return Math.max(1, Math.ceil((oldest + LOGIN_LIMITS.windowMs - Date.now()) / 1000));
}

/**
 * Checks a username and password. Throws {@link LoginThrottledError} when too many attempts
 * failed recently (without checking the password); returns the user on success, or null for a
 * wrong password, an unknown or an inactive user. Every attempt is recorded.
 */
export async function authenticate(
  db: AppDb,
  input: { username: string; password: string; ip: string },
): Promise<UserRow | null> {
  const username = input.username.slice(0, 150);
  const retryAfter = await loginRetryAfter(db, username, input.ip);
  if (retryAfter > 0) throw new LoginThrottledError(retryAfter);
  const found = await findUserByUsername(db, username);
  const ok = (await verifyPassword(found?.password, input.password)) && found?.isActive === true;
  await db.insert(loginAttempt).values({ username, ip: input.ip.slice(0, 64), succeeded: ok });
  if (!ok || !found) return null;
  await db.update(user).set({ lastLogin: new Date() }).where(eq(user.id, found.id));
  return found;
}
