import { and, count, eq, gt, lt, sql } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import { LoginThrottledError } from './errors.js';
import { verifyPassword } from './passwords.js';
import { loginAttempt, user } from './schema.js';
import { findUserByUsername, type UserRow } from './users.js';

/** Failures allowed in the window, per username and per client address, before logins answer 429. */
export const LOGIN_LIMITS = { windowMs: 15 * 60_000, perUsername: 5, perIp: 20 } as const;

/**
 * Seconds until another attempt is allowed; 0 when not throttled. With `beforeId`, only attempts
 * recorded before that one count (see {@link authenticate}).
 */
export async function loginRetryAfter(
  db: AppDb,
  username: string,
  ip: string,
  beforeId?: number,
): Promise<number> {
  const since = new Date(Date.now() - LOGIN_LIMITS.windowMs);
  const earlier = beforeId === undefined ? undefined : lt(loginAttempt.id, beforeId);
  const failures = (where: ReturnType<typeof and>) =>
    db
      .select({ n: count(), oldest: sql<string | null>`min(${loginAttempt.attemptedAt})` })
      .from(loginAttempt)
      .where(and(eq(loginAttempt.succeeded, false), gt(loginAttempt.attemptedAt, since), earlier, where));
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
 * wrong password, an unknown or an inactive user. Every checked attempt is recorded.
 *
 * 1. The attempt is recorded as a failure first, so that concurrent attempts see each other:
 *    checking the limit and recording the outcome after the slow hash would let a burst of
 *    parallel guesses all pass the check.
 * 2. Failures recorded before this one are counted; over the limit, the record is withdrawn and
 *    the attempt refused unchecked.
 * 3. The password is verified, and the record marked as succeeded when it matched.
 */
export async function authenticate(
  db: AppDb,
  input: { username: string; password: string; ip: string },
): Promise<UserRow | null> {
  // Recorded for throttling only: a NUL byte (which no username holds) cannot be stored as is.
  const username = input.username.replaceAll('\0', '\uFFFD').slice(0, 150);
  const ip = input.ip.slice(0, 64);
  const [claim] = await db
    .insert(loginAttempt)
    .values({ username, ip, succeeded: false })
    .returning({ id: loginAttempt.id });
  const retryAfter = await loginRetryAfter(db, username, ip, claim!.id);
  if (retryAfter > 0) {
    await db.delete(loginAttempt).where(eq(loginAttempt.id, claim!.id));
    throw new LoginThrottledError(retryAfter);
  }
  const found = await findUserByUsername(db, username);
  const ok = (await verifyPassword(found?.password, input.password)) && found?.isActive === true;
  if (!ok || !found) return null;
  await db.update(loginAttempt).set({ succeeded: true }).where(eq(loginAttempt.id, claim!.id));
  await db.update(user).set({ lastLogin: new Date() }).where(eq(user.id, found.id));
  return found;
}
