import { type ChildItem, MAX_CHILD_ROWS } from '../../models/children.js';
import type { FieldMeta } from '../../models/fields.js';
import type { ChildOp, ChildPerms, ModelError, Row } from '../../models/model.js';
import type { Inline } from '../registration.js';
import { type FormBody, one, toInputValue } from './form-values.js';

export type InlinePerms = ChildPerms;

/** One child row of an inline as the form shows it. */
export interface InlineRowState {
  /** The existing child's primary key; undefined for a new row. */
  readonly pk?: string;
  readonly original?: Row;
  readonly raw: Record<string, string>;
  readonly errors: Record<string, string[]>;
  readonly delete: boolean;
}

export interface InlineFormState {
  readonly inline: Inline;
  readonly perms: InlinePerms;
  readonly rows: InlineRowState[];
  /** Errors of the whole inline (too few or too many rows). */
  readonly errors: string[];
}

/** A write an inline asks for, applied in the parent's transaction. */
export type InlineOp = ChildOp;

/** What a blank row's inputs hold: the column defaults that are plain values. */
export function blankRaw(fields: readonly FieldMeta[]): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const f of fields) {
    const d = (f.column as { default?: unknown }).default;
    raw[f.key] =
      d !== undefined && (typeof d !== 'object' || d === null || d instanceof Date) ? toInputValue(f, d) : '';
  }
  return raw;
}

/** The inline as first shown: existing rows, then `extra` blank rows within `max`. */
export function initialInline(inline: Inline, perms: InlinePerms, children: Row[]): InlineFormState {
  const rows: InlineRowState[] = children.map((child) => ({
    pk: String(child[inline.meta.pk!.key]),
    original: child,
    raw: Object.fromEntries(inline.fields.map((f) => [f.key, toInputValue(f, child[f.key])])),
    errors: {},
    delete: false,
  }));
  const extra = perms.add ? Math.max(0, Math.min(inline.extra, inline.max - children.length)) : 0;
  for (let i = 0; i < extra; i++) rows.push({ raw: blankRaw(inline.fields), errors: {}, delete: false });
  return { inline, perms, rows, errors: [] };
}

/**
 * Reads an inline's rows from the form (Django's formset: `choice_set-TOTAL_FORMS`,
 * `choice_set-0-id`, `choice_set-0-choiceText`, `choice_set-0-DELETE`) as the model layer's
 * child items, and the rows as the form shows them again. The rows are checked by the model
 * layer ({@link planChildren}); {@link inlineRowErrors} puts its errors back on them.
 */
export function readInline(
  inline: Inline,
  perms: InlinePerms,
  children: Row[],
  body: FormBody,
): { items: ChildItem[]; state: InlineFormState; rowOf: Map<number, number> } {
  const p = inline.prefix;
  const total = Math.min(Number.parseInt(one(body, `${p}-TOTAL_FORMS`) ?? '0', 10) || 0, MAX_CHILD_ROWS);
  const byPk = new Map(children.map((c) => [String(c[inline.meta.pk!.key]), c]));
  const items: ChildItem[] = [];
  const rows: InlineRowState[] = [];
  const rowOf = new Map<number, number>();
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) {
    const name = (key: string) => `${p}-${i}-${key}`;
    const raw = Object.fromEntries(inline.fields.map((f) => [f.key, one(body, name(f.key)) ?? '']));
    const pk = one(body, name('id')) || undefined;
    const wantsDelete = ['on', '1', 'true'].includes(one(body, name('DELETE')) ?? '');
    items.push({ ...(pk !== undefined ? { id: pk } : {}), values: raw, delete: wantsDelete });
    const original = pk === undefined ? undefined : byPk.get(pk);
    if (pk !== undefined && (!original || seen.has(pk))) continue;
    if (pk !== undefined) seen.add(pk);
    rowOf.set(i, rows.length);
    rows.push({
      ...(pk !== undefined ? { pk } : {}),
      ...(original ? { original } : {}),
      raw: original && !perms.change ? rawOf(inline, original) : raw,
      errors: {},
      delete: Boolean(original) && wantsDelete,
    });
  }
  return { items, state: { inline, perms, rows, errors: [] }, rowOf };
}

/** Puts the model layer's errors about one inline on its rows (or on the inline). */
export function inlineRowErrors(
  state: InlineFormState,
  rowOf: ReadonlyMap<number, number>,
  errors: readonly ModelError[],
): void {
  for (const e of errors) {
    const row = e.child?.row === undefined ? undefined : state.rows[rowOf.get(e.child.row) ?? -1];
    if (!row) {
      state.errors.push(e.field && e.child?.row !== undefined ? `${e.field}: ${e.message}` : e.message);
      continue;
    }
    const key = e.field ?? '__all__';
    row.errors[key] = [...(row.errors[key] ?? []), e.message];
  }
}

function rawOf(inline: Inline, row: Row): Record<string, string> {
  return Object.fromEntries(inline.fields.map((f) => [f.key, toInputValue(f, row[f.key])]));
}

/** True when the inline or any of its rows has an error. */
export function inlineHasErrors(state: InlineFormState): boolean {
  return state.errors.length > 0 || state.rows.some((r) => Object.keys(r.errors).length > 0);
}
