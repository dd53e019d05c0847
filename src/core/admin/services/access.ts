import type { AuthUser } from '../../auth/request-user.js';
import type { AdminAction, Row } from '../options.js';
import type { Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';

/** The model permissions a user holds on a registration; `change` implies `view`, as in Django. */
export interface ModelPerms {
  readonly view: boolean;
  readonly add: boolean;
  readonly change: boolean;
  readonly delete: boolean;
}

/** @example modelPerms(user, reg).change // user.hasPerm('polls.change_question') */
export function modelPerms(user: AuthUser, reg: Registration): ModelPerms {
  const change = user.hasPerm(reg.codename('change'));
  return {
    view: change || user.hasPerm(reg.codename('view')),
    add: user.hasPerm(reg.codename('add')),
    change,
    delete: user.hasPerm(reg.codename('delete')),
  };
}

/** True when the user holds any permission on the model: it then shows in the index. */
export function hasAnyPerm(user: AuthUser, reg: Registration): boolean {
  const p = modelPerms(user, reg);
  return p.view || p.add || p.change || p.delete;
}

/** The model permission, then the registration's object-level hook for this row. */
export function hasObjectPerm(user: AuthUser, reg: Registration, action: AdminAction, row: Row): boolean {
  const perms = modelPerms(user, reg);
  if (!perms[action]) return false;
  return reg.options.hasObjectPermission ? reg.options.hasObjectPermission(user, action, row as never) : true;
}

/** The registrations the user may see, grouped by app in installation order. */
export function visibleApps(
  user: AuthUser,
  index: AdminIndex,
): { app: string; label: string; models: { reg: Registration; perms: ModelPerms }[] }[] {
  const apps = new Map<
    string,
    { app: string; label: string; models: { reg: Registration; perms: ModelPerms }[] }
  >();
  for (const reg of index.registrations) {
    if (!hasAnyPerm(user, reg)) continue;
    const entry = apps.get(reg.app) ?? { app: reg.app, label: reg.appLabel, models: [] };
    entry.models.push({ reg, perms: modelPerms(user, reg) });
    apps.set(reg.app, entry);
  }
  for (const entry of apps.values())
    entry.models.sort((a, b) => a.reg.labelPlural.localeCompare(b.reg.labelPlural));
  return [...apps.values()];
}
