import type { AuthUser } from '../auth/request-user.js';
import type { FieldMeta } from '../models/fields.js';
import type { ChildModel, ListModel, ManyToMany, ModelAction } from '../models/model.js';
import type { InlineOptions, ModelAdminOptions } from './options.js';

/** An inline, resolved: the model layer's child model, with how the admin's form shows it. */
export interface Inline extends ChildModel {
  readonly options: InlineOptions;
  /** The form prefix (`choice_set`), as in Django. */
  readonly prefix: string;
  readonly extra: number;
}

export interface FormSection {
  readonly title?: string;
  readonly description?: string;
  readonly collapsed: boolean;
  readonly fields: readonly FieldMeta[];
  readonly manyToMany: readonly ManyToMany[];
}

/**
 * One registered model, with its options checked and resolved against the table: the model
 * layer's model as it is listed ({@link ListModel}), with how the admin shows it.
 */
export interface Registration extends ListModel {
  /** The app whose admin.ts registered it, and the owning app's label. */
  readonly appLabel: string;
  readonly registeredBy: string;
  readonly options: ModelAdminOptions;
  /** `/admin/polls/question/` */
  readonly url: string;
  readonly inlines: readonly Inline[];
  readonly autocomplete: ReadonlySet<string>;
  /** `polls.change_question` */
  codename(action: ModelAction): string;
  /** The sections of the add/change form for this user, and which fields are read-only. */
  form(user: AuthUser, mode: 'add' | 'change'): { sections: FormSection[]; readonly: ReadonlySet<string> };
}
