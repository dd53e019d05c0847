import type { FieldMeta } from '../../models/fields.js';
import { ADMIN_TIME_ZONE } from '../format.js';

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

export interface WidgetProps {
  readonly field: FieldMeta;
  /** The input's name and id base (`questionText`, `choice_set-0-choiceText`). */
  readonly name: string;
  readonly value: string;
  readonly invalid: boolean;
  /** Ids of the error and help elements, for aria-describedby. */
  readonly describedBy: readonly string[];
  readonly fk?: ForeignKeyWidget | undefined;
  /** Inline cells have no visible label; the column header names them. */
  readonly ariaLabel?: string | undefined;
}

/** `id_questionText`: the id of a field's input, the target of its `<label for>`. */
export function inputId(name: string): string {
  return `id_${name}`;
}

/** The attributes every widget's control carries, in the order the pages have always had them. */
function commonAttributes(props: WidgetProps, extraDescribedBy: readonly string[] = []) {
  const { field } = props;
  const ids = [...extraDescribedBy, ...props.describedBy];
  return {
    name: props.name,
    id: inputId(props.name),
    'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
    'aria-invalid': props.invalid ? 'true' : undefined,
    'aria-label': props.ariaLabel || undefined,
    required: field.notNull && !field.hasDefault && field.kind !== 'boolean',
  };
}

function EmptyOption({ selected }: { readonly selected: boolean }) {
  return (
    <option value="" selected={selected}>
      ---------
    </option>
  );
}

function EnumSelect(props: WidgetProps) {
  const { field, value } = props;
  return (
    <select {...commonAttributes(props)}>
      {(!field.notNull || !value) && <EmptyOption selected={field.notNull} />}
      {(field.enumValues ?? []).map((v) => (
        <option value={v} selected={v === value}>
          {v}
        </option>
      ))}
    </select>
  );
}

function ForeignKeySelect(props: WidgetProps & { readonly options: readonly [string, string][] }) {
  return (
    <select {...commonAttributes(props)}>
      <EmptyOption selected={props.value === ''} />
      {props.options.map(([v, text]) => (
        <option value={v} selected={v === props.value}>
          {text}
        </option>
      ))}
    </select>
  );
}

function ForeignKeyRaw(props: WidgetProps & { readonly fk: Extract<ForeignKeyWidget, { kind: 'raw' }> }) {
  const { fk, value } = props;
  const reprId = `${inputId(props.name)}_repr`;
  return (
    <span class="fk-raw" data-autocomplete={fk.autocompleteUrl || undefined}>
      <input
        type="text"
        inputmode="numeric"
        {...commonAttributes(props, [reprId])}
        value={value}
        class="vForeignKeyRawIdAdminField"
        autocomplete="off"
      />{' '}
      <span class="fk-repr" id={reprId}>
        {fk.repr ? <strong>{fk.repr}</strong> : value ? 'No such object' : 'Enter an id'}
      </span>{' '}
      {fk.lookupUrl && (
        <a class="fk-lookup" href={fk.lookupUrl} target="_blank" rel="noopener">
          Look up ids
        </a>
      )}
    </span>
  );
}

/** The input for a column, chosen from its type (Django's widgets). All values are escaped. */
export function Widget(props: WidgetProps) {
  const { field, value, fk } = props;
  if (field.references && fk?.kind === 'select') return <ForeignKeySelect {...props} options={fk.options} />;
  if (field.references && fk?.kind === 'raw') return <ForeignKeyRaw {...props} fk={fk} />;
  const common = commonAttributes(props);
  switch (field.kind) {
    case 'boolean':
      return <input type="checkbox" {...common} value="1" checked={Boolean(value)} />;
    case 'longtext':
      return (
        <textarea {...common} rows={6} cols={40}>
          {value}
        </textarea>
      );
    case 'json':
      return (
        <textarea {...common} rows={8} cols={40} class="mono" spellcheck={false}>
          {value}
        </textarea>
      );
    case 'integer':
      return <input type="number" step="1" {...common} value={value} class="number-input" />;
    case 'decimal':
    case 'float':
      return <input type="text" inputmode="decimal" {...common} value={value} class="number-input" />;
    case 'date':
      return <input type="date" {...common} value={value} />;
    case 'datetime':
      return (
        <span class="datetime">
          <input type="datetime-local" step="1" {...common} value={value} />{' '}
          <span class="tz">{ADMIN_TIME_ZONE}</span>
        </span>
      );
    case 'enum':
      return <EnumSelect {...props} />;
    default:
      return (
        <input
          type="text"
          {...common}
          value={value}
          maxlength={field.maxLength || undefined}
          class={(field.maxLength ?? 0) > 60 || !field.maxLength ? 'wide' : ''}
        />
      );
  }
}

/** A field's errors, with the id the input points at through aria-describedby. */
export function ErrorList({
  id,
  messages,
}: {
  readonly id: string;
  readonly messages?: readonly string[] | undefined;
}) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul class="errorlist" id={id}>
      {messages.map((m) => (
        <li>{m}</li>
      ))}
    </ul>
  );
}

export interface FileInputProps {
  readonly name: string;
  readonly accept?: string | undefined;
  readonly required: boolean;
  readonly invalid: boolean;
  readonly describedBy: readonly string[];
}

/** A file input (`<input type="file">`); the form around it must be multipart/form-data. */
export function FileInput({ name, accept, required, invalid, describedBy }: FileInputProps) {
  return (
    <input
      type="file"
      name={name}
      id={inputId(name)}
      accept={accept || undefined}
      required={required}
      aria-invalid={invalid ? 'true' : undefined}
      aria-describedby={describedBy.length ? describedBy.join(' ') : undefined}
    />
  );
}
