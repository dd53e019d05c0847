import { inArray } from 'drizzle-orm';
import { PermissionDeniedError } from '../auth/errors.js';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import { type ChildItem, childPerms, loadChildren } from '../models/children.js';
import type { HistorySink } from '../models/history.js';
import type { ModelIndex, Row } from '../models/model.js';
import { reprOf } from '../models/objects.js';
import { OBJECT_VANISHED, ROW_VANISHED, saveObject } from '../models/save.js';
import { storeModelFile, UPLOAD_MAX_BYTES, type UploadedFile } from '../models/upload.js';
import { validateObject } from '../models/validate.js';
import { parseKey } from '../models/values.js';
import { ApiConflictError, ApiNotFoundError, ApiValidationError, type FieldError } from './errors.js';
import { apiErrors } from './model-errors.js';
import { type ApiResource, writableFor } from './resource.js';

/**
 * SQLSTATEs answered with 409: the write clashes with other rows (a duplicate, a protected
 * reference) or with a concurrent transaction (a deadlock, a serialization failure).
 */
const CONFLICTS = new Set(['23505', '23503', '23P01', '40P01', '40001', ROW_VANISHED]);

export interface WriteDeps {
  readonly db: AppDb;
  readonly index: ModelIndex;
  readonly user: AuthUser;
  readonly mediaRoot: string;
  /** Where the write is recorded (`historyOf(ctx)`: the admin's history). */
  readonly history: HistorySink;
}

/**
 * Creates (`original` undefined) or changes an object from a JSON body that passed the route's
 * schema, through the model layer (src/core/models): the same field rules and `clean` hook as
 * every writer, the same child-row rules (the child model's permissions, min and max), and one
 * transaction that writes the object, its links, its children and the history entry. Keys left
 * out keep their value (or take their default); a nested array lists the children to keep, and
 * those left out are deleted. Returns the saved row.
 *
 * A registration's file input arrives as `{ filename, content }` (base64). Throws
 * {@link ApiValidationError} (422) with every problem by field, {@link ApiConflictError} (409)
 * when the database refuses a duplicate or a protected reference, the write kept colliding with
 * a concurrent one, or a child row was deleted meanwhile; ApiNotFoundError (404) when the object
 * itself was deleted meanwhile; PermissionDeniedError (403) for children the user may neither
 * view nor add.
 */
export async function writeObject(
  deps: WriteDeps,
  resource: ApiResource,
  original: Row | undefined,
  json: Record<string, unknown>,
): Promise<Row> {
  const { db, user } = deps;
  const reg = resource.reg;
  const pk = original?.[reg.pk.key];
  const mode = original ? 'change' : 'add';

  const existing = new Map<number, Row[]>();
  for (const c of resource.children) {
    if (!(c.key in json)) continue;
    const perms = childPerms(user, c.inline);
    if (!perms.view && !perms.add)
      throw new PermissionDeniedError(
        `You do not have permission to change ${c.inline.labelPlural.toLowerCase()}.`,
      );
    existing.set(reg.inlines.indexOf(c.inline), original ? await loadChildren(db, c.inline, pk) : []);
  }
  await refuseUnknownChildren(db, resource, json, existing);

  // Each nested array: the children listed (changed or added), then those left out (deleted).
  const items = new Map<number, ChildItem[]>();
  const listed = new Map<number, number>();
  for (const c of resource.children) {
    const i = reg.inlines.indexOf(c.inline);
    if (!existing.has(i)) continue;
    const pkKey = c.inline.meta.pk!.key;
    const sent = json[c.key] as Record<string, unknown>[];
    const kept = new Set<string>();
    const list: ChildItem[] = sent.map((item) => {
      const id = item[pkKey] === undefined || item[pkKey] === null ? undefined : String(item[pkKey]);
      if (id !== undefined) kept.add(id);
      return { ...(id !== undefined ? { id } : {}), values: item };
    });
    for (const row of existing.get(i)!) {
      const id = String(row[pkKey]);
      if (!kept.has(id)) list.push({ id, values: {}, delete: true });
    }
    items.set(i, list);
    listed.set(i, sent.length);
  }

  const { fields, manyToMany } = writableFor(resource, user, mode);
  const links: Record<string, string[]> = {};
  for (const m of manyToMany) if (m.key in json) links[m.key] = (json[m.key] as unknown[]).map(String);
  const extra: Record<string, string> = {};
  for (const x of resource.extraFields) extra[x.key] = x.key in json ? String(json[x.key]) : '';
  const valid = await validateObject(deps, reg, original, {
    source: 'json',
    editable: fields,
    values: Object.fromEntries(fields.filter((f) => f.key in json).map((f) => [f.key, json[f.key]])),
    links,
    children: items,
    existing,
    extra,
  });
  const invalid = (errors: Parameters<typeof apiErrors>[1]) => apiErrors(resource, errors, items, listed);
  if (!valid.ok) throw new ApiValidationError(invalid(valid.errors));

  // A file is stored (by the registration's own `store`) only once everything else is valid,
  // and discarded again if the database then refuses the object.
  const upload = resource.upload;
  const uploadCtx = { db, mediaRoot: deps.mediaRoot, mode } as const;
  let stored: Record<string, unknown> | undefined;
  if (upload) {
    const file = decodeFile(upload.key, json[upload.key]);
    const keys = new Set(fields.map((f) => f.key));
    const result = await storeModelFile(upload, file, uploadCtx, keys);
    if (!result.ok) throw new ApiValidationError(invalid(result.errors));
    stored = result.stored;
    if (stored) Object.assign(valid.submission.values, stored);
  }
  const describe = (child: { meta: typeof reg.meta }, row: Row) => reprOf(deps.index, child.meta, row);
  const saved = await saveObject(
    { db, user, history: deps.history, describe },
    reg,
    original,
    valid.submission,
  );
  if (saved.ok) return saved.row;
  if (stored) await upload?.discard?.(stored, uploadCtx);
  const errors = invalid(saved.errors);
  if (saved.code === OBJECT_VANISHED) throw new ApiNotFoundError(errors[0]?.message ?? 'Not found.');
  // An app's error from a `save` hook keeps its status: a conflict (409, or 404 for a row it
  // needed that is gone) or a rule broken (422).
  const conflict =
    saved.status === undefined ? CONFLICTS.has(saved.code) : saved.status === 409 || saved.status === 404;
  throw conflict ? new ApiConflictError(errors) : new ApiValidationError(errors);
}

/**
 * Child ids that are not children of this object, or are listed twice: 422 next to the row
 * that names them. An id that no row has (any more) is a child deleted since the client read
 * the object: 409, so that it reloads, as when the child vanishes during the save.
 */
async function refuseUnknownChildren(
  db: AppDb,
  resource: ApiResource,
  json: Record<string, unknown>,
  existing: ReadonlyMap<number, readonly Row[]>,
): Promise<void> {
  const errors: FieldError[] = [];
  const gone: FieldError[] = [];
  for (const c of resource.children) {
    const mine = existing.get(resource.reg.inlines.indexOf(c.inline));
    if (!mine) continue;
    const pkField = c.inline.meta.pk!;
    const ids = new Set(mine.map((row) => String(row[pkField.key])));
    const seen = new Set<string>();
    const mineErrors: { i: number; error: FieldError }[] = [];
    const unknown: { i: number; id: string; field: string }[] = [];
    (json[c.key] as Record<string, unknown>[]).forEach((item, i) => {
      const raw = item[pkField.key];
      if (raw === undefined || raw === null) return;
      const id = String(raw);
      const field = `${c.key}[${i}].${pkField.key}`;
      if (!ids.has(id)) unknown.push({ i, id, field });
      else if (seen.has(id)) mineErrors.push({ i, error: { field, message: 'This id is listed twice.' } });
      seen.add(id);
    });
    const typed = unknown.map((u) => parseKey(pkField, u.id)).filter((k) => k !== undefined);
    const found = typed.length
      ? ((await db
          .select()
          .from(c.inline.meta.table)
          .where(inArray(pkField.column, typed as never[]))) as Row[])
      : [];
    const stillThere = new Set(found.map((row) => String(row[pkField.key])));
    const noun = c.inline.label.toLowerCase();
    for (const u of unknown)
      if (stillThere.has(u.id))
        mineErrors.push({
          i: u.i,
          error: {
            field: u.field,
            message: `No ${noun} with this id belongs to this ${resource.reg.label.toLowerCase()}.`,
          },
        });
      else
        gone.push({
          field: u.field,
          message: `No ${noun} has this id: it was deleted, maybe by someone else meanwhile, so nothing was saved. Reload and try again.`,
        });
    errors.push(...mineErrors.sort((a, b) => a.i - b.i).map((e) => e.error));
  }
  if (gone.length > 0) throw new ApiConflictError(gone);
  if (errors.length > 0) throw new ApiValidationError(errors);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `{ filename, content }` (validated by the schema) as an uploaded file, or undefined. */
function decodeFile(key: string, value: unknown): UploadedFile | undefined {
  if (value === undefined || value === null) return undefined;
  const { filename, content } = value as { filename: string; content: string };
  if (content.length % 4 !== 0 || !BASE64.test(content))
    throw new ApiValidationError([
      { field: `${key}.content`, message: 'Enter the file’s content in base64.' },
    ]);
  const data = Buffer.from(content, 'base64');
  const truncated = data.length >= UPLOAD_MAX_BYTES;
  return {
    filename,
    mimetype: 'application/octet-stream',
    data: truncated ? data.subarray(0, UPLOAD_MAX_BYTES) : data,
    truncated,
  };
}
