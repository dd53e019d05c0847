import type { FieldMeta } from '../../models/fields.js';
import type { ManyToMany } from '../../models/model.js';
import { displayValue } from '../format.js';
import { BooleanIcon } from './boolean-icon.js';
import { ErrorList, type ForeignKeyWidget, inputId, Widget } from './widgets.js';

function Help({ id, text }: { readonly id?: string; readonly text?: string | undefined }) {
  if (!text) return null;
  return (
    <p class="help" id={id}>
      {text}
    </p>
  );
}

export interface FieldRowProps {
  readonly field: FieldMeta;
  readonly label: string;
  readonly value: string;
  readonly errors: readonly string[] | undefined;
  readonly fk: ForeignKeyWidget | undefined;
  readonly help?: string;
}

/** One labelled form row: label, input, errors and help, tied together for screen readers. */
export function FieldRow({ field, label, value, errors, fk, help }: FieldRowProps) {
  const id = inputId(field.key);
  const errorId = `${id}_error`;
  const helpId = `${id}_helptext`;
  const invalid = Boolean(errors?.length);
  const describedBy = [...(invalid ? [errorId] : []), ...(help ? [helpId] : [])];
  const control = (
    <Widget
      field={field}
      name={field.key}
      value={value}
      invalid={invalid}
      describedBy={describedBy}
      fk={fk}
    />
  );
  const rowClass = `form-row field-${field.key}${invalid ? ' errors' : ''}`;
  if (field.kind === 'boolean')
    return (
      <div class={`${rowClass} checkbox-row`}>
        <ErrorList id={errorId} messages={errors} />
        {control}{' '}
        <label for={id} class="vCheckboxLabel">
          {label}
        </label>
        <Help id={helpId} text={help} />
      </div>
    );
  const required = field.notNull && !field.hasDefault;
  return (
    <div class={rowClass}>
      <label for={id} class={required ? 'required' : undefined}>
        {label}
        {required && <span class="sr-only"> (required)</span>}:
      </label>
      <div class="field-input">
        {control}
        <ErrorList id={errorId} messages={errors} />
        <Help id={helpId} text={help} />
      </div>
    </div>
  );
}

export interface ReadonlyRowProps {
  readonly field: FieldMeta;
  readonly label: string;
  readonly value: unknown;
  /** The value as text, when the route worked one out (a related object's name). */
  readonly text: string | undefined;
}

/** A read-only field: its value as text (a related object by name, a boolean as ✓/✗). */
export function ReadonlyRow({ field, label, value, text }: ReadonlyRowProps) {
  const labelId = `${inputId(field.key)}_label`;
  return (
    <div class={`form-row field-${field.key} readonly-row`}>
      <span class="label" id={labelId}>
        {label}:
      </span>
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: kept as the page has always sent it; ARIA 1.2 prohibits naming a generic element, so a role is a follow-up. */}
      <div class="readonly" aria-labelledby={labelId}>
        {field.kind === 'boolean' ? <BooleanIcon value={value} /> : (text ?? displayValue(value))}
      </div>
    </div>
  );
}

export interface ManyToManyRowProps {
  readonly m: ManyToMany;
  /** [id, name] of every object that may be linked. */
  readonly options: readonly [string, string][];
  readonly selected: ReadonlySet<string>;
  readonly errors: readonly string[] | undefined;
  readonly readonly: boolean;
}

function ManyToManyReadonly({ m, options, selected }: ManyToManyRowProps) {
  const chosen = options.filter(([id]) => selected.has(id));
  return (
    <div class={`form-row field-${m.key} readonly-row`}>
      <span class="label">{m.label}:</span>
      <div class="readonly">
        {chosen.length > 0 ? (
          <ul class="plain">
            {chosen.map(([, text]) => (
              <li>{text}</li>
            ))}
          </ul>
        ) : (
          '-'
        )}
      </div>
    </div>
  );
}

/** A many-to-many relation as a group of checkboxes inside a fieldset. */
export function ManyToManyRow(props: ManyToManyRowProps) {
  if (props.readonly) return <ManyToManyReadonly {...props} />;
  const { m, options, selected, errors } = props;
  const errorId = `${inputId(m.key)}_error`;
  const invalid = Boolean(errors?.length);
  return (
    <fieldset
      class={`form-row field-${m.key} checkbox-group${invalid ? ' errors' : ''}`}
      aria-describedby={invalid ? errorId : undefined}
    >
      <legend>{m.label}:</legend>
      <ErrorList id={errorId} messages={errors} />
      <Help text={m.help} />
      <div class="checkbox-list" data-filterable="">
        {options.length === 0 && <p class="muted">None available.</p>}
        {options.map(([id, text], i) => {
          const itemId = `${inputId(m.key)}_${i}`;
          return (
            <div class="checkbox-item">
              <input type="checkbox" name={m.key} value={id} id={itemId} checked={selected.has(id)} />{' '}
              <label for={itemId}>{text}</label>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
