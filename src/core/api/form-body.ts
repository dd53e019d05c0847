import type { FieldMeta } from '../admin/introspect.js';
import type { Row } from '../admin/options.js';
import type { FormBody } from '../admin/services/form-values.js';
import type { FormState } from '../admin/services/object-form.js';
import type { FieldError } from './errors.js';
import type { ApiResource } from './resource.js';

/**
 * A JSON value as the admin form would have sent it, for the admin's own parser: booleans as a
 * checkbox, instants as UTC `YYYY-MM-DDTHH:MM:SS.sss`, null as an empty input.
 */
export function formValue(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (field.kind) {
    case 'boolean':
      return value ? '1' : '';
    case 'datetime': {
      const d = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 23);
    }
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'json':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** What an omitted field of a new object holds: the column's plain default, else nothing. */
function defaultValue(field: FieldMeta): string {
  const d = (field.column as { default?: unknown }).default;
  const plain = d !== undefined && (typeof d !== 'object' || d === null || d instanceof Date);
  return plain ? formValue(field, d) : '';
}

/** The current state a write starts from: the object, its links and its children by JSON key. */
export interface Current {
  readonly original: Row | undefined;
  readonly links: Readonly<Record<string, ReadonlySet<string>>>;
  readonly children: ReadonlyMap<string, readonly Row[]>;
}

/**
 * Turns a validated JSON body into the form body the admin's `parseForm` reads, so the API and
 * the admin share one parser, one `clean` hook, one inline formset (permissions, min/max) and one
 * save. Fields left out keep their current value (or take their default when creating); a nested
 * array lists the children to keep, with those left out sent as deletions.
 *
 * @example
 *   buildFormBody(questions, { questionText: 'Why?', choices: [{ choiceText: 'Yes' }] }, current)
 *   // { questionText: 'Why?', pubDate: '…', 'choice_set-TOTAL_FORMS': '1', 'choice_set-0-choiceText': 'Yes', … }
 */
export function buildFormBody(
  resource: ApiResource,
  json: Record<string, unknown>,
  current: Current,
): FormBody {
  const body: FormBody = {};
  const { original } = current;
  for (const f of resource.fields)
    body[f.key] =
      f.key in json ? formValue(f, json[f.key]) : original ? formValue(f, original[f.key]) : defaultValue(f);
  for (const m of resource.manyToMany)
    body[m.key] =
      m.key in json
        ? (json[m.key] as unknown[]).map(String)
        : [...(current.links[m.key] ?? new Set<string>())];
  for (const x of resource.extraFields) if (x.key in json) body[x.key] = String(json[x.key]);

  for (const c of resource.children) {
    if (!(c.key in json)) continue;
    const p = c.inline.prefix;
    const pkKey = c.inline.meta.pk!.key;
    const existing = current.children.get(c.key) ?? [];
    const byId = new Map(existing.map((row) => [String(row[pkKey]), row]));
    const items = json[c.key] as Record<string, unknown>[];
    const kept = new Set<string>();
    items.forEach((item, i) => {
      const id = item[pkKey] === undefined || item[pkKey] === null ? undefined : String(item[pkKey]);
      const child = id === undefined ? undefined : byId.get(id);
      if (id !== undefined) {
        body[`${p}-${i}-id`] = id;
        kept.add(id);
      }
      for (const f of c.inline.fields)
        body[`${p}-${i}-${f.key}`] =
          f.key in item ? formValue(f, item[f.key]) : child ? formValue(f, child[f.key]) : defaultValue(f);
    });
    let n = items.length;
    for (const row of existing) {
      const id = String(row[pkKey]);
      if (kept.has(id)) continue;
      body[`${p}-${n}-id`] = id;
      body[`${p}-${n}-DELETE`] = '1';
      for (const f of c.inline.fields) body[`${p}-${n}-${f.key}`] = formValue(f, row[f.key]);
      n++;
    }
    body[`${p}-TOTAL_FORMS`] = String(n);
    body[`${p}-INITIAL_FORMS`] = String(existing.length);
  }
  return body;
}

/**
 * Child ids that are not children of this object (or are listed twice): the API reports them
 * before parsing, next to the row that names them.
 */
export function unknownChildIds(
  resource: ApiResource,
  json: Record<string, unknown>,
  current: Current,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const c of resource.children) {
    if (!(c.key in json)) continue;
    const pkKey = c.inline.meta.pk!.key;
    const ids = new Set((current.children.get(c.key) ?? []).map((row) => String(row[pkKey])));
    const seen = new Set<string>();
    (json[c.key] as Record<string, unknown>[]).forEach((item, i) => {
      const raw = item[pkKey];
      if (raw === undefined || raw === null) return;
      const id = String(raw);
      const field = `${c.key}[${i}].${pkKey}`;
      if (!ids.has(id))
        errors.push({
          field,
          message: `No ${c.inline.label.toLowerCase()} with this id belongs to this ${resource.reg.label.toLowerCase()}.`,
        });
      else if (seen.has(id)) errors.push({ field, message: 'This id is listed twice.' });
      seen.add(id);
    });
  }
  return errors;
}

/**
 * The errors of a form state (after parsing or a refused save) as the API's field list: fields
 * by key, `null` for the object, `choices[1].choiceText` for a listed child's field, and the
 * nested key itself for the whole inline or for a child being deleted.
 */
export function stateErrors(
  resource: ApiResource,
  state: FormState,
  json: Record<string, unknown>,
): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, messages] of Object.entries(state.errors))
    for (const message of messages) out.push({ field: key === '__all__' ? null : key, message });
  for (const inline of state.inlines) {
    const child = resource.children.find((c) => c.inline === inline.inline);
    if (!child) continue;
    const listed = Array.isArray(json[child.key]) ? (json[child.key] as unknown[]).length : 0;
    for (const message of inline.errors) out.push({ field: child.key, message });
    inline.rows.forEach((row, i) => {
      for (const [key, messages] of Object.entries(row.errors))
        for (const message of messages) {
          if (i < listed)
            out.push({
              field: key === '__all__' ? `${child.key}[${i}]` : `${child.key}[${i}].${key}`,
              message,
            });
          else
            out.push({
              field: child.key,
              message: `${inline.inline.label} with id ${row.pk ?? '?'}: ${message}`,
            });
        }
    });
  }
  if (out.length === 0 && state.errors['__all__']?.length)
    out.push({ field: null, message: state.errors['__all__'][0]! });
  return out;
}
