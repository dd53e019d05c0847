import type { Row } from '../admin/options.js';
import { inlinePerms, loadChildren } from '../admin/services/inline-forms.js';
import { linkedIds } from '../admin/services/many-to-many.js';
import { type FormDeps, parseForm } from '../admin/services/object-form.js';
import { saveObject } from '../admin/services/save-object.js';
import { PermissionDeniedError } from '../auth/errors.js';
import { ApiConflictError, ApiValidationError } from './errors.js';
import { buildFormBody, type Current, stateErrors, unknownChildIds } from './form-body.js';
import type { ApiResource } from './resource.js';

/** SQLSTATEs answered with 409: the write clashes with other rows (a duplicate, a protected reference). */
const CONFLICTS = new Set(['23505', '23503', '23P01']);

/**
 * Creates (`original` undefined) or changes an object from a JSON body that passed the route's
 * schema, through the admin's form services: the same parser and `clean` hook, the same inline
 * rules (the child model's permissions, min and max), and one transaction that writes the
 * object, its links, its children and the history entry. Returns the saved row.
 *
 * Throws {@link ApiValidationError} (422) with every problem by field,
 * {@link ApiConflictError} (409) when the database refuses a duplicate or a protected reference,
 * and PermissionDeniedError (403) for children the user may neither view nor add.
 */
export async function writeObject(
  deps: FormDeps,
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
  const saved = await saveObject(deps, reg, original, parsed.parsed, parsed.state);
  if (saved.ok) return saved.row;
  const errors = stateErrors(resource, saved.state, json);
  throw CONFLICTS.has(saved.code) ? new ApiConflictError(errors) : new ApiValidationError(errors);
}
