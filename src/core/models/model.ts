import type { Row } from '../admin/options.js';
import type { Inline, Registration } from '../admin/registration.js';
import type { AuthUser } from '../auth/request-user.js';
import type { AppDb } from '../db/database.js';
import type { FieldError } from '../errors.js';
import type { FieldMeta } from '../models/fields.js';

/**
 * The model layer's view of a registered model: its table, primary key, child rows (inlines),
 * many-to-many links and the `clean` hook. A registration is one (it resolves these from the
 * schema when the app is installed), so the admin's forms and the API write the same model.
 */
export type Model = Pick<
  Registration,
  | 'app'
  | 'model'
  | 'meta'
  | 'pk'
  | 'label'
  | 'str'
  | 'fieldLabel'
  | 'inlines'
  | 'manyToMany'
  | 'options'
  | 'checkRules'
>;

/** A model's child rows edited with their parent (an inline): the child table and its foreign key. */
export type ChildModel = Inline;

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
