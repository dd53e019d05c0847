import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { AppContext, AppRegistry } from '../apps/define-app.js';
import { modelName } from '../auth/permissions.js';
import { AppRegistryError } from '../errors.js';
import type { ModelIndex, TableOwner } from '../models/model.js';
import { AdminRegistrationError } from './errors.js';
import type { ModelAdminOptions } from './options.js';
import type { Registration } from './registration.js';
import { resolveRegistration } from './resolve-registration.js';

/**
 * What an app's `admin.ts` receives: Django's `admin.site`.
 *
 * @example
 *   export function registerAdmin(site: AdminSite) {
 *     site.register(question, { list: ['questionText', 'pubDate'], search: ['questionText'] });
 *   }
 */
export interface AdminSite {
  register<T extends PgTable>(table: T, options?: ModelAdminOptions<T>): void;
}

declare module '../apps/define-app.js' {
  interface AppManifest {
    /** Registers the app's models in the admin (its `admin.ts`); checked when the server boots. */
    readonly admin?: (site: AdminSite) => void;
  }
  interface AppContext {
    /** Every app's admin registrations, checked; built once at boot by the admin app's `provide`. */
    readonly admin?: AdminIndex;
  }
}

/**
 * The admin index the admin app built at boot, for the routes of the admin and of the API (both
 * read the same one). Throws at boot when the admin app is not installed.
 *
 * @example
 *   const index = adminIndex(ctx);
 */
export function adminIndex(ctx: AppContext): AdminIndex {
  if (!ctx.admin) throw new AppRegistryError('the admin app is not installed, so there is no admin index');
  return ctx.admin;
}

/** The checked registrations of every installed app, and where every installed table lives. */
export interface AdminIndex extends ModelIndex {
  readonly registrations: readonly Registration[];
  get(app: string, model: string): Registration | undefined;
  forTable(table: PgTable): Registration | undefined;
  appLabel(app: string): string;
}

/**
 * Calls every installed app's `admin` hook and checks what they registered. Throws
 * {@link AdminRegistrationError} listing every problem, naming the app and the option: an unknown
 * column, a duplicate registration, an inline without a foreign key to its parent, a table no
 * installed app defines, an autocomplete to a model without search.
 */
export function buildAdminSite(registry: AppRegistry): AdminIndex {
  const owners = new Map<PgTable, TableOwner>();
  for (const app of registry.apps)
    for (const value of Object.values(app.schema ?? {}))
      if (is(value, PgTable))
        owners.set(value, { app: app.name, appLabel: app.label, model: modelName(app.name, value) });

  const problems: string[] = [];
  const registrations: Registration[] = [];
  const registeredBy = new Map<PgTable, string>();
  const registeredOptions = new Map<PgTable, ModelAdminOptions>();
  for (const app of registry.apps) {
    if (!app.admin) continue;
    const site: AdminSite = {
      register(table, options = {}) {
        if (!is(table, PgTable)) {
          problems.push(`app "${app.name}": register() was given something that is not a table (admin.E002)`);
          return;
        }
        const owner = owners.get(table);
        if (!owner) {
          problems.push(
            `app "${app.name}": ${getTableName(table)} is not defined by any installed app (admin.E002)`,
          );
          return;
        }
        const earlier = registeredBy.get(table);
        if (earlier) {
          problems.push(
            `app "${app.name}": ${getTableName(table)} is already registered by app "${earlier}" (admin.E001)`,
          );
          return;
        }
        registeredBy.set(table, app.name);
        const resolved = resolveRegistration(
          {
            table,
            options: options as ModelAdminOptions,
            owner,
            registeredBy: app.name,
            ownerOf: (t) => owners.get(t),
            checkRules: registry.checkRules,
            registeredAs: (t) => registeredOptions.get(t),
          },
          problems,
        );
        if (resolved) registrations.push(resolved);
        if (resolved) registeredOptions.set(table, resolved.options);
      },
    };
    try {
      app.admin(site);
    } catch (error) {
      problems.push(`app "${app.name}": its admin hook threw: ${(error as Error).message}`);
    }
  }

  const byTable = new Map(registrations.map((r) => [r.meta.table, r]));
  for (const r of registrations)
    for (const key of r.autocomplete) {
      const target = r.meta.field(key)!.references!.foreignTable;
      const targetReg = byTable.get(target);
      if (!targetReg || targetReg.searchFields.length === 0)
        problems.push(
          `app "${r.registeredBy}", admin for ${r.meta.tableName}: autocomplete "${key}" needs ${getTableName(target)} registered with search fields (admin.E040)`,
        );
    }
  if (problems.length > 0) throw new AdminRegistrationError(problems);

  const labels = new Map(registry.apps.map((a) => [a.name, a.label]));
  return {
    registrations,
    tables: [...owners].map(([table, owner]) => ({ table, ...owner })),
    get: (app, model) => registrations.find((r) => r.app === app && r.model === model),
    forTable: (table) => byTable.get(table),
    objectUrl: (model, pk) => {
      const reg = byTable.get(model.meta.table);
      return reg && `${reg.url}${encodeURIComponent(String(pk))}/change/`;
    },
    appLabel: (app) => labels.get(app) ?? app,
  };
}
