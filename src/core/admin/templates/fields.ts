import { html, type SafeHtml } from '../../html/html.js';
import { booleanIcon, displayValue } from '../format.js';
import type { FieldMeta } from '../introspect.js';
import type { ManyToMany } from '../registration.js';
import { errorList, type ForeignKeyWidget, inputId, widget } from './widgets.js';

/** One labelled form row: label, input, errors and help, tied together for screen readers. */
export function fieldRow(input: {
  field: FieldMeta;
  label: string;
  value: string;
  errors: readonly string[] | undefined;
  fk: ForeignKeyWidget | undefined;
  help?: string;
}): SafeHtml {
  const { field } = input;
  const id = inputId(field.key);
  const errorId = `${id}_error`;
  const helpId = `${id}_helptext`;
  const describedBy = [...(input.errors?.length ? [errorId] : []), ...(input.help ? [helpId] : [])];
  const control = widget({
    field,
    name: field.key,
    value: input.value,
    invalid: Boolean(input.errors?.length),
    describedBy,
    ...(input.fk ? { fk: input.fk } : {}),
  });
  const required = field.notNull && !field.hasDefault && field.kind !== 'boolean';
  const rowClass = `form-row field-${field.key}${input.errors?.length ? ' errors' : ''}`;
  if (field.kind === 'boolean')
    return html`<div class="${rowClass} checkbox-row">
${errorList(errorId, input.errors)}
${control} <label for="${id}" class="vCheckboxLabel">${input.label}</label>
${input.help ? html`<p class="help" id="${helpId}">${input.help}</p>` : ''}
</div>`;
  return html`<div class="${rowClass}">
<label for="${id}"${required ? html` class="required"` : ''}>${input.label}${required ? html`<span class="sr-only"> (required)</span>` : ''}:</label>
<div class="field-input">
${control}
${errorList(errorId, input.errors)}
${input.help ? html`<p class="help" id="${helpId}">${input.help}</p>` : ''}
</div>
</div>`;
}

/** A read-only field: its value as text (a related object by name, a boolean as ✓/✗). */
export function readonlyRow(
  field: FieldMeta,
  label: string,
  value: unknown,
  text: string | undefined,
): SafeHtml {
  const shown = field.kind === 'boolean' ? booleanIcon(value) : (text ?? displayValue(value));
  return html`<div class="form-row field-${field.key} readonly-row">
<span class="label" id="${inputId(field.key)}_label">${label}:</span>
<div class="readonly" aria-labelledby="${inputId(field.key)}_label">${shown}</div>
</div>`;
}

/** A many-to-many relation as a group of checkboxes inside a fieldset. */
export function manyToManyRow(
  m: ManyToMany,
  options: readonly [string, string][],
  selected: ReadonlySet<string>,
  errors: readonly string[] | undefined,
  readonly: boolean,
): SafeHtml {
  const errorId = `${inputId(m.key)}_error`;
  if (readonly) {
    const chosen = options.filter(([id]) => selected.has(id));
    return html`<div class="form-row field-${m.key} readonly-row"><span class="label">${m.label}:</span>
<div class="readonly">${chosen.length ? html`<ul class="plain">${chosen.map(([, text]) => html`<li>${text}</li>`)}</ul>` : '-'}</div></div>`;
  }
  return html`<fieldset class="form-row field-${m.key} checkbox-group${errors?.length ? ' errors' : ''}"${errors?.length ? html` aria-describedby="${errorId}"` : ''}>
<legend>${m.label}:</legend>
${errorList(errorId, errors)}
${m.help ? html`<p class="help">${m.help}</p>` : ''}
<div class="checkbox-list" data-filterable>
${options.length === 0 ? html`<p class="muted">None available.</p>` : ''}
${options.map(([id, text], i) => {
  const inputIdValue = `${inputId(m.key)}_${i}`;
  return html`<div class="checkbox-item"><input type="checkbox" name="${m.key}" value="${id}" id="${inputIdValue}"${selected.has(id) ? html` checked` : ''}> <label for="${inputIdValue}">${text}</label></div>`;
})}
</div>
</fieldset>`;
}
