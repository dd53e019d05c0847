import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import { session } from './schema.js';

export interface SessionRecord {
  keyHash: string;
  userId: number | null;
  data: Record<string, unknown>;
  expiresAt: Date;
}

/** 256 random bits, base64url: the cookie value. Only its hash is stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Stores a new session and returns its token (for the cookie). */
export async function createSession(
  db: AppDb,
  input: { userId: number | null; data?: Record<string, unknown>; maxAgeMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSessionToken();
  const expiresAt = new Date(Date.now() + input.maxAgeMs);
  await db
    .insert(session)
    .values({ keyHash: hashToken(token), userId: input.userId, data: input.data ?? {}, expiresAt });
  return { token, expiresAt };
}

/** The live session for a cookie token, or undefined when unknown or expired. */
export async function loadSession(db: AppDb, token: string): Promise<SessionRecord | undefined> {
  if (!/^[\w-]{20,100}$/.test(token)) return undefined;
  const [row] = await db
    .select()
    .from(session)
    .where(and(eq(session.keyHash, hashToken(token)), gt(session.expiresAt, new Date())))
    .limit(1);
  return row;
}

export async function saveSessionData(
  db: AppDb,
  keyHash: string,
  data: Record<string, unknown>,
): Promise<void> {
  await db.update(session).set({ data }).where(eq(session.keyHash, keyHash));
}

export async function deleteSession(db: AppDb, keyHash: string): Promise<void> {
  await db.delete(session).where(eq(session.keyHash, keyHash));
}

/** Ends every session of a user: logout everywhere, or a password change. */
export async function deleteUserSessions(db: AppDb, userId: number): Promise<void> {
  await db.delete(session).where(eq(session.userId, userId));
}

/** Deletes expired sessions; returns how many. `slipway clearsessions` runs it. */
export async function purgeExpiredSessions(db: AppDb): Promise<number> {
  const deleted = await db
    .delete(session)
    .where(lt(session.expiresAt, new Date()))
    .returning({ k: session.keyHash });
  return deleted.length;
}
