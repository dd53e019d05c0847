import { eq, getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { AppRegistry } from '../apps/define-app.js';
import type { AppDb } from '../db/database.js';
import { groupPermission, permission, userGroup, userPermission } from './schema.js';

export const ACTIONS = ['view', 'add', 'change', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

/** The model name of a table: its name without the app prefix (`polls_question` → `question`). */
export function modelName(app: string, table: PgTable): string {
  const name = getTableName(table);
  return name.startsWith(`${app}_`) ? name.slice(app.length + 1) : name;
}

/** `polls.change_question`: the codename checked for an action on a model. */
export function permissionCodename(app: string, action: Action, model: string): string {
  return `${app}.${action}_${model}`;
}

/** Every (app, model) of the installed apps' tables. */
export function registryModels(registry: AppRegistry): { app: string; model: string }[] {
  return registry.apps.flatMap((app) =>
    Object.values(app.schema ?? {})
      .filter((value): value is PgTable => is(value, PgTable))
      .map((table) => ({ app: app.name, model: modelName(app.name, table) })),
  );
}

/**
 * Creates the view/add/change/delete permissions of every model, or renames them; idempotent.
 * `migrate` runs it after applying migrations, as Django's post_migrate does.
 */
export async function syncPermissions(db: AppDb, registry: AppRegistry): Promise<number> {
  const rows = registryModels(registry).flatMap(({ app, model }) =>
    ACTIONS.map((action) => ({
      codename: permissionCodename(app, action, model),
      name: `Can ${action} ${model.replaceAll('_', ' ')}`,
      app,
      model,
      action,
    })),
  );
  if (rows.length === 0) return 0;
  await db
    .insert(permission)
    .values(rows)
    .onConflictDoUpdate({ target: permission.codename, set: { name: sql`excluded.name` } });
  return rows.length;
}

/** The codenames a user holds directly or through groups (superusers are handled by callers). */
export async function loadUserPermissions(db: AppDb, userId: number): Promise<Set<string>> {
  const direct = db
    .select({ codename: permission.codename })
    .from(userPermission)
    .innerJoin(permission, eq(permission.id, userPermission.permissionId))
    .where(eq(userPermission.userId, userId));
  const viaGroups = db
    .select({ codename: permission.codename })
    .from(userGroup)
    .innerJoin(groupPermission, eq(groupPermission.groupId, userGroup.groupId))
    .innerJoin(permission, eq(permission.id, groupPermission.permissionId))
    .where(eq(userGroup.userId, userId));
  const rows = await direct.union(viaGroups);
  return new Set(rows.map((r) => r.codename));
}
