import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { CheckRules } from '../db/check-rules.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import type { ModelDefinition, ModelHooks } from './define-model.js';
import type { FieldMeta, TableMeta } from './fields.js';
import type { UploadOptions } from './upload.js';

/** A row as Drizzle selects it. */
export type Row = Record<string, unknown>;
export type RowOf<T extends PgTable> = T['$inferSelect'];

/** What a user may do with a model's objects; each is a permission (`polls.change_question`). */
export type ModelAction = 'view' | 'add' | 'change' | 'delete';

/** Who acts, with which database handle: what a model's hooks (`deleteBlockers`, actions) receive. */
export interface ActionContext {
  readonly db: AppDb;
  readonly user: AuthUser;
}

/** A row that cannot be deleted, and why: a sentence or two shown as they are. */
export interface DeleteBlocker<R = Row> {
  readonly row: R;
  readonly message: string;
}

/** What `clean` receives: the parsed values, which it may change, and the raw extra inputs. */
export interface CleanInput<R = Row> {
  readonly mode: 'add' | 'change';
  /**
   * For a child row written with its parent (an inline): the key of its foreign key to the
   * parent, which the save sets. `values` holds the parent's id there when the parent exists;
   * when the parent is being added, its id is not known yet and the key is absent.
   */
  readonly parentKey?: string;
  readonly values: Record<string, unknown>;
  readonly extra: Record<string, string>;
  readonly original: R | undefined;
  readonly user: AuthUser;
  readonly db: AppDb;
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
