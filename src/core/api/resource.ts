import type { ApiOptions, ExtraField } from '../admin/options.js';
import type { Inline, Registration } from '../admin/registration.js';
import type { AdminIndex } from '../admin/site.js';
import type { AuthUser } from '../auth/request-user.js';
import type { FieldMeta } from '../models/fields.js';
import { type FilterParameter, filterParameters } from '../models/filters.js';
import type { ManyToMany, ModelAction } from '../models/model.js';
import type { UploadOptions } from '../models/upload.js';
import { pluralize } from '../text.js';

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
  readonly permission: ModelAction;
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
  /**
   * Columns the most privileged user may write: the registration's `api.writable`, else the
   * admin form's editable fields for a superuser.
   */
  readonly writable: ReadonlySet<string>;
  readonly manyToMany: readonly ManyToMany[];
  readonly children: readonly ApiChild[];
  readonly extraFields: readonly ExtraField[];
  /** The registration's file input, sent in JSON as `{ filename, content }` (base64). */
  readonly upload: UploadOptions | undefined;
  /** Keys accepted by `?ordering=`: `api.ordering`, else the sortable changelist columns. */
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

/** The registration's `api` part, or the defaults (what the admin shows) when it has none. */
function apiOptions(reg: Registration): ApiOptions {
  const api = reg.options.api;
  return api === false || api === undefined ? {} : api;
}

/** The editable fields of the admin's form for this user, and the many-to-many links shown. */
function formWritable(reg: Registration, user: AuthUser, mode: 'add' | 'change') {
  const { sections, readonly } = reg.form(user, mode);
  return {
    fields: sections.flatMap((s) => s.fields).filter((f) => !readonly.has(f.key)),
    manyToMany: sections.flatMap((s) => s.manyToMany).filter((m) => !readonly.has(m.key)),
  };
}

/**
 * What this user may write through the API: the registration's `api.writable` columns (read-only
 * for nobody), else the admin form's editable fields for this user; and the many-to-many links.
 */
export function writableFor(
  resource: ApiResource,
  user: AuthUser,
  mode: 'add' | 'change',
): { fields: FieldMeta[]; manyToMany: ManyToMany[] } {
  const { reg } = resource;
  const form = formWritable(reg, user, mode);
  const keys = apiOptions(reg).writable;
  if (!keys) return form;
  return {
    fields: resource.fields.filter((f) => keys.includes(f.key as never)),
    manyToMany: form.manyToMany,
  };
}

/**
 * Describes a registration for the API. Its `api` part (fields, writable fields, ordering keys,
 * filters) decides; each part left out is what the admin shows: its columns (but `exclude`),
 * the form's editable fields, the changelist's sortable columns and filters, its inlines and
 * many-to-many links.
 */
export function describeResource(reg: Registration): ApiResource {
  const api = apiOptions(reg);
  const excluded = new Set<string>(reg.options.exclude ?? []);
  const shown = api.fields
    ? reg.meta.fields.filter((f) => api.fields!.includes(f.key as never))
    : reg.meta.fields.filter((f) => !excluded.has(f.key));
  const { sections } = reg.form(EVERYONE, 'change');
  const form = formWritable(reg, EVERYONE, 'change');
  const writable = new Set(
    (api.writable ? shown.filter((f) => api.writable!.includes(f.key as never)) : form.fields).map(
      (f) => f.key,
    ),
  );
  const filterFields = api.filters
    ? reg.filterFields.filter((f) => api.filters!.includes(f.key as never))
    : reg.filterFields;
  return {
    reg,
    path: `/api/v1/${reg.app}/${reg.model}/`,
    schemaName: `${pascal(reg.app)}${pascal(reg.model)}`,
    fields: shown,
    writable,
    manyToMany: sections.flatMap((s) => s.manyToMany),
    children: reg.inlines.map((inline) => ({
      key: childKey(inline),
      inline,
      fields: [inline.meta.pk!, ...inline.fields.filter((f) => f !== inline.meta.pk)],
    })),
    extraFields: reg.options.extraFields ?? [],
    upload: reg.options.upload,
    orderingKeys: api.ordering
      ? [...api.ordering]
      : reg.listColumns.filter((c) => c.sortable).map((c) => c.key),
    filters: filterFields.flatMap((f) => filterParameters(f, reg.fieldLabel(f.key))),
    actions: (reg.options.actions ?? []).map((a) => ({
      name: a.name,
      label: a.label,
      permission: a.permission ?? 'change',
      path: `/api/v1/${reg.app}/${reg.model}/actions/${a.name}/`,
    })),
  };
}

/** Every registration published in the API (all but those with `api: false`), in installation order. */
export function describeResources(index: AdminIndex): ApiResource[] {
  return index.registrations.filter((reg) => reg.options.api !== false).map(describeResource);
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
  const api = apiOptions(resource.reg);
  const columns = new Set(resource.reg.meta.fields.map((f) => f.key));
  const filterable = new Set(resource.reg.filterFields.map((f) => f.key));
  const unknown = (what: string, keys: readonly string[] | undefined, known: ReadonlySet<string>) => {
    for (const key of keys ?? [])
      if (!known.has(key))
        problems.push(
          `${resource.path}: api.${what} names "${key}", which is not ${what === 'filters' ? "one of the admin's filters" : 'a column'} (api.E002)`,
        );
  };
  unknown('fields', api.fields, columns);
  unknown('writable', api.writable, new Set(resource.fields.map((f) => f.key)));
  unknown('ordering', api.ordering, columns);
  unknown('filters', api.filters, filterable);
  for (const m of resource.manyToMany) claim(m.key, 'many-to-many field');
  for (const c of resource.children) claim(c.key, `inline of ${c.inline.meta.tableName}`);
  for (const x of resource.extraFields) claim(x.key, 'extra field');
  if (resource.upload) claim(resource.upload.key, 'file input');
  return problems;
}
