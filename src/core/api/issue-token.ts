import { eq } from 'drizzle-orm';
import { PermissionDeniedError } from '../auth/errors.js';
import type { AuthUser } from '../auth/request-user.js';
import { user } from '../auth/schema.js';
import { rowValueProblems } from '../db/column-values.js';
import type { AppDb } from '../db/database.js';
import type { HistorySink } from '../models/history.js';
import { token } from './schema.js';
import { createToken, type TokenRow } from './tokens.js';

/** What issuing a token can refuse, by field, for the admin's form and the API's problem list. */
export type IssueResult =
  | { ok: true; key: string; row: TokenRow; username: string }
  | { ok: false; errors: Record<string, string[]> };

/** How a token is named in lists and history: its name and the start of its key. */
export function tokenRepr(row: Pick<TokenRow, 'name' | 'prefix'>): string {
  return `${row.name || 'Token'} (${row.prefix}…)`;
}

/**
 * Issues a token for the acting user, or (superusers only) for another user, and records it in
 * the history (`historyOf(ctx)`: the admin's) in the same transaction. The caller checks the `api.add_token` permission;
 * this checks who the token may be for, since a token acts with all of its user's permissions.
 *
 * @example
 *   const r = await issueToken({ db, history }, request.user, { userId: request.user.id, name: 'laptop' });
 *   if (r.ok) show(r.key); // the only time the key exists outside the client
 */
export async function issueToken(
  deps: { readonly db: AppDb; readonly history: HistorySink },
  actor: AuthUser,
  input: { userId: number; name: string },
): Promise<IssueResult> {
  const { db, history } = deps;
  if (input.userId !== actor.id && !actor.isSuperuser)
    throw new PermissionDeniedError('Only superusers may create tokens for other users.');
  const name = input.name.trim();
  const problems = rowValueProblems(token, { userId: input.userId, name });
  if (problems.length > 0)
    return { ok: false, errors: Object.fromEntries(problems.map((p) => [p.key, [p.message]])) };
  const [owner] = await db.select().from(user).where(eq(user.id, input.userId)).limit(1);
  if (!owner) return { ok: false, errors: { userId: ['There is no such user.'] } };
  return db.transaction(async (tx) => {
    const { key, row } = await createToken(tx, { userId: owner.id, name });
    await history(tx, {
      userId: actor.id,
      app: 'api',
      model: 'token',
      objectId: row.id,
      objectRepr: tokenRepr(row),
      action: 'add',
      message: [{ added: {} }],
    });
    return { ok: true as const, key, row, username: owner.username };
  });
}
