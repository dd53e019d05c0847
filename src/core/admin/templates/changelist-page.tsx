import type { Child } from 'hono/jsx';
import { type Changelist, PAGE_PARAM, SEARCH_PARAM, type SortState, toggledSort } from '../../models/list.js';
import type { ListColumn } from '../../models/model.js';
import type { ModelPerms } from '../../models/permissions.js';
import { modelNoun } from '../../text.js';
import { displayValue } from '../format.js';
import { preserveFilters, withParams } from '../query-string.js';
import type { Registration } from '../registration.js';
import { BooleanIcon } from './boolean-icon.js';
import { CsrfInput } from './layout.js';

export interface ChangelistPageProps {
  readonly csrfToken: string;
  readonly reg: Registration;
  readonly list: Changelist;
  readonly perms: ModelPerms;
  readonly query: URLSearchParams;
  /** [name, label] of the bulk actions this user may run. */
  readonly actions: readonly (readonly [string, string])[];
}

/** Numbers align right; a foreign key shows the related object's name, so it aligns as text. */
function isNumeric(column: ListColumn): boolean {
  const field = column.field;
  return Boolean(field && !field.references && ['integer', 'decimal', 'float'].includes(field.kind));
}

function cellValue(list: Changelist, column: ListColumn, row: Record<string, unknown>): Child {
  if (column.computed) {
    const value = column.computed.value(row);
    return column.boolean ? <BooleanIcon value={value} /> : displayValue(value);
  }
  if (column.key === '__str__') return '';
  const value = row[column.key];
  if (column.boolean) return <BooleanIcon value={value} />;
  if (column.field?.references && value !== null && value !== undefined)
    return list.related.get(column.key)?.get(String(value)) ?? displayValue(value);
  return displayValue(value);
}

/** Page numbers with gaps, Django-style: 1 2 … 9 10 [11] 12 13 … 99 100. */
export function pageWindow(page: number, pages: number): (number | null)[] {
  if (pages <= 10) return Array.from({ length: pages }, (_, i) => i + 1);
  const shown = new Set<number>([1, 2, pages - 1, pages]);
  for (let p = page - 3; p <= page + 3; p++) if (p >= 1 && p <= pages) shown.add(p);
  const sorted = [...shown].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  sorted.forEach((p, i) => {
    if (i > 0 && p - sorted[i - 1]! > 1) out.push(null);
    out.push(p);
  });
  return out;
}

const direction = (s: SortState) => (s.desc ? 'descending' : 'ascending');

function SortControls({
  sorted,
  props,
  column,
}: {
  sorted: SortState;
  props: ChangelistPageProps;
  column: ListColumn;
}) {
  const { list, query } = props;
  const removeHref = withParams(query, {
    o:
      list.sort
        .filter((s) => s !== sorted)
        .map((s) => `${s.desc ? '-' : ''}${s.column.key}`)
        .join(',') || null,
    [PAGE_PARAM]: null,
  });
  return (
    <>
      <a class="sort-remove" href={removeHref || '?'} title="Remove from sorting">
        <span aria-hidden="true">×</span>
        <span class="sr-only">Remove {column.label} from sorting</span>
      </a>
      {list.sort.length > 1 && <span class="sort-priority">{sorted.priority}</span>}
    </>
  );
}

function ColumnHeader({
  props,
  column,
}: {
  readonly props: ChangelistPageProps;
  readonly column: ListColumn;
}) {
  const { list, query } = props;
  const sorted = list.sort.find((s) => s.column.key === column.key);
  const cls = `column-${column.key}${column.sortable ? ' sortable' : ''}${sorted ? ` sorted ${direction(sorted)}` : ''}`;
  if (!column.sortable)
    return (
      <th scope="col" class={cls}>
        {column.label}
      </th>
    );
  const href = withParams(query, { o: toggledSort(list.sort, column), [PAGE_PARAM]: null });
  return (
    <th scope="col" class={cls} aria-sort={sorted?.priority === 1 ? direction(sorted) : undefined}>
      <div class="th-inner">
        <a href={href || '?'}>
          {column.label}
          {sorted && (
            <>
              {' '}
              <span class="sort-indicator" aria-hidden="true">
                {sorted.desc ? '▼' : '▲'}
              </span>
              <span class="sr-only"> (sorted {direction(sorted)}, click to reverse)</span>
            </>
          )}
        </a>
        {sorted && <SortControls sorted={sorted} props={props} column={column} />}
      </div>
    </th>
  );
}

function Row({ props, row }: { readonly props: ChangelistPageProps; readonly row: Record<string, unknown> }) {
  const { reg, list, query } = props;
  const pk = String(row[reg.pk.key]);
  const href = `${reg.url}${encodeURIComponent(pk)}/change/${preserveFilters(query.toString())}`;
  const name = reg.str(row);
  return (
    <tr>
      {props.actions.length > 0 && (
        <td class="action-checkbox">
          <input
            type="checkbox"
            name="_selected_action"
            value={pk}
            class="action-select"
            aria-label={`Select ${name}`}
          />
        </td>
      )}
      {reg.listColumns.map((column, i) => {
        const value = column.key === '__str__' ? name : cellValue(list, column, row);
        const cls = `field-${column.key}${column.boolean ? ' boolean' : ''}${isNumeric(column) ? ' numeric' : ''}`;
        return i === 0 ? (
          <th scope="row" class={cls}>
            <a href={href}>{value}</a>
          </th>
        ) : (
          <td class={cls}>{value}</td>
        );
      })}
    </tr>
  );
}

function SearchForm({ reg, list, query }: ChangelistPageProps) {
  const hidden = [...query].filter(([k]) => k !== SEARCH_PARAM && k !== PAGE_PARAM);
  const plural = reg.labelPlural.toLowerCase();
  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is too new for some supported browsers; the role says the same.
    <form class="search-form" role="search" method="get" action={reg.url}>
      <label for="searchbar" class="sr-only">
        Search {plural}
      </label>
      <input type="search" name="q" id="searchbar" value={list.q} placeholder={`Search ${plural}`} />
      {hidden.map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" class="button">
        Search
      </button>
    </form>
  );
}

const countLabel = (reg: Registration, n: number) => `${n.toLocaleString('en-US')} ${modelNoun(reg, n)}`;

function ResultCount({ reg, list }: ChangelistPageProps) {
  return (
    <p class="result-count" id="result-count">
      {list.fullTotal === undefined ? (
        countLabel(reg, list.total)
      ) : (
        <>
          {list.total.toLocaleString('en-US')} result{list.total === 1 ? '' : 's'} (
          <a href={reg.url}>{list.fullTotal.toLocaleString('en-US')} total</a>)
        </>
      )}
    </p>
  );
}

function Pager({ reg, list, query }: ChangelistPageProps) {
  if (list.pages <= 1) return null;
  const pageItem = (p: number | null) => {
    if (p === null)
      return (
        <li class="ellipsis" aria-hidden="true">
          …
        </li>
      );
    if (p === list.page)
      return (
        <li>
          <span class="this-page" aria-current="page">
            {p}
          </span>
        </li>
      );
    return (
      <li>
        <a
          href={withParams(query, { [PAGE_PARAM]: p === 1 ? null : String(p) }) || reg.url}
          aria-label={`Page ${p}`}
        >
          {p}
        </a>
      </li>
    );
  };
  return (
    <nav class="paginator" aria-label="Pages">
      <ul>{pageWindow(list.page, list.pages).map(pageItem)}</ul>
    </nav>
  );
}

function FilterSidebar({ reg, list, query }: ChangelistPageProps) {
  const specs = list.filters.specs;
  const filtered = specs.some((s) => s.params.some((p) => query.has(p)));
  const clearHref = withParams(
    query,
    Object.fromEntries(specs.flatMap((s) => s.params.map((p) => [p, null]))),
  );
  return (
    <aside class="changelist-filter" aria-labelledby="changelist-filter-heading">
      <h2 id="changelist-filter-heading">Filter</h2>
      {filtered && (
        <p class="clear-filters">
          <a href={clearHref || reg.url}>✖ Clear all filters</a>
        </p>
      )}
      {specs.map((spec) => (
        <details open class="filter-group">
          <summary>By {spec.title.toLowerCase()}</summary>
          <ul>
            {spec.choices.map((c) => (
              <li class={c.selected ? 'selected' : undefined}>
                <a
                  href={withParams(query, { ...c.params, [PAGE_PARAM]: null }) || reg.url}
                  aria-current={c.selected ? 'true' : undefined}
                >
                  {c.label}
                </a>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </aside>
  );
}

function ActionBar({ list, actions }: ChangelistPageProps) {
  return (
    <div class="actions">
      <label for="action-select">Action:</label>{' '}
      <select name="action" id="action-select" required>
        <option value="" selected>
          ---------
        </option>
        {actions.map(([name, text]) => (
          <option value={name}>{text}</option>
        ))}
      </select>{' '}
      <button type="submit" class="button" name="index" value="0">
        Go
      </button>{' '}
      <span class="action-counter" data-total={list.rows.length} aria-live="polite" hidden>
        0 of {list.rows.length} selected
      </span>
    </div>
  );
}

function ResultTable(props: ChangelistPageProps) {
  const { reg, list } = props;
  return (
    <div class="table-wrap">
      <table id="result_list">
        <caption class="sr-only">
          {reg.labelPlural}, page {list.page} of {list.pages}
        </caption>
        <thead>
          <tr>
            {props.actions.length > 0 && (
              <th scope="col" class="action-checkbox-column">
                <input
                  type="checkbox"
                  id="action-toggle"
                  aria-label={`Select all ${reg.labelPlural.toLowerCase()} on this page`}
                  hidden
                />
              </th>
            )}
            {reg.listColumns.map((c) => (
              <ColumnHeader props={props} column={c} />
            ))}
          </tr>
        </thead>
        <tbody>
          {list.rows.map((row) => (
            <Row props={props} row={row} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EmptyList({ reg, list }: ChangelistPageProps) {
  const plural = reg.labelPlural.toLowerCase();
  return (
    <p class="empty">
      {list.fullTotal !== undefined ? `No ${plural} match.` : `There are no ${plural} yet.`}
    </p>
  );
}

/**
 * The changelist: search box, bulk actions, the sortable table, pagination with the total count,
 * and the filter sidebar. Every link keeps the other parameters, and links to objects carry the
 * whole query as `_changelist_filters`.
 */
export function ChangelistPage(props: ChangelistPageProps) {
  const { reg, list, query } = props;
  const filters = query.toString();
  const hasSidebar = list.filters.specs.length > 0;
  return (
    <>
      {props.perms.add && (
        <ul class="object-tools">
          <li>
            <a class="addlink" href={`${reg.url}add/${preserveFilters(filters)}`}>
              Add {reg.label.toLowerCase()}
            </a>
          </li>
        </ul>
      )}
      <div class={hasSidebar ? 'changelist filtered' : 'changelist'} id="changelist">
        <div class="changelist-main">
          <div class="toolbar">
            {reg.searchFields.length > 0 && <SearchForm {...props} />}
            <ResultCount {...props} />
          </div>
          {list.filters.ignored.length > 0 && (
            <p class="errornote" role="alert">
              Ignored invalid filter values: {list.filters.ignored.join(', ')}.
            </p>
          )}
          <form method="post" id="changelist-form" action={`${reg.url}${filters ? `?${filters}` : ''}`}>
            <CsrfInput token={props.csrfToken} />
            {props.actions.length > 0 && list.rows.length > 0 && <ActionBar {...props} />}
            {list.rows.length > 0 ? <ResultTable {...props} /> : <EmptyList {...props} />}
          </form>
          <Pager {...props} />
          <p class="paginator-count">
            {countLabel(reg, list.total)}
            {list.pages > 1 && `, page ${list.page} of ${list.pages}`}
          </p>
        </div>
        {hasSidebar && <FilterSidebar {...props} />}
      </div>
    </>
  );
}
