import type { AuthUser } from '../../auth/request-user.js';
import type { AppDb } from '../../db/database.js';
import { childPerms, loadChildren } from '../../models/children.js';
import type { FieldMeta } from '../../models/fields.js';
import { linkedIds } from '../../models/links.js';
import type { Row, Submission } from '../../models/model.js';
import { validateObject } from '../../models/validate.js';
import type { FormSection, Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';
import { type FormBody, many, one, toInputValue } from './form-values.js';
import {
  type InlineFormState,
  type InlineOp,
  initialInline,
  inlineRowErrors,
  readInline,
} from './inline-forms.js';

/** Everything the add/change page needs to show a form, first or after a failed save. */
export interface FormState {
  readonly mode: 'add' | 'change';
  readonly original: Row | undefined;
  readonly sections: FormSection[];
  readonly readonly: ReadonlySet<string>;
  /** What the inputs hold, by field key: the stored values, or what the user typed. */
  readonly raw: Record<string, string>;
  /** Messages by field key; `__all__` for the form. */
  readonly errors: Record<string, string[]>;
  readonly links: Record<string, Set<string>>;
  readonly inlines: InlineFormState[];
}

/** A valid submission, ready to write: the model layer's, with each inline's form state. */
export interface ParsedSubmission extends Submission {
  readonly inlineOps: { state: InlineFormState; ops: readonly InlineOp[] }[];
}

export interface FormDeps {
  readonly db: AppDb;
  readonly index: AdminIndex;
  readonly user: AuthUser;
}

/** The editable fields of the form for this user. */
export function editableFields(state: Pick<FormState, 'sections' | 'readonly'>): FieldMeta[] {
  return state.sections.flatMap((s) => s.fields).filter((f) => !state.readonly.has(f.key));
}

/** The form as first shown: the object's values, or the defaults (and `?field=` values) when adding. */
export async function initialForm(
  deps: FormDeps,
  reg: Registration,
  original: Row | undefined,
  query: URLSearchParams = new URLSearchParams(),
): Promise<FormState> {
  const mode = original ? 'change' : 'add';
  const { sections, readonly } = reg.form(deps.user, mode);
  const raw: Record<string, string> = {};
  for (const f of sections.flatMap((s) => s.fields)) {
    if (original) raw[f.key] = toInputValue(f, original[f.key]);
    else {
      const d = (f.column as { default?: unknown }).default;
      const plain = d !== undefined && (typeof d !== 'object' || d === null || d instanceof Date);
      raw[f.key] = query.get(f.key) ?? (plain ? toInputValue(f, d) : '');
    }
  }
  const links: Record<string, Set<string>> = {};
  for (const m of reg.manyToMany)
    links[m.key] = original ? await linkedIds(deps.db, m, original[reg.pk.key]) : new Set();
  const inlines: InlineFormState[] = [];
  for (const inline of reg.inlines) {
    const perms = childPerms(deps.user, inline);
    if (!perms.view && !perms.add) continue;
    const children = original ? await loadChildren(deps.db, inline, original[reg.pk.key]) : [];
    inlines.push(initialInline(inline, perms, children));
  }
  return { mode, original, sections, readonly, raw, errors: {}, links, inlines };
}

/**
 * Reads a submitted add/change form through the model layer ({@link validateObject}): every
 * editable field, the many-to-many checkboxes, the inlines and the registration's `clean` hook.
 * Returns the values to save, or the form state with every error next to its field and the
 * typed values kept.
 */
export async function parseForm(
  deps: FormDeps,
  reg: Registration,
  original: Row | undefined,
  body: FormBody,
): Promise<{ ok: true; parsed: ParsedSubmission; state: FormState } | { ok: false; state: FormState }> {
  const mode = original ? 'change' : 'add';
  const { sections, readonly } = reg.form(deps.user, mode);
  const fields = editableFields({ sections, readonly });
  const raw: Record<string, string> = {};
  for (const f of sections.flatMap((s) => s.fields))
    raw[f.key] = readonly.has(f.key) ? toInputValue(f, original?.[f.key]) : (one(body, f.key) ?? '');

  const links: Record<string, Set<string>> = {};
  const linkInput: Record<string, string[]> = {};
  for (const m of sections.flatMap((s) => s.manyToMany)) {
    const ids = many(body, m.key).slice(0, 5000);
    links[m.key] = new Set(ids);
    if (readonly.has(m.key) && original) links[m.key] = await linkedIds(deps.db, m, original[reg.pk.key]);
    else linkInput[m.key] = ids;
  }

  const read = new Map<number, ReturnType<typeof readInline>>();
  const existing = new Map<number, Row[]>();
  for (const [i, inline] of reg.inlines.entries()) {
    const perms = childPerms(deps.user, inline);
    if (!perms.view && !perms.add) continue;
    const children = original ? await loadChildren(deps.db, inline, original[reg.pk.key]) : [];
    existing.set(i, children);
    read.set(i, readInline(inline, perms, children, body));
  }

  const extra: Record<string, string> = {};
  for (const f of reg.options.extraFields ?? []) extra[f.key] = one(body, f.key) ?? '';
  const result = await validateObject(deps, reg, original, {
    source: 'text',
    editable: fields,
    values: Object.fromEntries(fields.map((f) => [f.key, raw[f.key]])),
    links: linkInput,
    children: new Map([...read].map(([i, r]) => [i, r.items])),
    existing,
    extra,
  });

  const errors: Record<string, string[]> = {};
  const inlines = [...read.values()].map((r) => r.state);
  if (!result.ok)
    for (const e of result.errors) {
      const inline = e.child && read.get(e.child.inline);
      if (inline) inlineRowErrors(inline.state, inline.rowOf, [e]);
      else {
        const key = e.field ?? '__all__';
        errors[key] = [...(errors[key] ?? []), e.message];
      }
    }
  const state: FormState = { mode, original, sections, readonly, raw, errors, links, inlines };
  if (!result.ok) return { ok: false, state };
  const inlineOps = result.submission.children.map((c) => ({ state: read.get(c.inline)!.state, ops: c.ops }));
  const allLinks = { ...result.submission.links };
  return { ok: true, parsed: { ...result.submission, links: allLinks, inlineOps }, state };
}
