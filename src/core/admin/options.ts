import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { ModelDefinition } from '../models/define-model.js';
import type { ComputedColumn, ModelOptions, Row } from '../models/model.js';
import type { RowOf } from '../models/rows.js';

/** A column's property name in the table (`questionText`). */
export type ColumnKey<T extends PgTable> = Extract<keyof T['_']['columns'], string>;

/** Child rows edited on the parent's page (Django's TabularInline). */
export interface InlineOptions {
  readonly table: PgTable;
  /**
   * The child model's rules (defineModel), run on each added or changed row. Default: the
   * `model` its table is registered with, so that a rule written once holds on its own form and
   * on every inline.
   */
  readonly model?: ModelDefinition;
  /** The child's foreign key to the parent; found automatically when there is only one. */
  readonly fk?: string;
  /** Fewest child rows the parent may keep (default 0). */
  readonly min?: number;
  /** Most child rows the parent may have (default 1000). */
  readonly max?: number;
  /** Blank rows offered for new children (default 3). */
  readonly extra?: number;
  /** The child's columns shown, in order (default: all but the primary and foreign key). */
  readonly fields?: readonly string[];
  readonly readonly?: readonly string[];
  readonly label?: string;
  readonly labelPlural?: string;
}

/** A many-to-many relation edited through its link table, shown as checkboxes. */
export interface ManyToManyOptions {
  /** The key under which the form shows it (`groups`). */
  readonly key: string;
  /** The link table: one foreign key to this model, one to the related model. */
  readonly through: PgTable;
  readonly label?: string;
  readonly help?: string;
  /** How each related object is named in the list (default: its registration's `str`). */
  readonly optionLabel?: (row: Row) => string;
}

/** Extra, non-column inputs on a form (a password and its confirmation). */
export interface ExtraField {
  readonly key: string;
  readonly label: string;
  readonly type: 'password' | 'text';
  readonly help?: string;
  /** Where it shows: on the add form, the change form or both (default both). */
  readonly on?: 'add' | 'change';
}

/**
 * How a model is published in the REST API (`/api/v1/<app>/<model>/`). Every part left out is
 * what the admin shows, so that a model registered for the admin is in the API as it is on its
 * pages; `api: false` leaves the model out of the API.
 *
 * @example
 *   api: { writable: ['questionText'], ordering: ['pubDate', 'id'], filters: ['pubDate'] }
 */
export interface ApiOptions<T extends PgTable = PgTable> {
  /** Columns in responses (default: every column but `exclude`). */
  readonly fields?: readonly ColumnKey<T>[];
  /** Columns a client with the change permission may write (default: the form's editable fields). */
  readonly writable?: readonly ColumnKey<T>[];
  /** Columns accepted by `?ordering=` (default: the changelist's sortable columns). */
  readonly ordering?: readonly ColumnKey<T>[];
  /** Filters offered as query parameters: some of `filters` (default: all of them). */
  readonly filters?: readonly ColumnKey<T>[];
}

export interface Fieldset<K extends string = string> {
  readonly title?: string;
  readonly description?: string;
  readonly fields: readonly K[];
  /** Starts folded (a `<details>` element). */
  readonly collapsed?: boolean;
}

/**
 * How a model shows in the admin: Django's ModelAdmin options, on top of the model layer's own
 * ({@link ModelOptions}: `model`, `clean`, `deleteBlockers`, `upload`, `actions`, `scope`,
 * `hasObjectPermission`). Every option naming columns is checked at boot.
 */
export interface ModelAdminOptions<T extends PgTable = PgTable> extends ModelOptions<T> {
  /** Singular name (default: the model name humanized). */
  readonly label?: string;
  readonly labelPlural?: string;
  /** Names of columns in forms and headers, e.g. `{ pubDate: 'Date published' }`. */
  readonly labels?: Partial<Record<ColumnKey<T>, string>>;
  /** How an object is named in titles, history and delete pages (default: "Question 7"). */
  readonly str?: (row: RowOf<T>) => string;
  /** Changelist columns: column keys or computed columns. The first one links to the object. */
  readonly list?: readonly (ColumnKey<T> | ComputedColumn<RowOf<T>>)[];
  /** Columns searched case-insensitively with `?q=`. */
  readonly search?: readonly ColumnKey<T>[];
  /** Sidebar filters: boolean, enum, foreign key or date columns. */
  readonly filters?: readonly ColumnKey<T>[];
  /** Default order, e.g. `['-pubDate']`; the primary key is always appended. */
  readonly ordering?: readonly (ColumnKey<T> | `-${ColumnKey<T>}`)[];
  /** Rows per changelist page (default 100). */
  readonly perPage?: number;
  /** Form columns, when not given as fieldsets (default: every column but generated keys). */
  readonly fields?: readonly ColumnKey<T>[];
  readonly fieldsets?: readonly Fieldset<ColumnKey<T> | string>[];
  /** Columns shown but never edited; a function may depend on the user. */
  readonly readonly?: readonly ColumnKey<T>[] | ((user: AuthUser) => readonly ColumnKey<T>[]);
  /** Columns left out of forms entirely (a password hash). */
  readonly exclude?: readonly ColumnKey<T>[];
  readonly inlines?: readonly InlineOptions[];
  readonly manyToMany?: readonly ManyToManyOptions[];
  /** Foreign keys edited with a searchable picker instead of a select. */
  readonly autocomplete?: readonly ColumnKey<T>[];
  readonly extraFields?: readonly ExtraField[];
  /** Links shown above the change form, e.g. a user's "Change password". */
  readonly objectTools?: (row: RowOf<T>, base: string) => readonly { label: string; href: string }[];
  /** How the model is published in the REST API; `false` leaves it out (see {@link ApiOptions}). */
  readonly api?: false | ApiOptions<T>;
}
