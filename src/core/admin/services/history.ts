import { and, desc, eq } from 'drizzle-orm';
import { user } from '../../auth/schema.js';
import type { AppDb } from '../../db/database.js';
import type { ChangeMessagePart, HistoryEntry, HistorySink } from '../../models/history.js';
import { truncate } from '../format.js';
import { logEntry } from '../schema.js';

export type LogEntryRow = typeof logEntry.$inferSelect;

/**
 * Records an action in the admin's history. Call it with the transaction that made the change,
 * so the history and the change are committed (or rolled back) together. It is the model
 * layer's history sink: the admin app provides it on the app context (`ctx.history`).
 *
 * @example
 *   await logAction(tx, { userId: 1, app: 'polls', model: 'question', objectId: 7,
 *     objectRepr: 'What?', action: 'change', message: [{ changed: { fields: ['Question text'] } }] });
 */
export const logAction: HistorySink = async (db: AppDb, entry: HistoryEntry): Promise<void> => {
  await db.insert(logEntry).values({
    userId: entry.userId,
    app: entry.app,
    model: entry.model,
    objectId: String(entry.objectId),
    objectRepr: truncate(entry.objectRepr, 200),
    action: entry.action,
    changeMessage: entry.message,
  });
};

/** An object's history, oldest first (Django's order), with the acting user's name. */
export async function objectHistory(db: AppDb, app: string, model: string, objectId: unknown) {
  return db
    .select({ entry: logEntry, username: user.username })
    .from(logEntry)
    .leftJoin(user, eq(user.id, logEntry.userId))
    .where(and(eq(logEntry.app, app), eq(logEntry.model, model), eq(logEntry.objectId, String(objectId))))
    .orderBy(logEntry.actionTime, logEntry.id)
    .limit(1000);
}

/** The user's latest actions, for the index page's "Recent actions". */
export async function recentActions(db: AppDb, userId: number, limit = 10): Promise<LogEntryRow[]> {
  return db
    .select()
    .from(logEntry)
    .where(eq(logEntry.userId, userId))
    .orderBy(desc(logEntry.actionTime), desc(logEntry.id))
    .limit(limit);
}

/** A change message in words: "Changed Question text. Added choice “Yes”." */
export function describeChange(parts: readonly ChangeMessagePart[], action: LogEntryRow['action']): string {
  const sentences = parts.map((part) => {
    if ('note' in part) return part.note;
    if ('added' in part)
      return part.added.name ? `Added ${part.added.name} “${part.added.object}”.` : 'Added.';
    if ('changed' in part) {
      const fields = joinWords(part.changed.fields);
      return part.changed.name
        ? `Changed ${fields} for ${part.changed.name} “${part.changed.object}”.`
        : `Changed ${fields}.`;
    }
    return `Deleted ${part.deleted.name} “${part.deleted.object}”.`;
  });
  if (sentences.length > 0) return sentences.join(' ');
  return action === 'add' ? 'Added.' : action === 'delete' ? 'Deleted.' : 'No fields changed.';
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
