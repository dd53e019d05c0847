import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { loadUserPermissions } from '../auth/permissions.js';
import { type AuthUser, toAuthUser } from '../auth/request-user.js';
import { user } from '../auth/schema.js';
import type { AppDb } from '../db/database.js';
import { token } from './schema.js';

export type TokenRow = typeof token.$inferSelect;

/** Every key starts with this, so a leaked key is recognisable (secret scanners, logs). */
export const KEY_PREFIX = 'slw_';
/** How many leading characters of a key are stored in clear, to tell tokens apart. */
export const SHOWN_PREFIX = 12;
/** `last_used_at` is written at most this often per token, so busy clients do not contend on it. */
const TOUCH_EVERY_MS = 60_000;

const KEY = /^slw_[\w-]{43}$/;

/** The stored form of a key: its sha256, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Creates a token for a user and returns its key. The key is 256 random bits; only its sha256
 * and its first characters are stored, so this is the one moment it can be shown.
 *
 * @example
 *   const { key } = await createToken(db, { userId: 1, name: 'CI' });
 *   // Authorization: Token slw_…
 */
export async function createToken(
  db: AppDb,
  input: { userId: number; name?: string },
): Promise<{ key: string; row: TokenRow }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const [row] = await db
    .insert(token)
    .values({
      userId: input.userId,
      name: (input.name ?? '').slice(0, 100),
      keyHash: hashKey(key),
      prefix: key.slice(0, SHOWN_PREFIX),
    })
    .returning();
  return { key, row: row! };
}

/**
 * The active user a key belongs to, with their permissions, or undefined when the key is
 * malformed, unknown, or its user is inactive. Notes when the token was last used (at most once
 * a minute).
 */
export async function authenticateKey(
  db: AppDb,
  key: string,
  now = new Date(),
): Promise<{ user: AuthUser; tokenId: number } | undefined> {
  if (!KEY.test(key)) return undefined;
  const [found] = await db
    .select({ tokenId: token.id, lastUsedAt: token.lastUsedAt, user })
    .from(token)
    .innerJoin(user, eq(user.id, token.userId))
    .where(eq(token.keyHash, hashKey(key)))
    .limit(1);
  if (!found?.user.isActive) return undefined;
  if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() >= TOUCH_EVERY_MS)
    await db.update(token).set({ lastUsedAt: now }).where(eq(token.id, found.tokenId));
  const permissions = await loadUserPermissions(db, found.user.id);
  return { user: toAuthUser(found.user, permissions), tokenId: found.tokenId };
}
