import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../html/html.js';
import type { ExtraField, UploadOptions } from '../options.js';
import type { Registration } from '../registration.js';
import type { FormState } from '../services/object-form.js';
import type { WidgetData } from '../services/widget-data.js';
import { fieldRow, manyToManyRow, readonlyRow } from './fields.js';
import { inlineGroup } from './inline-group.js';
import { csrfInput } from './layout.js';
import { errorList, fileInput, inputId } from './widgets.js';

export interface FormPageInput {
  readonly reg: Registration;
  readonly state: FormState;
  readonly widgets: WidgetData;
  /** Read-only values as text (related objects by name), by field key. */
  readonly readonlyTexts: ReadonlyMap<string, string>;
  /** False renders every field as text and no buttons (a user with only the view permission). */
  readonly editable: boolean;
  readonly canAdd: boolean;
  readonly canDelete: boolean;
  readonly filters: string;
  /** `/admin/polls/question/7/` when changing an object. */
  readonly objectUrl?: string;
  readonly tools: readonly { label: string; href: string }[];
  readonly extraFields: readonly ExtraField[];
  /** The database refused the save and rolled all of it back: the banner says nothing was saved. */
  readonly refused?: boolean;
}

function extraFieldRow(field: ExtraField, errors: readonly string[] | undefined): SafeHtml {
  const id = inputId(field.key);
  const describedBy = [...(errors?.length ? [`${id}_error`] : []), ...(field.help ? [`${id}_helptext`] : [])];
  return html`<div class="form-row field-${field.key}${errors?.length ? ' errors' : ''}">
<label for="${id}" class="required">${field.label}:</label>
<div class="field-input">
<input type="${field.type}" name="${field.key}" id="${id}" autocomplete="${field.type === 'password' ? 'new-password' : 'off'}"${describedBy.length ? html` aria-describedby="${describedBy.join(' ')}"` : ''}${errors?.length ? html` aria-invalid="true"` : ''}>
${errorList(`${id}_error`, errors)}
${field.help ? html`<p class="help" id="${id}_helptext">${field.help}</p>` : ''}
</div></div>`;
}

function uploadRow(
  upload: UploadOptions,
  mode: 'add' | 'change',
  errors: readonly string[] | undefined,
): SafeHtml {
  const id = inputId(upload.key);
  const required = mode === 'add' && upload.required !== false;
  const describedBy = [
    ...(errors?.length ? [`${id}_error`] : []),
    ...(upload.help ? [`${id}_helptext`] : []),
  ];
  return html`<fieldset class="module aligned"><div class="form-row field-${upload.key}${errors?.length ? ' errors' : ''}">
<label for="${id}"${required ? html` class="required"` : ''}>${upload.label}:</label>
<div class="field-input">
${fileInput({ name: upload.key, accept: upload.accept, required, invalid: Boolean(errors?.length), describedBy })}
${errorList(`${id}_error`, errors)}
${upload.help ? html`<p class="help" id="${id}_helptext">${upload.help}${mode === 'change' ? ' Leave empty to keep the current file.' : ''}</p>` : ''}
</div></div></fieldset>`;
}

/**
 * The add/change form: fieldsets, inlines and the submit row (Save, Save and add another, Save
 * and continue editing, Delete). Errors are summarised at the top, in one banner (which says
 * that nothing was saved when the database refused the save), and shown at each field.
 */
export function formPage(request: FastifyRequest, input: FormPageInput): SafeHtml {
  const { reg, state, widgets, editable } = input;
  const errorCount =
    Object.keys(state.errors).length +
    state.inlines.reduce(
      (n, i) => n + i.errors.length + i.rows.filter((r) => Object.keys(r.errors).length > 0).length,
      0,
    );
  const extra = input.extraFields.filter((f) => !f.on || f.on === state.mode);
  const extraKeys = new Set(extra.map((f) => f.key));
  const placedExtra = new Set<string>();
  const sections = state.sections.map((section, i) => {
    const listed = reg.options.fieldsets?.[i]?.fields ?? [];
    const extraHere = extra.filter((f) => listed.includes(f.key));
    for (const f of extraHere) placedExtra.add(f.key);
    const rows = html`${section.fields.map((f) =>
      !editable || state.readonly.has(f.key)
        ? readonlyRow(f, reg.fieldLabel(f.key), state.original?.[f.key], input.readonlyTexts.get(f.key))
        : fieldRow({
            field: f,
            label: reg.fieldLabel(f.key),
            value: state.raw[f.key] ?? '',
            errors: state.errors[f.key],
            fk: widgets.fk.get(f.key),
          }),
    )}
${extraHere.map((f) => extraFieldRow(f, state.errors[f.key]))}
${section.manyToMany.map((m) =>
  manyToManyRow(
    m,
    widgets.m2m.get(m.key) ?? [],
    state.links[m.key] ?? new Set(),
    state.errors[m.key],
    !editable || state.readonly.has(m.key),
  ),
)}`;
    const body = html`${section.description ? html`<p class="description">${section.description}</p>` : ''}${rows}`;
    if (section.collapsed)
      return html`<details class="module collapse"><summary>${section.title ?? 'More'}</summary>${body}</details>`;
    return html`<fieldset class="module aligned">${section.title ? html`<legend>${section.title}</legend>` : ''}${body}</fieldset>`;
  });
  const leftoverExtra = extra.filter((f) => !placedExtra.has(f.key) && extraKeys.has(f.key));
  const formErrors = state.errors['__all__'];
  const tools = input.tools;
  return html`${tools.length ? html`<ul class="object-tools">${tools.map((t) => html`<li><a href="${t.href}">${t.label}</a></li>`)}</ul>` : ''}
${errorCount > 0 ? html`<div class="errornote" role="alert" tabindex="-1" id="form-errors"><p>${errorCount === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}${input.refused ? ' Nothing was saved.' : ''}</p>${formErrors?.length ? html`<ul class="errorlist nonfield">${formErrors.map((e) => html`<li>${e}</li>`)}</ul>` : ''}</div>` : ''}
<form method="post" novalidate id="${reg.model}_form" class="change-form"${reg.options.upload && editable ? html` enctype="multipart/form-data"` : ''}${editable ? '' : html` aria-readonly="true"`}>
${csrfInput(request)}
${input.filters ? html`<input type="hidden" name="_changelist_filters" value="${input.filters}">` : ''}
${sections}
${reg.options.upload && editable ? uploadRow(reg.options.upload, state.mode, state.errors[reg.options.upload.key]) : ''}
${leftoverExtra.length ? html`<fieldset class="module aligned">${leftoverExtra.map((f) => extraFieldRow(f, state.errors[f.key]))}</fieldset>` : ''}
${state.inlines.map((i) => inlineGroup(i, widgets, editable))}
${
  editable
    ? html`<div class="submit-row">
<button type="submit" name="_save" value="1" class="button default">Save</button>
${input.canAdd ? html`<button type="submit" name="_addanother" value="1" class="button">Save and add another</button>` : ''}
<button type="submit" name="_continue" value="1" class="button">Save and continue editing</button>
${input.objectUrl && input.canDelete ? html`<a class="deletelink" href="${input.objectUrl}delete/${input.filters ? `?_changelist_filters=${encodeURIComponent(input.filters)}` : ''}">Delete</a>` : ''}
</div>`
    : html`<div class="submit-row"><a class="button" href="${reg.url}${input.filters ? `?${input.filters}` : ''}">Close</a>
${input.objectUrl && input.canDelete ? html`<a class="deletelink" href="${input.objectUrl}delete/">Delete</a>` : ''}</div>`
}
</form>`;
}
