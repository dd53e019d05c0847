import { displayValue } from '../format.js';
import type { InlineFormState, InlineRowState } from '../services/inline-forms.js';
import { blankRaw } from '../services/inline-forms.js';
import type { WidgetData } from '../services/widget-data.js';
import { BooleanIcon } from './boolean-icon.js';
import { ErrorList, inputId, Widget } from './widgets.js';

/** A row's index in the formset, or `__prefix__` in the template row that admin.js copies. */
type RowIndex = number | '__prefix__';

interface RowProps {
  readonly state: InlineFormState;
  readonly widgets: WidgetData;
  readonly editable: boolean;
  readonly row: InlineRowState;
  readonly i: RowIndex;
}

/** The row's editable fields as inputs, the others (or every one, read-only) as text. */
function Cells({ state, widgets, editable, row, i }: RowProps) {
  const { inline, perms } = state;
  const p = inline.prefix;
  const canEdit = editable && (row.pk === undefined ? perms.add : perms.change);
  return (
    <>
      {inline.fields.map((f) => {
        if (!canEdit || inline.readonly.has(f.key)) {
          const value = row.original?.[f.key];
          return (
            <td class={`field-${f.key}`}>
              {f.kind === 'boolean' ? <BooleanIcon value={value} /> : displayValue(value)}
            </td>
          );
        }
        const name = `${p}-${i}-${f.key}`;
        const errs = row.errors[f.key];
        const invalid = Boolean(errs?.length);
        const errorId = `${inputId(name)}_error`;
        return (
          <td class={`field-${f.key}${invalid ? ' errors' : ''}`}>
            <Widget
              field={f}
              name={name}
              value={row.raw[f.key] ?? ''}
              invalid={invalid}
              describedBy={invalid ? [errorId] : []}
              ariaLabel={`${f.label} (${inline.label.toLowerCase()} ${typeof i === 'number' ? i + 1 : 'new'})`}
              fk={widgets.fk.get(`${p}:${i}:${f.key}`) ?? widgets.fk.get(`${p}:${f.key}`)}
            />
            <ErrorList id={errorId} messages={errs} />
          </td>
        );
      })}
    </>
  );
}

function DeleteCell({ state, editable, row, i }: RowProps) {
  const { inline, perms } = state;
  const p = inline.prefix;
  const deleteId = inputId(`${p}-${i}-DELETE`);
  return (
    <td class="delete">
      {row.pk !== undefined && editable && perms.delete && (
        <>
          <input type="checkbox" name={`${p}-${i}-DELETE`} id={deleteId} value="on" checked={row.delete} />
          <label for={deleteId} class="sr-only">
            Delete {inline.label.toLowerCase()} {i === '__prefix__' ? '' : i + 1}
          </label>
        </>
      )}
    </td>
  );
}

function InlineRow(props: RowProps) {
  const { state, row, i } = props;
  const { inline } = state;
  const p = inline.prefix;
  const rowErrors = row.errors['__all__'];
  const cls = `form-row${row.pk === undefined ? ' has-original-none' : ' has-original'}${i === '__prefix__' ? ' empty-form' : ''}`;
  return (
    <>
      {rowErrors?.length ? (
        <tr class="row-errors">
          <td colspan={inline.fields.length + 2}>
            <ErrorList id={`${p}-${i}-errors`} messages={rowErrors} />
          </td>
        </tr>
      ) : null}
      <tr class={cls} id={`${p}-${i}`}>
        <td class="original">
          {row.pk !== undefined && (
            <>
              <input type="hidden" name={`${p}-${i}-id`} value={row.pk} />
              <span class="inline-repr">
                {row.original ? displayValue(row.original[inline.meta.pk!.key]) : ''}
              </span>
            </>
          )}
        </td>
        <Cells {...props} />
        <DeleteCell {...props} />
      </tr>
    </>
  );
}

function ManagementForm({ state }: { readonly state: InlineFormState }) {
  const { inline } = state;
  const p = inline.prefix;
  const initial = state.rows.filter((r) => r.pk !== undefined).length;
  return (
    <>
      <input
        type="hidden"
        name={`${p}-TOTAL_FORMS`}
        value={state.rows.length}
        id={inputId(`${p}-TOTAL_FORMS`)}
      />
      <input type="hidden" name={`${p}-INITIAL_FORMS`} value={initial} id={inputId(`${p}-INITIAL_FORMS`)} />
      <input type="hidden" name={`${p}-MIN_NUM_FORMS`} value={inline.min} />
      <input type="hidden" name={`${p}-MAX_NUM_FORMS`} value={inline.max} />
    </>
  );
}

export interface InlineGroupProps {
  readonly state: InlineFormState;
  readonly widgets: WidgetData;
  readonly editable: boolean;
}

/**
 * An inline as a table of child rows (Django's TabularInline) with Django's formset fields:
 * `<prefix>-TOTAL_FORMS`, `<prefix>-INITIAL_FORMS`, and per row `<prefix>-<i>-id`, the fields and
 * `<prefix>-<i>-DELETE`. A `<template>` row lets admin.js add rows; without it the blank rows suffice.
 */
export function InlineGroup({ state, widgets, editable }: InlineGroupProps) {
  const { inline, perms } = state;
  const p = inline.prefix;
  const headingId = `${p}-heading`;
  const blank: InlineRowState = { raw: blankRaw(inline.fields), errors: {}, delete: false };
  return (
    <fieldset
      class="module inline-group"
      id={`${p}-group`}
      data-inline-prefix={p}
      data-max={inline.max}
      aria-labelledby={headingId}
    >
      <h2 id={headingId}>{inline.labelPlural}</h2>
      {editable && <ManagementForm state={state} />}
      {state.errors.length > 0 && (
        <ul class="errorlist nonform" role="alert">
          {state.errors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      <div class="table-wrap">
        <table class="inline-table">
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">#</span>
              </th>
              {inline.fields.map((f) => (
                <th scope="col" class={f.notNull && !f.hasDefault ? 'required' : undefined}>
                  {f.label}
                </th>
              ))}
              <th scope="col">{editable && perms.delete ? 'Delete?' : ''}</th>
            </tr>
          </thead>
          <tbody>
            {state.rows.map((row, i) => (
              <InlineRow state={state} widgets={widgets} editable={editable} row={row} i={i} />
            ))}
          </tbody>
        </table>
      </div>
      {editable && perms.add && (
        <>
          <template id={`${p}-empty`}>
            <InlineRow state={state} widgets={widgets} editable={editable} row={blank} i="__prefix__" />
          </template>
          <p class="add-row" hidden>
            <button type="button" class="button add-inline" data-prefix={p}>
              Add another {inline.label.toLowerCase()}
            </button>
          </p>
        </>
      )}
    </fieldset>
  );
}
