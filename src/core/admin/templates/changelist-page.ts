import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../html/html.js';
import { booleanIcon, displayValue, modelNoun } from '../format.js';
import { preserveFilters, withParams } from '../query-string.js';
import type { ListColumn, Registration } from '../registration.js';
import type { ModelPerms } from '../services/access.js';
import { type Changelist, PAGE_PARAM, SEARCH_PARAM, toggledSort } from '../services/changelist.js';
import { csrfInput } from './layout.js';

export interface ChangelistPageInput {
  readonly reg: Registration;
  readonly list: Changelist;
  readonly perms: ModelPerms;
  readonly query: URLSearchParams;
  /** [name, label] of the bulk actions this user may run. */
  readonly actions: readonly [string, string][];
}

/** Numbers align right; a foreign key shows the related object's name, so it aligns as text. */
function isNumeric(column: ListColumn): boolean {
  const field = column.field;
  return Boolean(field && !field.references && ['integer', 'decimal', 'float'].includes(field.kind));
}

function cellValue(list: Changelist, column: ListColumn, row: Record<string, unknown>): SafeHtml | string {
  if (column.computed) {
    const value = column.computed.value(row);
    return column.boolean ? booleanIcon(value) : displayValue(value);
  }
  if (column.key === '__str__') return '';
  const value = row[column.key];
  if (column.boolean) return booleanIcon(value);
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

function header(input: ChangelistPageInput, column: ListColumn): SafeHtml {
  const sorted = input.list.sort.find((s) => s.column.key === column.key);
  const ariaSort =
    sorted?.priority === 1 ? html` aria-sort="${sorted.desc ? 'descending' : 'ascending'}"` : '';
  const cls = `column-${column.key}${column.sortable ? ' sortable' : ''}${sorted ? ` sorted ${sorted.desc ? 'descending' : 'ascending'}` : ''}`;
  if (!column.sortable) return html`<th scope="col" class="${cls}">${column.label}</th>`;
  const href = withParams(input.query, { o: toggledSort(input.list.sort, column), [PAGE_PARAM]: null });
  const removeHref = withParams(input.query, {
    o:
      input.list.sort
        .filter((s) => s !== sorted)
        .map((s) => `${s.desc ? '-' : ''}${s.column.key}`)
        .join(',') || null,
    [PAGE_PARAM]: null,
  });
  return html`<th scope="col" class="${cls}"${ariaSort}><div class="th-inner"><a href="${href || '?'}">${column.label}${
    sorted
      ? html` <span class="sort-indicator" aria-hidden="true">${sorted.desc ? '▼' : '▲'}</span><span class="sr-only"> (sorted ${sorted.desc ? 'descending' : 'ascending'}, click to reverse)</span>`
      : ''
  }</a>${sorted ? html`<a class="sort-remove" href="${removeHref || '?'}" title="Remove from sorting"><span aria-hidden="true">×</span><span class="sr-only">Remove ${column.label} from sorting</span></a>${input.list.sort.length > 1 ? html`<span class="sort-priority">${sorted.priority}</span>` : ''}` : ''}</div></th>`;
}

/**
 * The changelist: search box, bulk actions, the sortable table, pagination with the total count,
 * and the filter sidebar. Every link keeps the other parameters, and links to objects carry the
 * whole query as `_changelist_filters`.
 */
export function changelistPage(request: FastifyRequest, input: ChangelistPageInput): SafeHtml {
  const { reg, list, query } = input;
  const filters = query.toString();
  const label = (n: number) => `${n.toLocaleString('en-US')} ${modelNoun(reg, n)}`;
  const hidden = [...query].filter(([k]) => k !== SEARCH_PARAM && k !== PAGE_PARAM);
  const selectable = input.actions.length > 0;
  const search = reg.searchFields.length
    ? html`<form class="search-form" role="search" method="get" action="${reg.url}">
<label for="searchbar" class="sr-only">Search ${reg.labelPlural.toLowerCase()}</label>
<input type="search" name="q" id="searchbar" value="${list.q}" placeholder="Search ${reg.labelPlural.toLowerCase()}">
${hidden.map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<button type="submit" class="button">Search</button>
</form>`
    : '';
  const counts = html`<p class="result-count" id="result-count">${
    list.fullTotal !== undefined
      ? html`${list.total.toLocaleString('en-US')} result${list.total === 1 ? '' : 's'} (<a href="${reg.url}">${list.fullTotal.toLocaleString('en-US')} total</a>)`
      : label(list.total)
  }</p>`;
  const rows = list.rows.map((row) => {
    const pk = String(row[reg.pk.key]);
    const href = `${reg.url}${encodeURIComponent(pk)}/change/${preserveFilters(filters)}`;
    const name = reg.str(row);
    const cells = reg.listColumns.map((column, i) => {
      const value = column.key === '__str__' ? name : cellValue(list, column, row);
      const cls = `field-${column.key}${column.boolean ? ' boolean' : ''}${isNumeric(column) ? ' numeric' : ''}`;
      return i === 0
        ? html`<th scope="row" class="${cls}"><a href="${href}">${value}</a></th>`
        : html`<td class="${cls}">${value}</td>`;
    });
    return html`<tr>${selectable ? html`<td class="action-checkbox"><input type="checkbox" name="_selected_action" value="${pk}" class="action-select" aria-label="Select ${name}"></td>` : ''}${cells}</tr>`;
  });
  const pager =
    list.pages > 1
      ? html`<nav class="paginator" aria-label="Pages"><ul>${pageWindow(list.page, list.pages).map((p) =>
          p === null
            ? html`<li class="ellipsis" aria-hidden="true">…</li>`
            : p === list.page
              ? html`<li><span class="this-page" aria-current="page">${p}</span></li>`
              : html`<li><a href="${withParams(query, { [PAGE_PARAM]: p === 1 ? null : String(p) }) || reg.url}" aria-label="Page ${p}">${p}</a></li>`,
        )}</ul></nav>`
      : '';
  const sidebar = list.filters.specs.length
    ? html`<aside class="changelist-filter" aria-labelledby="changelist-filter-heading">
<h2 id="changelist-filter-heading">Filter</h2>
${list.filters.specs.some((s) => s.params.some((p) => query.has(p))) ? html`<p class="clear-filters"><a href="${withParams(query, Object.fromEntries(list.filters.specs.flatMap((s) => s.params.map((p) => [p, null])))) || reg.url}">✖ Clear all filters</a></p>` : ''}
${list.filters.specs.map(
  (spec) => html`<details open class="filter-group"><summary>By ${spec.title.toLowerCase()}</summary>
<ul>${spec.choices.map(
    (c) =>
      html`<li${c.selected ? html` class="selected"` : ''}><a href="${withParams(query, { ...c.params, [PAGE_PARAM]: null }) || reg.url}"${c.selected ? html` aria-current="true"` : ''}>${c.label}</a></li>`,
  )}</ul></details>`,
)}
</aside>`
    : '';
  return html`${input.perms.add ? html`<ul class="object-tools"><li><a class="addlink" href="${reg.url}add/${preserveFilters(filters)}">Add ${reg.label.toLowerCase()}</a></li></ul>` : ''}
<div class="changelist${sidebar ? ' filtered' : ''}" id="changelist">
<div class="changelist-main">
<div class="toolbar">${search}${counts}</div>
${list.filters.ignored.length ? html`<p class="errornote" role="alert">Ignored invalid filter values: ${list.filters.ignored.join(', ')}.</p>` : ''}
<form method="post" id="changelist-form" action="${reg.url}${filters ? `?${filters}` : ''}">
${csrfInput(request)}
${
  selectable && list.rows.length
    ? html`<div class="actions">
<label for="action-select">Action:</label>
<select name="action" id="action-select" required><option value="" selected>---------</option>${input.actions.map(([name, text]) => html`<option value="${name}">${text}</option>`)}</select>
<button type="submit" class="button" name="index" value="0">Go</button>
<span class="action-counter" data-total="${list.rows.length}" aria-live="polite" hidden>0 of ${list.rows.length} selected</span>
</div>`
    : ''
}
${
  list.rows.length
    ? html`<div class="table-wrap"><table id="result_list">
<caption class="sr-only">${reg.labelPlural}, page ${list.page} of ${list.pages}</caption>
<thead><tr>${selectable ? html`<th scope="col" class="action-checkbox-column"><input type="checkbox" id="action-toggle" aria-label="Select all ${reg.labelPlural.toLowerCase()} on this page" hidden></th>` : ''}${reg.listColumns.map((c) => header(input, c))}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`
    : html`<p class="empty">${list.fullTotal !== undefined ? `No ${reg.labelPlural.toLowerCase()} match.` : `There are no ${reg.labelPlural.toLowerCase()} yet.`}</p>`
}
</form>
${pager}
<p class="paginator-count">${label(list.total)}${list.pages > 1 ? html`, page ${list.page} of ${list.pages}` : ''}</p>
</div>
${sidebar}
</div>`;
}
