import type { PgTable } from 'drizzle-orm/pg-core';
import type { AuthUser } from '../auth/request-user.js';
import type { CheckRules } from '../db/check-rules.js';
import type { ModelHooks } from '../models/define-model.js';
import type { FieldMeta, TableMeta } from '../models/fields.js';
import type { AdminAction, ComputedColumn, InlineOptions, ModelAdminOptions, Row } from './options.js';

/** A changelist column, resolved. */
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

/** An inline, resolved: the child table and its foreign key to the parent. */
export interface Inline {
  readonly options: InlineOptions;
  readonly meta: TableMeta;
  readonly app: string;
  readonly model: string;
  readonly fk: FieldMeta;
  /** The form prefix (`choice_set`), as in Django. */
  readonly prefix: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly fields: readonly FieldMeta[];
  readonly readonly: ReadonlySet<string>;
  readonly min: number;
  readonly max: number;
  readonly extra: number;
  /** The installed apps' check rules (`registry.checkRules`), which its rows are parsed against. */
  readonly checkRules: CheckRules;
  /**
   * The child model's own rules (`model` on the inline, else the one its table is registered
   * with): run on each added or changed row, as on the model's own form.
   */
  readonly hooks: ModelHooks;
  /** The `deleteBlockers` its table is registered with: asked about the rows a write deletes. */
  readonly deleteBlockers: ModelAdminOptions['deleteBlockers'];
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

export interface FormSection {
  readonly title?: string;
  readonly description?: string;
  readonly collapsed: boolean;
  readonly fields: readonly FieldMeta[];
  readonly manyToMany: readonly ManyToMany[];
}

/** One registered model, with its options checked and resolved against the table. */
export interface Registration {
  /** The app that owns the table (URL and permissions), and the app whose admin.ts registered it. */
  readonly app: string;
  readonly appLabel: string;
  readonly registeredBy: string;
  readonly model: string;
  readonly meta: TableMeta;
  readonly pk: FieldMeta;
  readonly options: ModelAdminOptions;
  readonly label: string;
  readonly labelPlural: string;
  /** `/admin/polls/question/` */
  readonly url: string;
  readonly listColumns: readonly ListColumn[];
  readonly searchFields: readonly FieldMeta[];
  readonly filterFields: readonly FieldMeta[];
  readonly ordering: readonly OrderTerm[];
  readonly perPage: number;
  readonly inlines: readonly Inline[];
  readonly manyToMany: readonly ManyToMany[];
  readonly autocomplete: ReadonlySet<string>;
  /** The installed apps' check rules (`registry.checkRules`): its forms and API writes use them. */
  readonly checkRules: CheckRules;
  str(row: Row): string;
  fieldLabel(key: string): string;
  /** `polls.change_question` */
  codename(action: AdminAction): string;
  /** The sections of the add/change form for this user, and which fields are read-only. */
  form(user: AuthUser, mode: 'add' | 'change'): { sections: FormSection[]; readonly: ReadonlySet<string> };
}
