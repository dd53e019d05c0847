import type { AuthUser } from '../../auth/request-user.js';
import { type ModelPerms, modelPerms } from '../../models/permissions.js';
import type { Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';

/** True when the user holds any permission on the model: it then shows in the index. */
export function hasAnyPerm(user: AuthUser, reg: Registration): boolean {
  const p = modelPerms(user, reg);
  return p.view || p.add || p.change || p.delete;
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
