import { html, type SafeHtml } from '../../html/html.js';
import { booleanIcon, displayValue } from '../format.js';
import type { InlineFormState, InlineRowState } from '../services/inline-forms.js';
import { blankRaw } from '../services/inline-forms.js';
import type { WidgetData } from '../services/widget-data.js';
import { errorList, inputId, widget } from './widgets.js';

/**
 * An inline as a table of child rows (Django's TabularInline) with Django's formset fields:
 * `<prefix>-TOTAL_FORMS`, `<prefix>-INITIAL_FORMS`, and per row `<prefix>-<i>-id`, the fields and
 * `<prefix>-<i>-DELETE`. A `<template>` row lets admin.js add rows; without it the blank rows suffice.
 */
export function inlineGroup(state: InlineFormState, widgets: WidgetData, editable: boolean): SafeHtml {
  const { inline, perms } = state;
  const p = inline.prefix;
  const canEdit = (row: InlineRowState) => editable && (row.pk === undefined ? perms.add : perms.change);
  const initial = state.rows.filter((r) => r.pk !== undefined).length;
  const headingId = `${p}-heading`;
  const cell = (row: InlineRowState, i: number | '__prefix__') =>
    inline.fields.map((f) => {
      const name = `${p}-${i}-${f.key}`;
      const errs = row.errors[f.key];
      const errorId = `${inputId(name)}_error`;
      if (!canEdit(row) || inline.readonly.has(f.key)) {
        const value = row.original?.[f.key];
        return html`<td class="field-${f.key}">${f.kind === 'boolean' ? booleanIcon(value) : displayValue(value)}</td>`;
      }
      const fk = widgets.fk.get(`${p}:${i}:${f.key}`) ?? widgets.fk.get(`${p}:${f.key}`);
      return html`<td class="field-${f.key}${errs?.length ? ' errors' : ''}">${widget({
        field: f,
        name,
        value: row.raw[f.key] ?? '',
        invalid: Boolean(errs?.length),
        describedBy: errs?.length ? [errorId] : [],
        ariaLabel: `${f.label} (${inline.label.toLowerCase()} ${typeof i === 'number' ? i + 1 : 'new'})`,
        ...(fk ? { fk } : {}),
      })}${errorList(errorId, errs)}</td>`;
    });
  const rowHtml = (row: InlineRowState, i: number | '__prefix__') => {
    const rowErrors = row.errors['__all__'];
    const deleteId = inputId(`${p}-${i}-DELETE`);
    return html`${rowErrors?.length ? html`<tr class="row-errors"><td colspan="${inline.fields.length + 2}">${errorList(`${p}-${i}-errors`, rowErrors)}</td></tr>` : ''}
<tr class="form-row${row.pk === undefined ? ' has-original-none' : ' has-original'}${i === '__prefix__' ? ' empty-form' : ''}" id="${p}-${i}">
<td class="original">${row.pk !== undefined ? html`<input type="hidden" name="${p}-${i}-id" value="${row.pk}"><span class="inline-repr">${row.original ? displayValue(row.original[inline.meta.pk!.key]) : ''}</span>` : ''}</td>
${cell(row, i)}
<td class="delete">${
      row.pk !== undefined && editable && perms.delete
        ? html`<input type="checkbox" name="${p}-${i}-DELETE" id="${deleteId}" value="on"${row.delete ? html` checked` : ''}><label for="${deleteId}" class="sr-only">Delete ${inline.label.toLowerCase()} ${i === '__prefix__' ? '' : i + 1}</label>`
        : ''
    }</td>
</tr>`;
  };
  return html`<fieldset class="module inline-group" id="${p}-group" data-inline-prefix="${p}" data-max="${inline.max}" aria-labelledby="${headingId}">
<h2 id="${headingId}">${inline.labelPlural}</h2>
${
  editable
    ? html`<input type="hidden" name="${p}-TOTAL_FORMS" value="${state.rows.length}" id="${inputId(`${p}-TOTAL_FORMS`)}">
<input type="hidden" name="${p}-INITIAL_FORMS" value="${initial}" id="${inputId(`${p}-INITIAL_FORMS`)}">
<input type="hidden" name="${p}-MIN_NUM_FORMS" value="${inline.min}">
<input type="hidden" name="${p}-MAX_NUM_FORMS" value="${inline.max}">`
    : ''
}
${state.errors.length ? html`<ul class="errorlist nonform" role="alert">${state.errors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}
<div class="table-wrap">
<table class="inline-table">
<thead><tr><th scope="col"><span class="sr-only">#</span></th>${inline.fields.map(
    (f) => html`<th scope="col"${f.notNull && !f.hasDefault ? html` class="required"` : ''}>${f.label}</th>`,
  )}<th scope="col">${editable && perms.delete ? 'Delete?' : ''}</th></tr></thead>
<tbody>
${state.rows.map((row, i) => rowHtml(row, i))}
</tbody>
</table>
</div>
${
  editable && perms.add
    ? html`<template id="${p}-empty">${rowHtml({ raw: blankRaw(inline.fields), errors: {}, delete: false }, '__prefix__')}</template>
<p class="add-row" hidden><button type="button" class="button add-inline" data-prefix="${p}">Add another ${inline.label.toLowerCase()}</button></p>`
    : ''
}
</fieldset>`;
}
