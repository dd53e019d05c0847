import { and, asc, eq, gte, isNotNull, isNull, lt, type SQL } from 'drizzle-orm';
import { parseDay } from '../db/column-values.js';
import type { AppDb } from '../db/database.js';
import { describeTable, type FieldMeta } from './fields.js';
import type { ListIndex, ListModel, Row } from './model.js';
import { orderBy, parsePk, reprOf } from './objects.js';
import { keyRange } from './values.js';

/** One link of a sidebar filter: the query parameters it sets (null removes one). */
export interface FilterChoice {
  readonly label: string;
  readonly params: Readonly<Record<string, string | null>>;
  readonly selected: boolean;
}

export interface FilterSpec {
  readonly title: string;
  readonly params: readonly string[];
  readonly choices: readonly FilterChoice[];
}

export interface AppliedFilters {
  readonly specs: FilterSpec[];
  readonly conditions: SQL[];
  /** Parameters that were given but could not be used, to tell the user. */
  readonly ignored: string[];
}

/** Foreign key filters list at most this many related objects; the parameter still takes any id. */
const FK_CHOICES = 50;

/** One query parameter a filter reads, described for API documentation. */
export interface FilterParameter {
  readonly name: string;
  readonly description: string;
  /** The JSON Schema of the parameter's value. */
  readonly schema: Readonly<Record<string, unknown>>;
}

/** A foreign key filter's value: an id within the column type's range, or text. */
function keyParameterSchema(field: FieldMeta): Record<string, unknown> {
  if (field.kind !== 'integer') return { type: 'string' };
  const [minimum, maximum] = keyRange(field);
  return { type: 'integer', minimum, maximum };
}

/**
 * The query parameters a filter on `field` reads, the same for the admin's links and the API:
 * `isStaff__exact`, `questionId__id__exact`, `pubDate__gte`/`pubDate__lt`, and `__isnull` for
 * nullable columns.
 */
export function filterParameters(field: FieldMeta, title = field.label): FilterParameter[] {
  const isNull: FilterParameter[] = field.notNull
    ? []
    : [
        {
          name: `${field.key}__isnull`,
          description: `${title} is empty (1) or not (0).`,
          schema: { type: 'string', enum: ['0', '1'] },
        },
      ];
  if (field.references)
    return [
      {
        name: `${field.key}__id__exact`,
        description: `${title}: the related object's id.`,
        schema: keyParameterSchema(field),
      },
      ...isNull,
    ];
  if (field.kind === 'boolean')
    return [
      {
        name: `${field.key}__exact`,
        description: `${title}: 1 or 0.`,
        schema: { type: 'string', enum: ['0', '1'] },
      },
      ...isNull,
    ];
  if (field.kind === 'enum')
    return [
      {
        name: `${field.key}__exact`,
        description: `${title} equals this value.`,
        schema: { type: 'string', enum: [...(field.enumValues ?? [])] },
      },
      ...isNull,
    ];
  return [
    {
      name: `${field.key}__gte`,
      description: `${title} on or after this day (UTC).`,
      schema: { type: 'string', format: 'date' },
    },
    {
      name: `${field.key}__lt`,
      description: `${title} before this day (UTC).`,
      schema: { type: 'string', format: 'date' },
    },
    ...isNull,
  ];
}

/**
 * The sidebar filters of a changelist and the conditions they add, from the query string.
 * Parameters are Django's: `isStaff__exact=1`, `questionId__id__exact=7`, `pubDate__gte=2026-01-01`
 * (see {@link filterParameters}). `choices: false` skips loading the related objects a foreign
 * key filter offers as links, which only the admin's sidebar shows.
 */
export async function applyFilters(
  db: AppDb,
  index: ListIndex,
  reg: Pick<ListModel, 'filterFields' | 'fieldLabel'>,
  query: URLSearchParams,
  options: { now?: Date; choices?: boolean } = {},
): Promise<AppliedFilters> {
  const now = options.now ?? new Date();
  const specs: FilterSpec[] = [];
  const conditions: SQL[] = [];
  const ignored: string[] = [];
  for (const field of reg.filterFields) {
    const title = reg.fieldLabel(field.key);
    if (field.references)
      specs.push(
        await foreignKeyFilter(db, index, field, title, query, conditions, ignored, options.choices ?? true),
      );
    else if (field.kind === 'boolean') specs.push(booleanFilter(field, title, query, conditions, ignored));
    else if (field.kind === 'enum') specs.push(enumFilter(field, title, query, conditions, ignored));
    else specs.push(dateFilter(field, title, query, conditions, ignored, now));
  }
  return { specs, conditions, ignored };
}

function nullChoices(
  field: FieldMeta,
  query: URLSearchParams,
  conditions: SQL[],
  clear: Record<string, null>,
) {
  if (field.notNull) return [];
  const param = `${field.key}__isnull`;
  const value = query.get(param);
  if (value === '1') conditions.push(isNull(field.column));
  if (value === '0') conditions.push(isNotNull(field.column));
  return [{ label: 'Unknown', params: { ...clear, [param]: '1' }, selected: value === '1' }];
}

function booleanFilter(
  field: FieldMeta,
  title: string,
  query: URLSearchParams,
  conditions: SQL[],
  ignored: string[],
): FilterSpec {
  const param = `${field.key}__exact`;
  const value = query.get(param);
  if (value === '1' || value === '0') conditions.push(eq(field.column, value === '1'));
  else if (value !== null) ignored.push(param);
  const clear = { [param]: null, [`${field.key}__isnull`]: null };
  const isNullValue = query.get(`${field.key}__isnull`);
  return {
    title,
    params: Object.keys(clear),
    choices: [
      { label: 'All', params: clear, selected: value === null && isNullValue === null },
      { label: 'Yes', params: { ...clear, [param]: '1' }, selected: value === '1' },
      { label: 'No', params: { ...clear, [param]: '0' }, selected: value === '0' },
      ...nullChoices(field, query, conditions, clear),
    ],
  };
}

function enumFilter(
  field: FieldMeta,
  title: string,
  query: URLSearchParams,
  conditions: SQL[],
  ignored: string[],
): FilterSpec {
  const param = `${field.key}__exact`;
  const value = query.get(param);
  if (value !== null && field.enumValues?.includes(value)) conditions.push(eq(field.column, value));
  else if (value !== null) ignored.push(param);
  const clear = { [param]: null, [`${field.key}__isnull`]: null };
  return {
    title,
    params: Object.keys(clear),
    choices: [
      { label: 'All', params: clear, selected: value === null && query.get(`${field.key}__isnull`) === null },
      ...(field.enumValues ?? []).map((v) => ({
        label: v,
        params: { ...clear, [param]: v },
        selected: value === v,
      })),
      ...nullChoices(field, query, conditions, clear),
    ],
  };
}

async function foreignKeyFilter(
  db: AppDb,
  index: ListIndex,
  field: FieldMeta,
  title: string,
  query: URLSearchParams,
  conditions: SQL[],
  ignored: string[],
  withChoices: boolean,
): Promise<FilterSpec> {
  const ref = field.references!;
  const target = describeTable(ref.foreignTable);
  const targetField = target.fields.find((f) => f.column === ref.foreignColumns[0]) ?? target.pk!;
  const param = `${field.key}__id__exact`;
  const raw = query.get(param);
  const value = raw === null ? undefined : parsePk(targetField, raw);
  if (value !== undefined) conditions.push(eq(field.column, value));
  else if (raw !== null) ignored.push(param);
  const clear = { [param]: null, [`${field.key}__isnull`]: null };
  if (!withChoices) {
    nullChoices(field, query, conditions, clear);
    return { title, params: Object.keys(clear), choices: [] };
  }
  const targetReg = index.forTable(ref.foreignTable);
  const order = targetReg?.ordering.length ? orderBy(targetReg.ordering) : [asc(targetField.column)];
  const rows = (await db
    .select()
    .from(ref.foreignTable)
    .orderBy(...order)
    .limit(FK_CHOICES + 1)) as Row[];
  const choices: FilterChoice[] = rows.slice(0, FK_CHOICES).map((r) => ({
    label: reprOf(index, target, r),
    params: { ...clear, [param]: String(r[targetField.key]) },
    selected: raw === String(r[targetField.key]),
  }));
  if (value !== undefined && !choices.some((c) => c.selected)) {
    const [row] = (await db
      .select()
      .from(ref.foreignTable)
      .where(eq(targetField.column, value))
      .limit(1)) as Row[];
    choices.push({
      label: row ? reprOf(index, target, row) : `#${raw}`,
      params: { ...clear, [param]: raw },
      selected: true,
    });
  }
  return {
    title,
    params: Object.keys(clear),
    choices: [
      { label: 'All', params: clear, selected: raw === null && query.get(`${field.key}__isnull`) === null },
      ...choices,
      ...nullChoices(field, query, conditions, clear),
    ],
  };
}

const DAY = 86_400_000;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);

/** Django's DateFieldListFilter: any date, today, past 7 days, this month, this year (in UTC). */
function dateFilter(
  field: FieldMeta,
  title: string,
  query: URLSearchParams,
  conditions: SQL[],
  ignored: string[],
  now: Date,
): FilterSpec {
  const since = `${field.key}__gte`;
  const until = `${field.key}__lt`;
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const tomorrow = new Date(today.getTime() + DAY);
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  const ranges: [string, Date, Date][] = [
    ['Today', today, tomorrow],
    ['Past 7 days', new Date(today.getTime() - 7 * DAY), tomorrow],
    ['This month', new Date(Date.UTC(y, m, 1)), new Date(Date.UTC(y, m + 1, 1))],
    ['This year', new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y + 1, 0, 1))],
  ];
  const from = query.get(since);
  const to = query.get(until);
  const asBound = (raw: string | null, param: string): Date | string | undefined => {
    if (raw === null) return undefined;
    const day = parseDay(raw);
    if (!day) {
      ignored.push(param);
      return undefined;
    }
    return field.kind === 'date' ? raw : day;
  };
  const lower = asBound(from, since);
  const upper = asBound(to, until);
  if (lower !== undefined) conditions.push(gte(field.column, lower));
  if (upper !== undefined) conditions.push(lt(field.column, upper));
  const clear = { [since]: null, [until]: null, [`${field.key}__isnull`]: null };
  const nulls = field.notNull
    ? []
    : [
        {
          label: 'No date',
          params: { ...clear, [`${field.key}__isnull`]: '1' },
          selected: query.get(`${field.key}__isnull`) === '1',
        },
        {
          label: 'Has date',
          params: { ...clear, [`${field.key}__isnull`]: '0' },
          selected: query.get(`${field.key}__isnull`) === '0',
        },
      ];
  if (!field.notNull) {
    const n = query.get(`${field.key}__isnull`);
    if (n === '1') conditions.push(isNull(field.column));
    if (n === '0') conditions.push(isNotNull(field.column));
  }
  return {
    title,
    params: Object.keys(clear),
    choices: [
      {
        label: 'Any date',
        params: clear,
        selected: from === null && to === null && query.get(`${field.key}__isnull`) === null,
      },
      ...ranges.map(([label, a, b]) => ({
        label,
        params: { ...clear, [since]: isoDate(a), [until]: isoDate(b) },
        selected: from === isoDate(a) && to === isoDate(b),
      })),
      ...nulls,
    ],
  };
}

/** All the filter conditions together. */
export function allOf(conditions: readonly (SQL | undefined)[]): SQL | undefined {
  const present = conditions.filter((c): c is SQL => c !== undefined);
  return present.length === 0 ? undefined : present.length === 1 ? present[0] : and(...present);
}
