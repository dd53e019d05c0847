import { asc, eq } from 'drizzle-orm';
import { permissionCodename } from '../../auth/permissions.js';
import type { AuthUser } from '../../auth/request-user.js';
import type { AppDb } from '../../db/database.js';
import { modelNoun } from '../format.js';
import type { FieldMeta } from '../introspect.js';
import type { Row } from '../options.js';
import type { Inline } from '../registration.js';
import { type FormBody, one, parseField, toInputValue, valueChanged } from './form-values.js';

export interface InlinePerms {
  readonly view: boolean;
  readonly add: boolean;
  readonly change: boolean;
  readonly delete: boolean;
}

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
export type InlineOp =
  | { kind: 'insert'; row: number; values: Record<string, unknown> }
  | {
      kind: 'update';
      row: number;
      pk: unknown;
      original: Row;
      values: Record<string, unknown>;
      changed: string[];
    }
  | { kind: 'delete'; row: number; pk: unknown; original: Row };

/** The child model's own permissions decide what an inline allows, as in Django. */
export function inlinePerms(user: AuthUser, inline: Inline): InlinePerms {
  const has = (action: 'view' | 'add' | 'change' | 'delete') =>
    user.hasPerm(permissionCodename(inline.app, action, inline.model));
  const change = has('change');
  return { view: change || has('view'), add: has('add'), change, delete: has('delete') };
}

/** The parent's existing children, in primary key order. */
export async function loadChildren(db: AppDb, inline: Inline, parentPk: unknown): Promise<Row[]> {
  return (await db
    .select()
    .from(inline.meta.table)
    .where(eq(inline.fk.column, parentPk as never))
    .orderBy(asc(inline.meta.pk!.column))
    .limit(inline.max + 1000)) as Row[];
}

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

/** Rows beyond this are refused outright, whatever TOTAL_FORMS says (Django's absolute_max). */
const ABSOLUTE_MAX = 1000;

/**
 * Parses an inline's rows from the form (Django's formset: `choice_set-TOTAL_FORMS`,
 * `choice_set-0-id`, `choice_set-0-choiceText`, `choice_set-0-DELETE`), checking each row, the
 * user's permissions on the child model and the `min`/`max` counts. Untouched blank rows are
 * skipped.
 */
export function parseInline(
  inline: Inline,
  perms: InlinePerms,
  children: Row[],
  body: FormBody,
): { state: InlineFormState; ops: InlineOp[] } {
  const p = inline.prefix;
  const total = Math.min(Number.parseInt(one(body, `${p}-TOTAL_FORMS`) ?? '0', 10) || 0, ABSOLUTE_MAX);
  const byPk = new Map(children.map((c) => [String(c[inline.meta.pk!.key]), c]));
  const blank = blankRaw(inline.fields);
  const editable = inline.fields.filter((f) => !inline.readonly.has(f.key));
  const rows: InlineRowState[] = [];
  const ops: InlineOp[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  let kept = 0;
  for (let i = 0; i < total; i++) {
    const name = (key: string) => `${p}-${i}-${key}`;
    const raw = Object.fromEntries(inline.fields.map((f) => [f.key, one(body, name(f.key)) ?? '']));
    const rowErrors: Record<string, string[]> = {};
    const pk = one(body, name('id')) || undefined;
    const wantsDelete = ['on', '1', 'true'].includes(one(body, name('DELETE')) ?? '');
    const original = pk === undefined ? undefined : byPk.get(pk);
    if (pk !== undefined && (!original || seen.has(pk))) {
      errors.push(`Row ${i + 1}: that ${inline.label.toLowerCase()} does not belong to this object.`);
      continue;
    }
    if (pk !== undefined) seen.add(pk);
    const state = (extra: Partial<InlineRowState> = {}): InlineRowState => ({
      ...(pk !== undefined ? { pk } : {}),
      ...(original ? { original } : {}),
      raw: original && !perms.change ? rawOf(inline, original) : raw,
      errors: rowErrors,
      delete: wantsDelete,
      ...extra,
    });
    if (original && wantsDelete) {
      if (!perms.delete) rowErrors['__all__'] = ['You may not delete this row.'];
      else ops.push({ kind: 'delete', row: i, pk: original[inline.meta.pk!.key], original });
      rows.push(state());
      continue;
    }
    if (!original && (wantsDelete || editable.every((f) => raw[f.key] === blank[f.key]))) {
      rows.push(state({ delete: false }));
      continue;
    }
    kept++;
    if (original && !perms.change) {
      rows.push(state());
      continue;
    }
    if (!original && !perms.add) {
      rowErrors['__all__'] = [`You may not add ${inline.labelPlural.toLowerCase()}.`];
      rows.push(state());
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const f of editable) {
      const parsed = parseField(f, raw[f.key], original ? 'change' : 'add');
      if (parsed.ok) {
        if (parsed.value !== undefined) values[f.key] = parsed.value;
      } else rowErrors[f.key] = [parsed.error];
    }
    rows.push(state());
    if (Object.keys(rowErrors).length > 0) continue;
    if (original) {
      const changed = editable
        .filter((f) => valueChanged(f, original[f.key], values[f.key]))
        .map((f) => f.key);
      if (changed.length > 0)
        ops.push({ kind: 'update', row: i, pk: original[inline.meta.pk!.key], original, values, changed });
    } else ops.push({ kind: 'insert', row: i, values });
  }
  // Children the form did not mention stay as they are, and count.
  kept += children.filter((c) => !seen.has(String(c[inline.meta.pk!.key]))).length;
  if (kept < inline.min)
    errors.push(`Please submit at least ${inline.min} ${modelNoun(inline, inline.min)}.`);
  if (kept > inline.max) errors.push(`Please submit at most ${inline.max} ${modelNoun(inline, inline.max)}.`);
  return { state: { inline, perms, rows, errors }, ops };
}

function rawOf(inline: Inline, row: Row): Record<string, string> {
  return Object.fromEntries(inline.fields.map((f) => [f.key, toInputValue(f, row[f.key])]));
}

/** True when the inline or any of its rows has an error. */
export function inlineHasErrors(state: InlineFormState): boolean {
  return state.errors.length > 0 || state.rows.some((r) => Object.keys(r.errors).length > 0);
}
