import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { CheckRules } from '../db/check-rules.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import type { ModelDefinition, ModelHooks } from './define-model.js';
import type { FieldMeta, TableMeta } from './fields.js';
import type { CleanInput, RowOf } from './rows.js';
import type { UploadOptions } from './upload.js';

/** A row as Drizzle selects it. */
export type Row = Record<string, unknown>;

/** What a user may do with a model's objects; each is a permission (`polls.change_question`). */
export type ModelAction = 'view' | 'add' | 'change' | 'delete';

/** Who acts, with which database handle: what a model's hooks (`deleteBlockers`, actions) receive. */
export interface ActionContext {
  readonly db: AppDb;
  readonly user: AuthUser;
}

/**
 * How a bulk action went: `success` (done on the whole selection), `warning` (done on part of it,
 * the message saying how far) or `error` (refused: nothing was changed). The admin flashes the
 * message at that level; the API answers 200 for a success and 409 otherwise.
 *
 * @example
 *   return { level: 'error', message: 'Nothing was changed: select one address per person.' };
 */
export interface ActionResult {
  readonly level: 'success' | 'warning' | 'error';
  readonly message: string;
}

/** A bulk action on selected objects (Django's `actions`): above the admin's changelist, and at `…/actions/<name>/` in the API. */
export interface BulkAction<R = Row> {
  /** The value sent as `action`; letters, digits and underscores. */
  readonly name: string;
  readonly label: string;
  /** The permission the user needs (default 'change'). */
  readonly permission?: ModelAction;
  /**
   * Runs on the selected rows. Returns how it went ({@link ActionResult}); a plain string is the
   * message of a success, and nothing means a success with a generic message. A SlipwayError
   * below 500 thrown from here is a refusal with its message, as if returned with level
   * `error` (the API answers with its status: 409 as an action problem, 422 as a validation
   * problem); any other error goes to the error handler, a 500.
   */
  readonly run: (ctx: ActionContext, rows: R[]) => Promise<ActionResult | string | undefined>;
}

/** A row that cannot be deleted, and why: a sentence or two shown as they are. */
export interface DeleteBlocker<R = Row> {
  readonly row: R;
  readonly message: string;
}

/**
 * The options of a registered model that the model layer reads: its rules, its delete refusals,
 * its file, and which rows and objects a user may reach. The admin's `ModelAdminOptions`
 * extends these with how the model shows (columns, fieldsets, filters…).
 */
export interface ModelOptions<T extends PgTable = PgTable> {
  /**
   * The model's own rules, declared next to its table with defineModel: run on every write,
   * before `clean`. The table must be the registered one.
   */
  readonly model?: ModelDefinition<T>;
  /** Validates and adjusts the values before saving; returns errors by field key (`__all__` for the form). */
  readonly clean?: (
    input: CleanInput<RowOf<T>>,
  ) => Promise<Record<string, string[]> | undefined> | Record<string, string[]> | undefined;
  /**
   * Which of `rows` may not be deleted, with why and what to do instead, for rules that the
   * foreign keys do not show (a trigger refuses to delete a primary address).
   * `rows` is the whole selection, so a rule may depend on what else goes. Every deletion
   * through the model layer asks first: the admin's delete confirmation (one object or a bulk
   * selection) lists them and offers no "Yes, I'm sure", the API's DELETE answers 409 with
   * them, and a parent's write refuses to delete such a row among its children, on that row.
   * Only the model's own rows are asked about, not those a deletion cascades to (deleting
   * their owner). The database should still enforce the rule: this is how it is explained
   * beforehand.
   *
   * @example
   *   deleteBlockers: async (ctx, rows) =>
   *     rows.filter((r) => r.locked).map((row) => ({ row, message: 'This row is locked.' })),
   */
  readonly deleteBlockers?: (
    ctx: ActionContext,
    rows: RowOf<T>[],
  ) => Promise<readonly DeleteBlocker<RowOf<T>>[]>;
  /** Bulk actions on selected objects. */
  readonly actions?: readonly BulkAction<RowOf<T>>[];
  /** A file stored with the object, by its own `store` function (see {@link UploadOptions}). */
  readonly upload?: UploadOptions;
  /** Rows this user may see at all; added to every query of the model. */
  readonly scope?: (user: AuthUser) => SQL | undefined;
  /** Object-level permission, checked after the model permission for one object. */
  readonly hasObjectPermission?: (user: AuthUser, action: ModelAction, row: RowOf<T>) => boolean;
}

/** A many-to-many relation through a link table, resolved. */
export interface ManyToMany {
  readonly key: string;
  readonly label: string;
  readonly help?: string;
  readonly through: PgTable;
  readonly throughMeta: TableMeta;
  /** The link table's column pointing at this model, and the one pointing at the other. */
  readonly ownField: FieldMeta;
  readonly otherField: FieldMeta;
  readonly otherMeta: TableMeta;
  readonly optionLabel?: (row: Row) => string;
}

/**
 * A model's child rows written with their parent (an inline in the admin, a nested array in the
 * API): the child table, its foreign key to the parent, and its rules.
 */
export interface ChildModel {
  readonly meta: TableMeta;
  readonly app: string;
  readonly model: string;
  readonly fk: FieldMeta;
  readonly label: string;
  readonly labelPlural: string;
  /** The child's fields a writer may send. */
  readonly fields: readonly FieldMeta[];
  /** Of those, the ones never written. */
  readonly readonly: ReadonlySet<string>;
  /** Fewest and most rows the parent may keep. */
  readonly min: number;
  readonly max: number;
  /** The installed apps' check rules (`registry.checkRules`), which its rows are parsed against. */
  readonly checkRules: CheckRules;
  /**
   * The child model's own rules (`model` on the inline, else the one its table is registered
   * with): run on each added or changed row, as on the model's own writes.
   */
  readonly hooks: ModelHooks;
  /** The `deleteBlockers` its table is registered with: asked about the rows a write deletes. */
  readonly deleteBlockers: ModelOptions['deleteBlockers'];
}

/**
 * The model layer's view of a registered model: its table, primary key, names, child rows,
 * many-to-many links and options. The admin's `Registration` extends it (it resolves these from
 * the schema when the app is installed), so the admin's forms and the API write the same model.
 */
export interface Model {
  /** The app that owns the table (permissions are `<app>.<action>_<model>`). */
  readonly app: string;
  readonly model: string;
  readonly meta: TableMeta;
  readonly pk: FieldMeta;
  readonly label: string;
  readonly labelPlural: string;
  readonly inlines: readonly ChildModel[];
  readonly manyToMany: readonly ManyToMany[];
  readonly options: ModelOptions;
  /** The installed apps' check rules (`registry.checkRules`): writes are parsed against them. */
  readonly checkRules: CheckRules;
  /** How an object is named (titles, history, refusals). */
  str(row: Row): string;
  fieldLabel(key: string): string;
}

/** Where an installed table belongs: its app and model name. */
export interface TableOwner {
  readonly app: string;
  readonly appLabel: string;
  readonly model: string;
}

/**
 * Every installed table and the registered models among them, as the model layer reads it to
 * plan a deletion and name any row. The admin's index is one (built once at boot).
 */
export interface ModelIndex {
  readonly tables: readonly (TableOwner & { readonly table: PgTable })[];
  forTable(table: PgTable): Model | undefined;
  /** Where a transport shows one object (the admin's change page), for the delete plan's links. */
  objectUrl?(model: Model, pk: unknown): string | undefined;
}

/** Who writes, and with which database handle. */
export interface WriteDeps {
  readonly db: AppDb;
  readonly user: AuthUser;
}

/**
 * One problem with a write: a {@link FieldError} on the object (`field` a column key or null)
 * or, with `child`, on one of its child rows: `child.inline` is the index in the model's
 * `inlines`, `child.row` the index of the row as the caller listed it (none: the whole list).
 */
export interface ModelError extends FieldError {
  readonly child?: { readonly inline: number; readonly row?: number };
}

/** What the user may do with a child model's rows: its own permissions decide, as in Django. */
export interface ChildPerms {
  readonly view: boolean;
  readonly add: boolean;
  readonly change: boolean;
  readonly delete: boolean;
}

/** A write to one child row, applied in the parent's transaction; `row` is its index in the input. */
export type ChildOp =
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

/** A valid write, ready to save: the object's values, the links to set and the child writes. */
export interface Submission {
  readonly values: Record<string, unknown>;
  readonly links: Record<string, Set<string>>;
  /** By inline: `inline` is the index in the model's `inlines`. */
  readonly children: readonly { readonly inline: number; readonly ops: readonly ChildOp[] }[];
  /** The fields the writer could edit: those compared to the original to find what changed. */
  readonly editable: readonly FieldMeta[];
}

/**
 * A list column computed from the row (Django's callable in `list_display`).
 *
 * @example
 *   { key: 'recent', label: 'Published recently?', boolean: true, value: (q) => isRecent(q.pubDate) }
 */
export interface ComputedColumn<R = Row> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: R) => unknown;
  /** Show ✓/✗ instead of the value. */
  readonly boolean?: boolean;
}

/** A list column, resolved: a column of the table or a computed one. */
export interface ListColumn {
  readonly key: string;
  readonly label: string;
  readonly field?: FieldMeta;
  readonly computed?: ComputedColumn;
  readonly boolean: boolean;
  readonly sortable: boolean;
}

export interface OrderTerm {
  readonly field: FieldMeta;
  readonly desc: boolean;
}

/**
 * A model as it is listed: its columns, the fields searched and filtered, its default order and
 * page size. The admin's registration is one (its changelist shows it); the API lists the same.
 */
export interface ListModel extends Model {
  readonly listColumns: readonly ListColumn[];
  readonly searchFields: readonly FieldMeta[];
  readonly filterFields: readonly FieldMeta[];
  readonly ordering: readonly OrderTerm[];
  readonly perPage: number;
}

/** The index of models as lists read it: a foreign key filter orders its choices by the target's ordering. */
export interface ListIndex extends ModelIndex {
  forTable(table: PgTable): ListModel | undefined;
}
