import { PermissionDeniedError } from '../auth/errors.js';
import { permissionCodename } from '../auth/permissions.js';
import type { AuthUser } from '../auth/request-user.js';
import type { Model, ModelAction, Row } from './model.js';

/** The model permissions a user holds; `change` implies `view`, as in Django. */
export interface ModelPerms {
  readonly view: boolean;
  readonly add: boolean;
  readonly change: boolean;
  readonly delete: boolean;
}

/**
 * What the user may do with a model's objects (or a child model's rows), by its permissions.
 *
 * @example modelPerms(user, questionModel).change // user.hasPerm('polls.change_question')
 */
export function modelPerms(
  user: AuthUser,
  model: { readonly app: string; readonly model: string },
): ModelPerms {
  const has = (action: ModelAction) => user.hasPerm(permissionCodename(model.app, action, model.model));
  const change = has('change');
  return { view: change || has('view'), add: has('add'), change, delete: has('delete') };
}

/** The model permission, then the model's object-level hook (`hasObjectPermission`) for this row. */
export function hasObjectPerm(user: AuthUser, model: Model, action: ModelAction, row: Row): boolean {
  if (!modelPerms(user, model)[action]) return false;
  return model.options.hasObjectPermission
    ? model.options.hasObjectPermission(user, action, row as never)
    : true;
}

/**
 * Throws PermissionDeniedError (403) unless the user holds the model permission (`view` is also
 * granted by `change`): the admin's pages and the API's routes check it the same way.
 *
 * @example requirePerm(user, reg, 'change');
 */
export function requirePerm(
  user: AuthUser,
  model: { readonly app: string; readonly model: string; readonly labelPlural: string },
  action: ModelAction,
): void {
  if (!modelPerms(user, model)[action])
    throw new PermissionDeniedError(
      `You do not have permission to ${action} ${model.labelPlural.toLowerCase()}.`,
    );
}
