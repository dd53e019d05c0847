import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { permissionCodename } from '../auth/permissions.js';
import type { CheckRules } from '../db/check-rules.js';
import { describeTable, type FieldMeta, type TableMeta } from '../models/fields.js';
import type { ComputedColumn, ListColumn, ManyToMany, OrderTerm, Row, TableOwner } from '../models/model.js';
import { humanize, pluralize } from '../text.js';
import type { InlineOptions, ManyToManyOptions, ModelAdminOptions } from './options.js';
import type { FormSection, Inline, Registration } from './registration.js';

export interface ResolveInput {
  readonly table: PgTable;
  readonly options: ModelAdminOptions;
  readonly owner: TableOwner;
  readonly registeredBy: string;
  readonly ownerOf: (table: PgTable) => TableOwner | undefined;
  /** The installed apps' check rules (`registry.checkRules`). */
  readonly checkRules: CheckRules;
  /**
   * The options a table is registered with, if any: an inline runs that registration's model
   * hooks (unless it names its own `model`) and asks its `deleteBlockers`. Called once every app
   * registered its models.
   */
  readonly registeredAs: (table: PgTable) => ModelAdminOptions | undefined;
}

const FILTERABLE = new Set(['boolean', 'enum', 'date', 'datetime']);

/**
 * Turns one `site.register()` call into a {@link Registration}, adding a line to `problems` for
 * every option that names something the table does not have. The ids follow Django's admin
 * checks (admin.E108: a `list` entry that is not a column).
 */
export function resolveRegistration(input: ResolveInput, problems: string[]): Registration | undefined {
  const { table, options, owner } = input;
  const meta = describeTable(table);
  const label = options.label ?? humanize(owner.model);
  const where = `app "${input.registeredBy}", admin for ${meta.tableName}`;
  const problem = (id: string, message: string) => problems.push(`${where}: ${message} (admin.${id})`);
  if (!meta.pk) {
    problem('E003', 'the table has no single-column primary key, which the admin needs in its URLs');
    return undefined;
  }
  if (options.model && options.model.table !== table)
    problem('E004', `model is the definition of ${getTableName(options.model.table)}, not of this table`);
  const labels = (options.labels ?? {}) as Record<string, string>;
  const fieldLabel = (key: string) => labels[key] ?? meta.field(key)?.label ?? humanize(key);
  const field = (option: string, id: string, key: unknown): FieldMeta | undefined => {
    const found = typeof key === 'string' ? meta.field(key) : undefined;
    if (!found)
      problem(id, `${option} refers to "${String(key)}", which is not a column of ${meta.tableName}`);
    return found;
  };
  for (const key of Object.keys(labels)) field('labels', 'E001', key);

  const listColumns: ListColumn[] = [];
  (options.list ?? []).forEach((entry, i) => {
    if (typeof entry === 'object' && entry !== null) {
      const computed = entry as ComputedColumn;
      if (typeof computed.value !== 'function' || !computed.key)
        problem('E108', `list[${i}] is an object without a key and a value function`);
      else
        listColumns.push({
          key: computed.key,
          label: computed.label,
          computed,
          boolean: Boolean(computed.boolean),
          sortable: false,
        });
      return;
    }
    const f = field(`list[${i}]`, 'E108', entry);
    if (f)
      listColumns.push({
        key: f.key,
        label: fieldLabel(f.key),
        field: f,
        boolean: f.kind === 'boolean',
        sortable: true,
      });
  });
  if (listColumns.length === 0) listColumns.push({ key: '__str__', label, boolean: false, sortable: false });

  const searchFields = (options.search ?? []).flatMap((key, i) => field(`search[${i}]`, 'E126', key) ?? []);
  const filterFields = (options.filters ?? []).flatMap((key, i) => {
    const f = field(`filters[${i}]`, 'E116', key);
    if (f && !FILTERABLE.has(f.kind) && !f.references) {
      problem(
        'E116',
        `filters[${i}] "${key}" is a ${f.kind} column; filters take boolean, enum, date or foreign key columns`,
      );
      return [];
    }
    return f ?? [];
  });
  const ordering: OrderTerm[] = (options.ordering ?? []).flatMap((term, i) => {
    const desc = term.startsWith('-');
    const f = field(`ordering[${i}]`, 'E033', desc ? term.slice(1) : term);
    return f ? [{ field: f, desc }] : [];
  });
  const perPage = options.perPage ?? 100;
  if (!Number.isInteger(perPage) || perPage < 1)
    problem('E119', `perPage must be a positive integer, not ${perPage}`);

  const excluded = new Set<string>(
    (options.exclude ?? []).flatMap((k, i) => field(`exclude[${i}]`, 'E015', k)?.key ?? []),
  );
  const staticReadonly = typeof options.readonly === 'function' ? [] : (options.readonly ?? []);
  for (const [i, key] of staticReadonly.entries()) field(`readonly[${i}]`, 'E035', key);
  for (const [i, key] of (options.fields ?? []).entries()) field(`fields[${i}]`, 'E006', key);

  const manyToMany = (options.manyToMany ?? []).flatMap(
    (m, i) => resolveManyToMany(meta, m, i, problem) ?? [],
  );
  const m2mKeys = new Set(manyToMany.map((m) => m.key));
  const extraKeys = new Set((options.extraFields ?? []).map((f) => f.key));
  const seen = new Set<string>();
  for (const [i, set] of (options.fieldsets ?? []).entries())
    for (const [j, key] of set.fields.entries()) {
      const at = `fieldsets[${i}].fields[${j}]`;
      if (seen.has(key)) problem('E012', `${at} "${key}" appears in more than one fieldset`);
      seen.add(key);
      if (!m2mKeys.has(key) && !extraKeys.has(key)) field(at, 'E012', key);
    }

  const autocomplete = new Set<string>();
  (options.autocomplete ?? []).forEach((key, i) => {
    const f = field(`autocomplete[${i}]`, 'E039', key);
    if (f && !f.references) problem('E039', `autocomplete[${i}] "${key}" is not a foreign key`);
    else if (f) autocomplete.add(f.key);
  });

  const actionNames = new Set<string>(['delete_selected']);
  (options.actions ?? []).forEach((action, i) => {
    if (!/^\w+$/.test(action.name ?? '') || typeof action.run !== 'function')
      problem('E130', `actions[${i}] needs a name of letters, digits and underscores and a run function`);
    else if (actionNames.has(action.name)) problem('E130', `actions[${i}] "${action.name}" is used twice`);
    actionNames.add(action.name);
  });

  const inlines = (options.inlines ?? []).flatMap(
    (inline, i) => resolveInline(input, meta, inline, i, problem) ?? [],
  );

  const str = (row: Row): string => {
    const pk = row[meta.pk!.key];
    if (options.str) return options.str(row as never);
    return `${label} object (${String(pk)})`;
  };
  const defaultFields = meta.fields.filter((f) => !f.generated && !excluded.has(f.key));
  const pk = meta.pk;
  return {
    app: owner.app,
    appLabel: owner.appLabel,
    registeredBy: input.registeredBy,
    model: owner.model,
    meta,
    pk,
    options,
    label,
    labelPlural: options.labelPlural ?? pluralize(label),
    url: `/admin/${owner.app}/${owner.model}/`,
    listColumns,
    searchFields,
    filterFields,
    ordering,
    perPage,
    inlines,
    manyToMany,
    autocomplete,
    checkRules: input.checkRules,
    str,
    fieldLabel,
    codename: (action) => permissionCodename(owner.app, action, owner.model),
    form(user, mode) {
      const dynamic = typeof options.readonly === 'function' ? options.readonly(user) : staticReadonly;
      const readonly = new Set<string>(dynamic);
      for (const f of meta.fields) if (f.generated && !f.primary) readonly.add(f.key);
      const pick = (keys: readonly string[]) =>
        keys.flatMap((k) => meta.field(k) ?? []).filter((f) => !excluded.has(f.key));
      const extra = (keys: readonly string[]) => manyToMany.filter((m) => keys.includes(m.key));
      const sections: FormSection[] = options.fieldsets
        ? options.fieldsets.map((set) => ({
            title: set.title,
            description: set.description,
            collapsed: Boolean(set.collapsed),
            fields: pick(set.fields),
            manyToMany: extra(set.fields),
          }))
        : [{ collapsed: false, fields: options.fields ? pick(options.fields) : defaultFields, manyToMany }];
      void mode;
      return { sections, readonly };
    },
  };
}

function resolveInline(
  input: ResolveInput,
  parent: TableMeta,
  inline: InlineOptions,
  i: number,
  problem: (id: string, message: string) => void,
): Inline | undefined {
  const owner = input.ownerOf(inline.table);
  if (!owner) {
    problem('E202', `inlines[${i}] names a table that no installed app defines`);
    return undefined;
  }
  const meta = describeTable(inline.table);
  const toParent = meta.fields.filter((f) => f.references?.foreignTable === parent.table);
  const fk = inline.fk
    ? toParent.find((f) => f.key === inline.fk)
    : toParent.length === 1
      ? toParent[0]
      : undefined;
  if (!fk) {
    const why = inline.fk
      ? `"${inline.fk}" is not a foreign key of ${meta.tableName} to ${parent.tableName}`
      : toParent.length === 0
        ? `${meta.tableName} has no foreign key to ${parent.tableName}`
        : `${meta.tableName} has several foreign keys to ${parent.tableName}; name one with fk`;
    problem('E202', `inlines[${i}]: ${why}`);
    return undefined;
  }
  if (!meta.pk) {
    problem('E202', `inlines[${i}]: ${meta.tableName} has no single-column primary key`);
    return undefined;
  }
  const keys = inline.fields ?? meta.fields.filter((f) => !f.generated && f !== fk).map((f) => f.key);
  const fields = keys.flatMap((key, j) => {
    const f = meta.field(key);
    if (!f)
      problem(
        'E202',
        `inlines[${i}].fields[${j}] refers to "${key}", which is not a column of ${meta.tableName}`,
      );
    return f ?? [];
  });
  for (const [j, key] of (inline.readonly ?? []).entries())
    if (!meta.field(key))
      problem(
        'E202',
        `inlines[${i}].readonly[${j}] refers to "${key}", which is not a column of ${meta.tableName}`,
      );
  const min = inline.min ?? 0;
  const max = inline.max ?? 1000;
  if (min < 0 || max < min)
    problem('E202', `inlines[${i}]: min (${min}) and max (${max}) must satisfy 0 ≤ min ≤ max`);
  const label = inline.label ?? humanize(owner.model);
  return {
    options: inline,
    meta,
    app: owner.app,
    model: owner.model,
    fk,
    prefix: `${owner.model}_set`,
    label,
    labelPlural: inline.labelPlural ?? pluralize(label),
    fields,
    readonly: new Set(inline.readonly ?? []),
    min,
    max,
    extra: inline.extra ?? 3,
    checkRules: input.checkRules,
    get hooks() {
      return (inline.model ?? input.registeredAs(inline.table)?.model)?.hooks ?? {};
    },
    get deleteBlockers() {
      return input.registeredAs(inline.table)?.deleteBlockers as Inline['deleteBlockers'];
    },
  };
}

function resolveManyToMany(
  parent: TableMeta,
  m: ManyToManyOptions,
  i: number,
  problem: (id: string, message: string) => void,
): ManyToMany | undefined {
  const throughMeta = describeTable(m.through);
  const own = throughMeta.fields.find((f) => f.references?.foreignTable === parent.table);
  const other = throughMeta.fields.find((f) => f.references && f !== own);
  if (!own || !other?.references) {
    problem(
      'E013',
      `manyToMany[${i}] "${m.key}": ${throughMeta.tableName} needs one foreign key to ${parent.tableName} and one to another table`,
    );
    return undefined;
  }
  if (parent.field(m.key)) problem('E013', `manyToMany[${i}] "${m.key}" has the name of a column`);
  return {
    key: m.key,
    label: m.label ?? humanize(m.key),
    ...(m.help ? { help: m.help } : {}),
    ...(m.optionLabel ? { optionLabel: m.optionLabel } : {}),
    through: m.through,
    throughMeta,
    ownField: own,
    otherField: other,
    otherMeta: describeTable(other.references.foreignTable),
  };
}
