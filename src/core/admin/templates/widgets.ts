import { html, type SafeHtml } from '../../html/html.js';
import { ADMIN_TIME_ZONE } from '../format.js';
import type { FieldMeta } from '../introspect.js';

/** How a foreign key is edited: a select of every object, or an id input (enhanced by a picker). */
export type ForeignKeyWidget =
  | { readonly kind: 'select'; readonly options: readonly [string, string][] }
  | {
      readonly kind: 'raw';
      /** The current object's name, shown beside the id. */
      readonly repr?: string;
      /** The target's changelist, to look an id up without JavaScript. */
      readonly lookupUrl?: string;
      /** Set for `autocomplete` fields: the picker script searches here. */
      readonly autocompleteUrl?: string;
    };

export interface WidgetInput {
  readonly field: FieldMeta;
  /** The input's name and id base (`questionText`, `choice_set-0-choiceText`). */
  readonly name: string;
  readonly value: string;
  readonly invalid: boolean;
  /** Ids of the error and help elements, for aria-describedby. */
  readonly describedBy: readonly string[];
  readonly fk?: ForeignKeyWidget;
  /** Inline cells have no visible label; the column header names them. */
  readonly ariaLabel?: string;
}

/** `id_questionText`: the id of a field's input, the target of its `<label for>`. */
export function inputId(name: string): string {
  return `id_${name}`;
}

/** The input for a column, chosen from its type (Django's widgets). All values are escaped. */
export function widget(input: WidgetInput): SafeHtml {
  const { field, name, value } = input;
  const id = inputId(name);
  const ids =
    field.references && input.fk?.kind === 'raw' ? [`${id}_repr`, ...input.describedBy] : input.describedBy;
  const described = ids.length > 0 ? html` aria-describedby="${ids.join(' ')}"` : '';
  const invalid = input.invalid ? html` aria-invalid="true"` : '';
  const label = input.ariaLabel ? html` aria-label="${input.ariaLabel}"` : '';
  const required = field.notNull && !field.hasDefault && field.kind !== 'boolean' ? html` required` : '';
  const common = html`name="${name}" id="${id}"${described}${invalid}${label}${required}`;

  if (field.references && input.fk) return foreignKey(input, common);
  switch (field.kind) {
    case 'boolean':
      return html`<input type="checkbox" ${common} value="1"${value ? html` checked` : ''}>`;
    case 'longtext':
      return html`<textarea ${common} rows="6" cols="40">${value}</textarea>`;
    case 'json':
      return html`<textarea ${common} rows="8" cols="40" class="mono" spellcheck="false">${value}</textarea>`;
    case 'integer':
      return html`<input type="number" step="1" ${common} value="${value}" class="number-input">`;
    case 'decimal':
    case 'float':
      return html`<input type="text" inputmode="decimal" ${common} value="${value}" class="number-input">`;
    case 'date':
      return html`<input type="date" ${common} value="${value}">`;
    case 'datetime':
      return html`<span class="datetime"><input type="datetime-local" step="1" ${common} value="${value}"> <span class="tz">${ADMIN_TIME_ZONE}</span></span>`;
    case 'enum':
      return html`<select ${common}>
${field.notNull ? '' : html`<option value="">---------</option>`}${field.notNull && !value ? html`<option value="" selected>---------</option>` : ''}${(
  field.enumValues ?? []
).map((v) => html`<option value="${v}"${v === value ? html` selected` : ''}>${v}</option>`)}</select>`;
    default:
      return html`<input type="text" ${common} value="${value}"${field.maxLength ? html` maxlength="${field.maxLength}"` : ''} class="${(field.maxLength ?? 0) > 60 || !field.maxLength ? 'wide' : ''}">`;
  }
}

function foreignKey(input: WidgetInput, common: SafeHtml): SafeHtml {
  const fk = input.fk!;
  if (fk.kind === 'select')
    return html`<select ${common}>
<option value=""${input.value === '' ? html` selected` : ''}>---------</option>${fk.options.map(
      ([v, text]) => html`<option value="${v}"${v === input.value ? html` selected` : ''}>${text}</option>`,
    )}</select>`;
  const reprId = `${inputId(input.name)}_repr`;
  return html`<span class="fk-raw"${fk.autocompleteUrl ? html` data-autocomplete="${fk.autocompleteUrl}"` : ''}>
<input type="text" inputmode="numeric" ${common} value="${input.value}" class="vForeignKeyRawIdAdminField" autocomplete="off">
<span class="fk-repr" id="${reprId}">${fk.repr ? html`<strong>${fk.repr}</strong>` : input.value ? 'No such object' : 'Enter an id'}</span>
${fk.lookupUrl ? html`<a class="fk-lookup" href="${fk.lookupUrl}" target="_blank" rel="noopener">Look up ids</a>` : ''}
</span>`;
}

/** A field's errors, with the id the input points at through aria-describedby. */
export function errorList(id: string, messages: readonly string[] | undefined): SafeHtml {
  if (!messages || messages.length === 0) return html``;
  return html`<ul class="errorlist" id="${id}">${messages.map((m) => html`<li>${m}</li>`)}</ul>`;
}

/** A file input (`<input type="file">`); the form around it must be multipart/form-data. */
export function fileInput(input: {
  name: string;
  accept?: string | undefined;
  required: boolean;
  invalid: boolean;
  describedBy: readonly string[];
}): SafeHtml {
  const id = inputId(input.name);
  return html`<input type="file" name="${input.name}" id="${id}"${input.accept ? html` accept="${input.accept}"` : ''}${input.required ? html` required` : ''}${input.invalid ? html` aria-invalid="true"` : ''}${input.describedBy.length ? html` aria-describedby="${input.describedBy.join(' ')}"` : ''}>`;
}
