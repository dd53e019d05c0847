import { type Row, UPLOAD_MAX_BYTES, type UploadedFile } from '../admin/options.js';
import { inlinePerms, loadChildren } from '../admin/services/inline-forms.js';
import { linkedIds } from '../admin/services/many-to-many.js';
import { type FormDeps, parseForm } from '../admin/services/object-form.js';
import { OBJECT_VANISHED, ROW_VANISHED, saveObject } from '../admin/services/save-object.js';
import { storeUpload } from '../admin/services/upload.js';
import { PermissionDeniedError } from '../auth/errors.js';
import { ApiConflictError, ApiNotFoundError, ApiValidationError } from './errors.js';
import { buildFormBody, type Current, stateErrors, unknownChildIds } from './form-body.js';
import type { ApiResource } from './resource.js';

/**
 * SQLSTATEs answered with 409: the write clashes with other rows (a duplicate, a protected
 * reference) or with a concurrent transaction (a deadlock, a serialization failure).
 */
const CONFLICTS = new Set(['23505', '23503', '23P01', '40P01', '40001', ROW_VANISHED]);

/**
 * Creates (`original` undefined) or changes an object from a JSON body that passed the route's
 * schema, through the admin's form services: the same parser and `clean` hook, the same inline
 * rules (the child model's permissions, min and max), and one transaction that writes the
 * object, its links, its children and the history entry. Returns the saved row.
 *
 * A registration's file input arrives as `{ filename, content }` (base64) and goes through the
 * admin's upload step. Throws {@link ApiValidationError} (422) with every problem by field,
 * {@link ApiConflictError} (409) when the database refuses a duplicate or a protected reference,
 * the write kept colliding with a concurrent one or a child row was deleted meanwhile,
 * ApiNotFoundError (404) when the object itself was deleted meanwhile,
 * and PermissionDeniedError (403) for children the user may neither view nor add.
 */
export async function writeObject(
  deps: FormDeps & { readonly mediaRoot: string },
  resource: ApiResource,
  original: Row | undefined,
  json: Record<string, unknown>,
): Promise<Row> {
  const { db, user } = deps;
  const reg = resource.reg;
  const pk = original?.[reg.pk.key];
  const children = new Map<string, Row[]>();
  for (const c of resource.children) {
    if (!(c.key in json)) continue;
    const perms = inlinePerms(user, c.inline);
    if (!perms.view && !perms.add)
      throw new PermissionDeniedError(
        `You do not have permission to change ${c.inline.labelPlural.toLowerCase()}.`,
      );
    children.set(c.key, original ? await loadChildren(db, c.inline, pk) : []);
  }
  const links: Record<string, Set<string>> = {};
  if (original)
    for (const m of resource.manyToMany) if (!(m.key in json)) links[m.key] = await linkedIds(db, m, pk);
  const current: Current = { original, links, children };

  const unknown = unknownChildIds(resource, json, current);
  if (unknown.length > 0) throw new ApiValidationError(unknown);

  const body = buildFormBody(resource, json, current);
  const parsed = await parseForm(deps, reg, original, body);
  if (!parsed.ok) throw new ApiValidationError(stateErrors(resource, parsed.state, json));

  // A file is stored (by the registration's own `store`) only once everything else is valid,
  // and discarded again if the database then refuses the object, as the admin's form does.
  const upload = resource.upload;
  const uploadCtx = { db, mediaRoot: deps.mediaRoot, mode: original ? 'change' : 'add' } as const;
  let stored: Record<string, unknown> | undefined;
  if (upload) {
    (body as Record<string, unknown>)[upload.key] = decodeFile(upload.key, json[upload.key]);
    stored = await storeUpload(upload, body, parsed.state, uploadCtx);
    if (Object.keys(parsed.state.errors).length > 0)
      throw new ApiValidationError(stateErrors(resource, parsed.state, json));
    if (stored) Object.assign(parsed.parsed.values, stored);
  }
  const saved = await saveObject(deps, reg, original, parsed.parsed, parsed.state);
  if (saved.ok) return saved.row;
  if (stored) await upload?.discard?.(stored, uploadCtx);
  const errors = stateErrors(resource, saved.state, json);
  if (saved.code === OBJECT_VANISHED) throw new ApiNotFoundError(errors[0]?.message ?? 'Not found.');
  throw CONFLICTS.has(saved.code) ? new ApiConflictError(errors) : new ApiValidationError(errors);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `{ filename, content }` (validated by the schema) as the admin's uploaded file, or undefined. */
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
