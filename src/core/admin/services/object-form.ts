import { eq } from 'drizzle-orm';
import type { AuthUser } from '../../auth/request-user.js';
import type { AppDb } from '../../db/database.js';
import type { FieldMeta } from '../introspect.js';
import type { Row } from '../options.js';
import type { FormSection, Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';
import { type FormBody, many, one, parseField, toInputValue } from './form-values.js';
import {
  type InlineFormState,
  type InlineOp,
  initialInline,
  inlinePerms,
  loadChildren,
  parseInline,
} from './inline-forms.js';
import { linkedIds, unknownIds } from './many-to-many.js';

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

/** A valid submission, ready to write. */
export interface ParsedSubmission {
  readonly values: Record<string, unknown>;
  readonly links: Record<string, Set<string>>;
  readonly inlineOps: { state: InlineFormState; ops: InlineOp[] }[];
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
    const perms = inlinePerms(deps.user, inline);
    if (!perms.view && !perms.add) continue;
    const children = original ? await loadChildren(deps.db, inline, original[reg.pk.key]) : [];
    inlines.push(initialInline(inline, perms, children));
  }
  return { mode, original, sections, readonly, raw, errors: {}, links, inlines };
}

/**
 * Reads a submitted add/change form: every editable field, the many-to-many checkboxes, the
 * inlines and the registration's `clean` hook. Returns the values to save, or the form state
 * with every error next to its field and the typed values kept.
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
  const values: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  const addError = (key: string, message: string) => {
    errors[key] = [...(errors[key] ?? []), message];
  };
  for (const f of sections.flatMap((s) => s.fields))
    raw[f.key] = readonly.has(f.key) ? toInputValue(f, original?.[f.key]) : (one(body, f.key) ?? '');
  for (const f of fields) {
    const parsed = parseField(f, raw[f.key], mode);
    if (!parsed.ok) addError(f.key, parsed.error);
    else if (parsed.value !== undefined) values[f.key] = parsed.value;
  }
  for (const f of fields) {
    const value = values[f.key];
    if (!f.references || value === null || value === undefined || errors[f.key]) continue;
    if (!(await relatedExists(deps.db, f, value)))
      addError(f.key, 'Select a valid choice. That choice is not one of the available choices.');
  }

  const links: Record<string, Set<string>> = {};
  const shownM2m = sections.flatMap((s) => s.manyToMany);
  for (const m of shownM2m) {
    const ids = many(body, m.key).slice(0, 5000);
    links[m.key] = new Set(ids);
    if (readonly.has(m.key) && original) links[m.key] = await linkedIds(deps.db, m, original[reg.pk.key]);
    else if ((await unknownIds(deps.db, m, ids)).length > 0)
      addError(m.key, 'Select a valid choice. One of the choices is not one of the available choices.');
  }

  const inlineOps: { state: InlineFormState; ops: InlineOp[] }[] = [];
  for (const inline of reg.inlines) {
    const perms = inlinePerms(deps.user, inline);
    if (!perms.view && !perms.add) continue;
    const children = original ? await loadChildren(deps.db, inline, original[reg.pk.key]) : [];
    inlineOps.push(parseInline(inline, perms, children, body));
  }

  const extra: Record<string, string> = {};
  for (const f of reg.options.extraFields ?? []) extra[f.key] = one(body, f.key) ?? '';
  // Like Django's Form.clean(), the hook runs even when fields failed, so every problem shows at once.
  if (reg.options.clean) {
    const more = await reg.options.clean({
      mode,
      values,
      extra,
      original: original as never,
      user: deps.user,
      db: deps.db,
    });
    for (const [key, messages] of Object.entries(more ?? {})) for (const m of messages) addError(key, m);
  }

  const inlines = inlineOps.map((i) => i.state);
  const state: FormState = { mode, original, sections, readonly, raw, errors, links, inlines };
  const inlineInvalid = inlines.some(
    (i) => i.errors.length > 0 || i.rows.some((r) => Object.keys(r.errors).length > 0),
  );
  if (Object.keys(errors).length > 0 || inlineInvalid) return { ok: false, state };
  return { ok: true, parsed: { values, links, inlineOps }, state };
}

async function relatedExists(db: AppDb, field: FieldMeta, value: unknown): Promise<boolean> {
  const ref = field.references!;
  const column = ref.foreignColumns[0]!;
  const rows = await db
    .select()
    .from(ref.foreignTable)
    .where(eq(column, value as never))
    .limit(1);
  return rows.length > 0;
}
