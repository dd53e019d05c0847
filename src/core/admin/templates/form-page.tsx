import type { Child } from 'hono/jsx';
import type { UploadOptions } from '../../models/upload.js';
import type { ExtraField } from '../options.js';
import type { FormSection, Registration } from '../registration.js';
import type { FormState } from '../services/object-form.js';
import type { WidgetData } from '../services/widget-data.js';
import { FieldRow, ManyToManyRow, ReadonlyRow } from './fields.js';
import { InlineGroup } from './inline-group.js';
import { CsrfInput } from './layout.js';
import { ErrorList, FileInput, inputId } from './widgets.js';

export interface FormPageProps {
  readonly csrfToken: string;
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
  readonly objectUrl?: string | undefined;
  /** The object's name above the form, when changing one. */
  readonly subtitle?: string | undefined;
  readonly tools: readonly { label: string; href: string }[];
  readonly extraFields: readonly ExtraField[];
  /** The database refused the save and rolled all of it back: the banner says nothing was saved. */
  readonly refused?: boolean;
}

function ExtraFieldRow({
  field,
  errors,
}: {
  readonly field: ExtraField;
  readonly errors?: readonly string[] | undefined;
}) {
  const id = inputId(field.key);
  const invalid = Boolean(errors?.length);
  const describedBy = [...(invalid ? [`${id}_error`] : []), ...(field.help ? [`${id}_helptext`] : [])];
  return (
    <div class={`form-row field-${field.key}${invalid ? ' errors' : ''}`}>
      <label for={id} class="required">
        {field.label}:
      </label>
      <div class="field-input">
        <input
          type={field.type}
          name={field.key}
          id={id}
          autocomplete={field.type === 'password' ? 'new-password' : 'off'}
          aria-describedby={describedBy.length ? describedBy.join(' ') : undefined}
          aria-invalid={invalid ? 'true' : undefined}
        />
        <ErrorList id={`${id}_error`} messages={errors} />
        {field.help && (
          <p class="help" id={`${id}_helptext`}>
            {field.help}
          </p>
        )}
      </div>
    </div>
  );
}

interface UploadRowProps {
  readonly upload: UploadOptions;
  readonly mode: 'add' | 'change';
  readonly errors: readonly string[] | undefined;
}

function UploadRow({ upload, mode, errors }: UploadRowProps) {
  const id = inputId(upload.key);
  const required = mode === 'add' && upload.required !== false;
  const invalid = Boolean(errors?.length);
  const describedBy = [...(invalid ? [`${id}_error`] : []), ...(upload.help ? [`${id}_helptext`] : [])];
  return (
    <fieldset class="module aligned">
      <div class={`form-row field-${upload.key}${invalid ? ' errors' : ''}`}>
        <label for={id} class={required ? 'required' : undefined}>
          {upload.label}:
        </label>
        <div class="field-input">
          <FileInput
            name={upload.key}
            accept={upload.accept}
            required={required}
            invalid={invalid}
            describedBy={describedBy}
          />
          <ErrorList id={`${id}_error`} messages={errors} />
          {upload.help && (
            <p class="help" id={`${id}_helptext`}>
              {upload.help}
              {mode === 'change' && ' Leave empty to keep the current file.'}
            </p>
          )}
        </div>
      </div>
    </fieldset>
  );
}

interface SectionProps {
  readonly props: FormPageProps;
  readonly section: FormSection;
  /** The extra fields (a password) the registration's fieldset lists here. */
  readonly extra: readonly ExtraField[];
}

function SectionRows({ props, section, extra }: SectionProps) {
  const { reg, state, widgets, editable } = props;
  return (
    <>
      {section.description && <p class="description">{section.description}</p>}
      {section.fields.map((f) =>
        !editable || state.readonly.has(f.key) ? (
          <ReadonlyRow
            field={f}
            label={reg.fieldLabel(f.key)}
            value={state.original?.[f.key]}
            text={props.readonlyTexts.get(f.key)}
          />
        ) : (
          <FieldRow
            field={f}
            label={reg.fieldLabel(f.key)}
            value={state.raw[f.key] ?? ''}
            errors={state.errors[f.key]}
            fk={widgets.fk.get(f.key)}
          />
        ),
      )}
      {extra.map((f) => (
        <ExtraFieldRow field={f} errors={state.errors[f.key]} />
      ))}
      {section.manyToMany.map((m) => (
        <ManyToManyRow
          m={m}
          options={widgets.m2m.get(m.key) ?? []}
          selected={state.links[m.key] ?? new Set()}
          errors={state.errors[m.key]}
          readonly={!editable || state.readonly.has(m.key)}
        />
      ))}
    </>
  );
}

function Section(sectionProps: SectionProps) {
  const { section } = sectionProps;
  if (section.collapsed)
    return (
      <details class="module collapse">
        <summary>{section.title ?? 'More'}</summary>
        <SectionRows {...sectionProps} />
      </details>
    );
  return (
    <fieldset class="module aligned">
      {section.title && <legend>{section.title}</legend>}
      <SectionRows {...sectionProps} />
    </fieldset>
  );
}

/** How many fields and inline rows have errors: the banner's count. */
function errorCount(state: FormState): number {
  return (
    Object.keys(state.errors).length +
    state.inlines.reduce(
      (n, i) => n + i.errors.length + i.rows.filter((r) => Object.keys(r.errors).length > 0).length,
      0,
    )
  );
}

function ErrorBanner({ state, refused }: { readonly state: FormState; readonly refused: boolean }) {
  const count = errorCount(state);
  if (count === 0) return null;
  const formErrors = state.errors['__all__'];
  return (
    <div class="errornote" role="alert" tabindex={-1} id="form-errors">
      <p>
        {count === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}
        {refused && ' Nothing was saved.'}
      </p>
      {formErrors?.length ? (
        <ul class="errorlist nonfield">
          {formErrors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function SubmitRow({ reg, filters, objectUrl, canAdd, canDelete, editable }: FormPageProps) {
  const deleteLink = (href: string) =>
    objectUrl &&
    canDelete && (
      <a class="deletelink" href={href}>
        Delete
      </a>
    );
  if (!editable)
    return (
      <div class="submit-row">
        <a class="button" href={`${reg.url}${filters ? `?${filters}` : ''}`}>
          Close
        </a>{' '}
        {deleteLink(`${objectUrl}delete/`)}
      </div>
    );
  const carried = filters ? `?_changelist_filters=${encodeURIComponent(filters)}` : '';
  return (
    <div class="submit-row">
      <button type="submit" name="_save" value="1" class="button default">
        Save
      </button>{' '}
      {canAdd && (
        <>
          <button type="submit" name="_addanother" value="1" class="button">
            Save and add another
          </button>{' '}
        </>
      )}
      <button type="submit" name="_continue" value="1" class="button">
        Save and continue editing
      </button>{' '}
      {deleteLink(`${objectUrl}delete/${carried}`)}
    </div>
  );
}

/**
 * The add/change form: fieldsets, inlines and the submit row (Save, Save and add another, Save
 * and continue editing, Delete). Errors are summarised at the top, in one banner (which says
 * that nothing was saved when the database refused the save), and shown at each field.
 */
export function FormPage(props: FormPageProps) {
  const { reg, state, widgets, editable } = props;
  const extra = props.extraFields.filter((f) => !f.on || f.on === state.mode);
  const placed = new Set<string>();
  const sections: Child[] = state.sections.map((section, i) => {
    const listed = reg.options.fieldsets?.[i]?.fields ?? [];
    const here = extra.filter((f) => listed.includes(f.key));
    for (const f of here) placed.add(f.key);
    return <Section props={props} section={section} extra={here} />;
  });
  const leftover = extra.filter((f) => !placed.has(f.key));
  const upload = editable ? reg.options.upload : undefined;
  return (
    <>
      {props.subtitle !== undefined && <p class="subtitle">{props.subtitle}</p>}
      {props.tools.length > 0 && (
        <ul class="object-tools">
          {props.tools.map((t) => (
            <li>
              <a href={t.href}>{t.label}</a>
            </li>
          ))}
        </ul>
      )}
      <ErrorBanner state={state} refused={props.refused ?? false} />
      <form
        method="post"
        novalidate
        id={`${reg.model}_form`}
        class="change-form"
        enctype={upload ? 'multipart/form-data' : undefined}
      >
        <CsrfInput token={props.csrfToken} />
        {props.filters && <input type="hidden" name="_changelist_filters" value={props.filters} />}
        {sections}
        {upload && <UploadRow upload={upload} mode={state.mode} errors={state.errors[upload.key]} />}
        {leftover.length > 0 && (
          <fieldset class="module aligned">
            {leftover.map((f) => (
              <ExtraFieldRow field={f} errors={state.errors[f.key]} />
            ))}
          </fieldset>
        )}
        {state.inlines.map((i) => (
          <InlineGroup state={i} widgets={widgets} editable={editable} />
        ))}
        <SubmitRow {...props} />
      </form>
    </>
  );
}
