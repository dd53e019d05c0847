import { eq } from 'drizzle-orm';
import type { AppDb } from '../db/database.js';
import type { FieldMeta } from '../models/fields.js';
import { checkConstraintProblems } from './check-constraints.js';
import { type ChildItem, childPerms, loadChildren, planChildren } from './children.js';
import { unknownIds } from './links.js';
import type { ChildOp, Model, ModelError, Row, Submission, WriteDeps } from './model.js';
import { jsonText, parseField, plainDefault, valueChanged } from './values.js';

/** A write to a model as a transport hands it over: a form's text inputs or an API's JSON. */
export interface ObjectInput {
  /** `text`: inputs as typed in a form; `json`: JSON values (instants with any offset, booleans). */
  readonly source: 'text' | 'json';
  /** The fields this writer may edit (the others keep their value). */
  readonly editable: readonly FieldMeta[];
  /** Inputs by field key; a key left out keeps the object's value, or takes the column default. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Related ids to link, by many-to-many key; a key left out keeps the links as they are. */
  readonly links: Readonly<Record<string, readonly string[]>>;
  /** Child rows by inline index (in the model's `inlines`); an inline left out keeps its rows. */
  readonly children: ReadonlyMap<number, readonly ChildItem[]>;
  /** The existing children by inline index, when the caller loaded them already. */
  readonly existing?: ReadonlyMap<number, readonly Row[]>;
  /** Inputs that are not columns (a password and its confirmation), for `clean`. */
  readonly extra: Readonly<Record<string, string>>;
}

const INVALID_CHOICE = 'Select a valid choice. That choice is not one of the available choices.';

/**
 * Validates a write to a model, whichever transport it came by:
 * 1. each editable field is parsed against its column ({@link parseField});
 * 2. foreign keys and many-to-many ids must name existing rows;
 * 3. each inline's rows are planned ({@link planChildren}: permissions, min/max);
 * 4. the model's hooks (defineModel) and the registration's `clean` run, even when fields
 *    failed, so every problem shows at once (as Django's Model.clean); they may adjust values.
 * Returns the submission to save, or every problem as {@link ModelError}s.
 *
 * @example
 *   const result = await validateObject({ db, user }, questionModel, undefined, {
 *     source: 'json', editable, values: { questionText: 'Why?' }, links: {}, children: new Map(), extra: {},
 *   });
 */
export async function validateObject(
  deps: WriteDeps,
  model: Model,
  original: Row | undefined,
  input: ObjectInput,
): Promise<{ ok: true; submission: Submission } | { ok: false; errors: ModelError[] }> {
  const mode = original ? 'change' : 'add';
  const errors: ModelError[] = [];
  const values: Record<string, unknown> = {};
  for (const f of input.editable) {
    const given = f.key in input.values;
    const raw =
      input.source === 'text' && given
        ? String(input.values[f.key] ?? '')
        : jsonText(f, given ? input.values[f.key] : original ? original[f.key] : plainDefault(f));
    const parsed = parseField(f, raw, mode, model.checkRules);
    if (!parsed.ok) errors.push({ field: f.key, message: parsed.error });
    else if (parsed.value !== undefined) values[f.key] = parsed.value;
  }
  const failed = new Set(errors.map((e) => e.field));
  for (const f of input.editable) {
    const value = values[f.key];
    if (!f.references || value === null || value === undefined || failed.has(f.key)) continue;
    if (!(await relatedExists(deps.db, f, value))) errors.push({ field: f.key, message: INVALID_CHOICE });
  }

  const links: Record<string, Set<string>> = {};
  for (const m of model.manyToMany) {
    const ids = input.links[m.key];
    if (ids === undefined) continue;
    links[m.key] = new Set(ids);
    if ((await unknownIds(deps.db, m, ids)).length > 0)
      errors.push({
        field: m.key,
        message: 'Select a valid choice. One of the choices is not one of the available choices.',
      });
  }

  const children: { inline: number; ops: ChildOp[] }[] = [];
  for (const [i, child] of model.inlines.entries()) {
    const perms = childPerms(deps.user, child);
    if (!perms.view && !perms.add) continue;
    const existing =
      input.existing?.get(i) ?? (original ? await loadChildren(deps.db, child, original[model.pk.key]) : []);
    const planned = planChildren(child, i, perms, existing, input.children.get(i) ?? [], input.source);
    errors.push(...planned.errors);
    const parentPk = original?.[model.pk.key];
    const ops = await cleanChildren(deps, child, i, parentPk, planned.ops, errors);
    await refuseBlockedDeletes(deps, child, i, ops, errors);
    children.push({ inline: i, ops });
  }

  const cleanInput = {
    mode,
    values,
    extra: { ...input.extra },
    original: original as never,
    user: deps.user,
    db: deps.db,
  } as const;
  // The model's own rules (declared next to its table), then the registration's clean hook.
  for (const e of (await model.options.model?.hooks.clean?.(cleanInput)) ?? []) errors.push(e);
  if (model.options.clean) {
    const more = await model.options.clean(cleanInput);
    for (const [key, messages] of Object.entries(more ?? {}))
      for (const message of messages) errors.push({ field: key === '__all__' ? null : key, message });
  }
  // Last, as Django's validate_constraints: the table's CHECKs asked of the database with the
  // values the hooks left (each rule written once, in SQL), on the fields that passed so far.
  const refused = await checkConstraintProblems(
    deps.db,
    model.meta,
    model.label,
    model.fieldLabel,
    { ...original, ...values },
    new Set(errors.map((e) => e.field)),
    model.checkRules,
  );
  // A hook that says the same rule first (contacts' one owner) is not repeated.
  for (const e of refused)
    if (!errors.some((o) => o.field === e.field && o.message === e.message)) errors.push(e);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, submission: { values, links, children, editable: input.editable } };
}

/**
 * Runs the child model's own hooks (its `clean`, as on its own form) on each row to add or
 * change: `values` holds the row's values and the foreign key to the parent (absent while the
 * parent is being added; `parentKey` names it). A hook may adjust the values; a change it makes
 * void is dropped. Then the child table's CHECKs are asked of the database with the row's values
 * ({@link checkConstraintProblems}). Problems go to the row, on the field when the inline shows it.
 */
async function cleanChildren(
  deps: WriteDeps,
  child: Model['inlines'][number],
  inline: number,
  parentPk: unknown,
  ops: readonly ChildOp[],
  errors: ModelError[],
): Promise<ChildOp[]> {
  const clean = child.hooks.clean;
  const fk = child.fk.key;
  const shown = new Set(child.fields.map((f) => f.key));
  const kept: ChildOp[] = [];
  for (const op of ops) {
    if (op.kind === 'delete') {
      kept.push(op);
      continue;
    }
    const values: Record<string, unknown> = { ...op.values };
    if (parentPk !== undefined) values[fk] = parentPk;
    const at = { inline, row: op.row };
    const problems =
      (await clean?.({
        mode: op.kind === 'insert' ? 'add' : 'change',
        values,
        extra: {},
        original: op.kind === 'update' ? (op.original as never) : undefined,
        user: deps.user,
        db: deps.db,
        parentKey: fk,
      })) ?? [];
    // Then the child table's CHECKs, asked of the database as for the object itself.
    const ownErrors = errors.filter((e) => e.child?.inline === inline && e.child.row === op.row);
    const refused = await checkConstraintProblems(
      deps.db,
      child.meta,
      child.label,
      (k) => child.meta.field(k)?.label ?? k,
      { ...(op.kind === 'update' ? op.original : {}), ...values },
      new Set([...ownErrors, ...problems].map((e) => e.field)),
      child.checkRules,
    );
    for (const e of [...problems, ...refused]) {
      const error = { field: e.field !== null && shown.has(e.field) ? e.field : null, message: e.message };
      if (
        !errors.some(
          (o) =>
            o.child?.row === op.row &&
            o.child.inline === inline &&
            o.field === error.field &&
            o.message === error.message,
        )
      )
        errors.push({ ...error, child: at });
    }
    delete values[fk];
    if (op.kind === 'insert') {
      kept.push({ ...op, values });
      continue;
    }
    const changed = child.fields
      .filter((f) => f.key in values && valueChanged(f, op.original[f.key], values[f.key]))
      .map((f) => f.key);
    if (changed.length > 0) kept.push({ ...op, values, changed });
  }
  return kept;
}

/**
 * Asks the child model's `deleteBlockers` (a primary address) about the rows the write deletes:
 * each refusal goes on its row, in the words of the one hook the delete pages use too.
 */
async function refuseBlockedDeletes(
  deps: WriteDeps,
  child: Model['inlines'][number],
  inline: number,
  ops: readonly ChildOp[],
  errors: ModelError[],
): Promise<void> {
  const deletes = ops.flatMap((op) => (op.kind === 'delete' ? [op] : []));
  if (!child.deleteBlockers || deletes.length === 0) return;
  const key = child.meta.pk!.key;
  const blockers = await child.deleteBlockers(
    { db: deps.db, user: deps.user },
    deletes.map((op) => op.original as never),
  );
  for (const { row, message } of blockers) {
    const op = deletes.find((d) => String(d.original[key]) === String((row as Row)[key]));
    errors.push({ field: null, message, child: op ? { inline, row: op.row } : { inline } });
  }
}

async function relatedExists(db: AppDb, field: FieldMeta, value: unknown): Promise<boolean> {
  const ref = field.references!;
  const rows = await db
    .select()
    .from(ref.foreignTable)
    .where(eq(ref.foreignColumns[0]!, value as never))
    .limit(1);
  return rows.length > 0;
}
