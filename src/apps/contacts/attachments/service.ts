import { eq, sql } from 'drizzle-orm';
import { anyOf } from '../../../core/db/any-of.js';
import type { AppDb } from '../../../core/db/database.js';
import { ContactNotFoundError, ContactValidationError } from '../errors.js';
import { inTransaction, lockOwner, type Owner } from '../owned.js';
import { ATTACHMENT_KINDS, attachment } from '../schema.js';
import { confirmStored, removeStoredFile, storedPath, storeFile } from './storage.js';

/** What the attachment services need: the database and where files live (config.mediaRoot). */
export interface MediaDeps {
  readonly db: AppDb;
  readonly mediaRoot: string;
}

export type AttachmentRow = typeof attachment.$inferSelect;

export interface NewAttachment {
  owner: Owner;
  kind?: (typeof ATTACHMENT_KINDS)[number];
  /** The uploader's file name: kept as metadata, never used as a path. */
  originalName: string;
  data: Uint8Array | AsyncIterable<Uint8Array>;
}

/** The uploader's file name without folders or control characters, or an error message. */
export function cleanOriginalName(name: string): { ok: true; name: string } | { ok: false; error: string } {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are removed
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (base === '' || base === '.' || base === '..') return { ok: false, error: 'The file has no name.' };
  if ([...base].length > 255) return { ok: false, error: 'The file name is longer than 255 characters.' };
  return { ok: true, name: base };
}

/**
 * Stores an upload (see storeFile: random name, size limit, type from the content) and records
 * it for a person or company. If the row cannot be written, the file is removed again.
 *
 * @example
 *   const row = await addAttachment({ db, mediaRoot: config.mediaRoot }, {
 *     owner: { personId: 7 }, kind: 'contract', originalName: 'Contract.pdf', data: buffer,
 *   });
 */
export async function addAttachment(
  deps: MediaDeps,
  input: NewAttachment,
  options: { maxBytes?: number } = {},
): Promise<AttachmentRow> {
  const name = cleanOriginalName(input.originalName);
  if (!name.ok) throw new ContactValidationError([{ field: 'file', message: name.error }]);
  if (input.kind !== undefined && !ATTACHMENT_KINDS.includes(input.kind))
    throw new ContactValidationError([
      { field: 'kind', message: `Select one of: ${ATTACHMENT_KINDS.join(', ')}.` },
    ]);
  const stored = await storeFile(deps.mediaRoot, input.data, name.name, options);
  try {
    const row = await inTransaction(deps.db, async (tx) => {
      await lockOwner(tx, input.owner);
      const [row] = await tx
        .insert(attachment)
        .values({ ...input.owner, kind: input.kind, originalName: name.name, ...stored })
        .returning();
      return row!;
    });
    await confirmStored(deps.mediaRoot, stored.storedName);
    return row;
  } catch (error) {
    await removeStoredFile(deps.mediaRoot, stored.storedName);
    throw error;
  }
}

/**
 * Deletes an attachment row; its file is removed once the deletion has committed (never before:
 * if the transaction fails, row and file both stay).
 */
export async function deleteAttachment(deps: MediaDeps, id: number): Promise<AttachmentRow> {
  const [row] = await deps.db.delete(attachment).where(eq(attachment.id, id)).returning();
  if (!row) throw new ContactNotFoundError('attachment', id);
  await removeDeletedFiles(deps);
  return row;
}

/**
 * Removes the files of attachment rows deleted by committed transactions (queued by the trigger
 * of migration 0007). A name that an attachment row uses again (restored from a fixture) is
 * dropped from the queue and its file kept. Returns how many files were removed.
 */
export async function removeDeletedFiles(deps: MediaDeps): Promise<number> {
  // One round trip: empty the queue, keeping only the names no attachment row uses.
  const result = (await deps.db.execute(
    sql`WITH gone AS (DELETE FROM slipway_deleted_media RETURNING stored_name)
        SELECT DISTINCT stored_name FROM gone
        WHERE NOT EXISTS (SELECT 1 FROM contacts_attachment a WHERE a.stored_name = gone.stored_name)`,
  )) as unknown as { rows: { stored_name: string }[] };
  const names = result.rows.map((r) => r.stored_name);
  for (const name of names) await removeStoredFile(deps.mediaRoot, name).catch(() => undefined);
  return names.length;
}

/** Which of `storedNames` an attachment row uses. */
export async function storedNamesInUse(deps: MediaDeps, storedNames: string[]): Promise<ReadonlySet<string>> {
  const rows = await deps.db
    .select({ storedName: attachment.storedName })
    .from(attachment)
    .where(anyOf(attachment.storedName, storedNames));
  return new Set(rows.map((r) => r.storedName));
}

/** An attachment and the path of its file, for downloads. */
export async function attachmentFile(
  deps: MediaDeps,
  id: number,
): Promise<{ row: AttachmentRow; path: string }> {
  const [row] = await deps.db.select().from(attachment).where(eq(attachment.id, id));
  if (!row) throw new ContactNotFoundError('attachment', id);
  return { row, path: storedPath(deps.mediaRoot, row.storedName) };
}
