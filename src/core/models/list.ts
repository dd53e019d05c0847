import { count } from 'drizzle-orm';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import { type AppliedFilters, allOf, applyFilters } from './filters.js';
import type { ListColumn, ListIndex, ListModel, OrderTerm, Row } from './model.js';
import { orderBy, relatedReprs, scoped } from './objects.js';
import { searchCondition } from './search.js';

/** The query parameters a changelist reads; every other one is a filter or ignored. */
export const PAGE_PARAM = 'p';
export const ORDER_PARAM = 'o';
export const SEARCH_PARAM = 'q';

/**
 * How a caller other than the admin's pages reads a changelist (the REST API): its own names for
 * the page, order and search parameters, its own page size, and `lean` to skip what only the
 * HTML page shows (names of related objects, foreign key filter choices, the unfiltered total).
 */
export interface ChangelistOptions {
  readonly params?: { readonly page: string; readonly order: string; readonly search: string };
  readonly perPage?: number;
  readonly lean?: boolean;
  /** Columns the caller may sort by (default: the sortable list columns); the API's `api.ordering`. */
  readonly sortKeys?: readonly string[];
}

export interface SortState {
  readonly column: ListColumn;
  readonly desc: boolean;
  /** 1 for the primary sort, 2 for the next… */
  readonly priority: number;
}

export interface Changelist {
  readonly rows: Row[];
  /** Names of related objects for foreign key columns: column key → id → name. */
  readonly related: Map<string, Map<string, string>>;
  /** Rows matching the search and filters. */
  readonly total: number;
  /** Rows of the model without search and filters (only counted when they apply). */
  readonly fullTotal: number | undefined;
  readonly page: number;
  readonly pages: number;
  readonly perPage: number;
  readonly q: string;
  readonly sort: readonly SortState[];
  readonly filters: AppliedFilters;
}

/**
 * One page of a changelist: search, filters, sorting and pagination from the query string.
 *
 * The order always ends with the primary key, so rows with equal sort values keep one order from
 * page to page; pages are LIMIT/OFFSET on that order, and the total is one COUNT(*) with the same
 * conditions (plus one without, only when the list is filtered, for "12 of 250").
 */
export async function loadChangelist(
  db: AppDb,
  index: ListIndex,
  reg: ListModel,
  user: AuthUser,
  query: URLSearchParams,
  options: ChangelistOptions = {},
): Promise<Changelist> {
  const names = options.params ?? { page: PAGE_PARAM, order: ORDER_PARAM, search: SEARCH_PARAM };
  const perPage = options.perPage ?? reg.perPage;
  const lean = options.lean ?? false;
  const q = (query.get(names.search) ?? '').slice(0, 200);
  const filters = await applyFilters(db, index, reg, query, { choices: !lean });
  const search = searchCondition(reg.searchFields, q);
  const where = scoped(reg, user, allOf([...filters.conditions, search]));
  const sort = parseSort(reg, query.get(names.order), options.sortKeys);
  const order = orderTerms(reg, sort);

  const [{ n: total } = { n: 0 }] = await db.select({ n: count() }).from(reg.meta.table).where(where);
  const filtered = filters.conditions.length > 0 || search !== undefined;
  const fullTotal =
    filtered && !lean
      ? ((await db.select({ n: count() }).from(reg.meta.table).where(scoped(reg, user)))[0]?.n ?? 0)
      : undefined;
  const pages = Math.max(1, Math.ceil(total / perPage));
  const requested = Number.parseInt(query.get(names.page) ?? '1', 10);
  const page = Number.isFinite(requested) ? Math.min(Math.max(1, requested), pages) : 1;
  const rows = (await db
    .select()
    .from(reg.meta.table)
    .where(where)
    .orderBy(...orderBy(order))
    .limit(perPage)
    .offset((page - 1) * perPage)) as Row[];

  const related = new Map<string, Map<string, string>>();
  if (!lean)
    for (const column of reg.listColumns)
      if (column.field?.references)
        related.set(
          column.key,
          await relatedReprs(
            db,
            index,
            column.field,
            rows.map((r) => r[column.key]),
          ),
        );
  return { rows, related, total, fullTotal, page, pages, perPage, q, sort, filters };
}

/** `?o=-pubDate,questionText`: only sortable (column) list entries; unknown keys are dropped. */
export function parseSort(reg: ListModel, raw: string | null, sortKeys?: readonly string[]): SortState[] {
  if (!raw) return [];
  const seen = new Set<string>();
  return raw
    .split(',')
    .slice(0, 5)
    .flatMap((term) => {
      const isDesc = term.startsWith('-');
      const key = isDesc ? term.slice(1) : term;
      const column = sortKeys
        ? sortColumn(reg, key, sortKeys)
        : reg.listColumns.find((c) => c.key === key && c.sortable);
      if (!column || seen.has(key)) return [];
      seen.add(key);
      return [{ column, desc: isDesc }];
    })
    .map((s, i) => ({ ...s, priority: i + 1 }));
}

/** A column the caller may sort by, as a list column (whether the changelist shows it or not). */
function sortColumn(reg: ListModel, key: string, sortKeys: readonly string[]): ListColumn | undefined {
  const field = sortKeys.includes(key) ? reg.meta.field(key) : undefined;
  if (!field) return undefined;
  return { key, label: reg.fieldLabel(key), field, boolean: field.kind === 'boolean', sortable: true };
}

/** The clicked sort, then the registration's ordering, then the primary key (stable pages). */
export function orderTerms(reg: ListModel, sort: readonly SortState[]): OrderTerm[] {
  const terms: OrderTerm[] = sort.map((s) => ({ field: s.column.field!, desc: s.desc }));
  const base = reg.ordering.length > 0 ? reg.ordering : [{ field: reg.pk, desc: true }];
  for (const t of base) if (!terms.some((x) => x.field === t.field)) terms.push(t);
  if (!terms.some((t) => t.field === reg.pk)) terms.push({ field: reg.pk, desc: terms[0]?.desc ?? true });
  return terms;
}

/**
 * The `o` value a header link sets: that column first (toggled when already first), keeping the
 * other sorted columns after it.
 */
export function toggledSort(sort: readonly SortState[], column: ListColumn): string {
  const current = sort.find((s) => s.column.key === column.key);
  const first = current?.priority === 1 ? !current.desc : false;
  const rest = sort.filter((s) => s.column.key !== column.key);
  return [`${first ? '-' : ''}${column.key}`, ...rest.map((s) => `${s.desc ? '-' : ''}${s.column.key}`)].join(
    ',',
  );
}
