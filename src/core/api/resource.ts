import { pluralize } from '../admin/format.js';
import type { FieldMeta } from '../admin/introspect.js';
import type { AdminAction, ExtraField, UploadOptions } from '../admin/options.js';
import type { Inline, ManyToMany, Registration } from '../admin/registration.js';
import { type FilterParameter, filterParameters } from '../admin/services/filters.js';
import { editableFields } from '../admin/services/object-form.js';
import type { AdminIndex } from '../admin/site.js';
import type { AuthUser } from '../auth/request-user.js';

/** An inline of the admin as a nested array of the API: `choices` on a question. */
export interface ApiChild {
  /** The JSON key: the child model's plural in camelCase (`choices`, `addresses`). */
  readonly key: string;
  readonly inline: Inline;
  /** The child's primary key (read-only) and the inline's fields, in order. */
  readonly fields: readonly FieldMeta[];
}

/** A bulk action of the admin (`actions`), run through `POST <path>actions/<name>/`. */
export interface ApiAction {
  readonly name: string;
  readonly label: string;
  /** The model permission it needs (default `change`), checked on every selected object too. */
  readonly permission: AdminAction;
  readonly path: string;
}

/** One admin registration as an API resource: `/api/v1/<app>/<model>/`. */
export interface ApiResource {
  readonly reg: Registration;
  /** `/api/v1/polls/question/` */
  readonly path: string;
  /** `PollsQuestion`: the name of its schemas in the OpenAPI document. */
  readonly schemaName: string;
  /** The columns in responses: every column but the registration's `exclude` (a password hash). */
  readonly fields: readonly FieldMeta[];
  /** Columns the most privileged user may write (the admin form's editable fields for a superuser). */
  readonly writable: ReadonlySet<string>;
  readonly manyToMany: readonly ManyToMany[];
  readonly children: readonly ApiChild[];
  readonly extraFields: readonly ExtraField[];
  /** The registration's file input, sent in JSON as `{ filename, content }` (base64). */
  readonly upload: UploadOptions | undefined;
  /** Keys accepted by `?ordering=`: the sortable changelist columns, as in the admin. */
  readonly orderingKeys: readonly string[];
  readonly filters: readonly FilterParameter[];
  readonly actions: readonly ApiAction[];
}

/** Who the API schemas are written for: a user holding every permission. */
const EVERYONE: AuthUser = {
  id: 0,
  username: '',
  email: '',
  isActive: true,
  isStaff: true,
  isSuperuser: true,
  permissions: new Set(),
  hasPerm: () => true,
};

const camel = (snake: string) => snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (snake: string) => camel(snake).replace(/^./, (c) => c.toUpperCase());

/** The JSON key of an inline's children: `choice` → `choices`, `person_role` → `personRoles`. */
export function childKey(inline: Inline): string {
  return camel(pluralize(inline.model));
}

/**
 * Describes a registration for the API. The same registration drives the admin pages: its
 * columns, read-only fields, inlines, many-to-many links, filters, search and ordering.
 */
export function describeResource(reg: Registration): ApiResource {
  const excluded = new Set<string>(reg.options.exclude ?? []);
  const { sections, readonly } = reg.form(EVERYONE, 'change');
  const writable = new Set(editableFields({ sections, readonly }).map((f) => f.key));
  return {
    reg,
    path: `/api/v1/${reg.app}/${reg.model}/`,
    schemaName: `${pascal(reg.app)}${pascal(reg.model)}`,
    fields: reg.meta.fields.filter((f) => !excluded.has(f.key)),
    writable,
    manyToMany: sections.flatMap((s) => s.manyToMany),
    children: reg.inlines.map((inline) => ({
      key: childKey(inline),
      inline,
      fields: [inline.meta.pk!, ...inline.fields.filter((f) => f !== inline.meta.pk)],
    })),
    extraFields: reg.options.extraFields ?? [],
    upload: reg.options.upload,
    orderingKeys: reg.listColumns.filter((c) => c.sortable).map((c) => c.key),
    filters: reg.filterFields.flatMap((f) => filterParameters(f, reg.fieldLabel(f.key))),
    actions: (reg.options.actions ?? []).map((a) => ({
      name: a.name,
      label: a.label,
      permission: a.permission ?? 'change',
      path: `/api/v1/${reg.app}/${reg.model}/actions/${a.name}/`,
    })),
  };
}

/** Every registration as a resource, in installation order. */
export function describeResources(index: AdminIndex): ApiResource[] {
  return index.registrations.map(describeResource);
}

/**
 * Problems that would make a resource's JSON ambiguous, for `slipway check` and boot: a nested
 * array or a many-to-many key with the name of a column or of another nested key.
 */
export function resourceProblems(resource: ApiResource): string[] {
  const taken = new Map<string, string>(resource.fields.map((f) => [f.key, 'a column']));
  const problems: string[] = [];
  const claim = (key: string, what: string) => {
    const other = taken.get(key);
    if (other)
      problems.push(
        `${resource.path}: the ${what} "${key}" has the name of ${other}; the API cannot tell them apart (api.E001)`,
      );
    taken.set(key, what);
  };
  for (const m of resource.manyToMany) claim(m.key, 'many-to-many field');
  for (const c of resource.children) claim(c.key, `inline of ${c.inline.meta.tableName}`);
  for (const x of resource.extraFields) claim(x.key, 'extra field');
  if (resource.upload) claim(resource.upload.key, 'file input');
  return problems;
}
