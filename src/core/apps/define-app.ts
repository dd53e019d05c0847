import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { CheckRule, CheckRules } from '../db/check-rules.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

// This module imports nothing from the parts built on it (the admin, the CLI): they extend the
// manifest and the context with their own fields by declaration merging, as hono's
// ContextVariableMap is extended (`declare module '…/apps/define-app.js' { interface AppManifest
// { admin?: … } }` in admin/site.ts, `commands` in cli/command.ts), so the types have no cycle.

/** The installed apps, checked: what `createRegistry` returns. */
export interface AppRegistry {
  readonly apps: readonly AppManifest[];
  /** Every app's schema exports merged: what Drizzle and drizzle-kit are given. */
  readonly schema: Readonly<Record<string, unknown>>;
  /** Every app's `checkRules`, by constraint name and by column. */
  readonly checkRules: CheckRules;
}

/**
 * What an app's `setup` and `routes` receive: the booted pieces of the framework, plus what the
 * installed apps `provide` (the admin's index, built once at boot).
 */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly log: Logger;
  /** The installed apps: the admin reads every app's registrations and foreign keys from it. */
  readonly registry: AppRegistry;
}

/** An app's manifest, the equivalent of a Django AppConfig. */
export interface AppManifest {
  /** Lower-case identifier; also the prefix of the app's table names (`polls_question`). */
  readonly name: string;
  /** Human name shown in listings. */
  readonly label: string;
  /** Names of the apps this one needs installed before it. */
  readonly dependencies?: readonly string[];
  /** The module exporting the app's Drizzle tables, enums and relations. */
  readonly schema?: Record<string, unknown>;
  /**
   * The app's CHECK constraints said in words (and, with `validate`, checked on forms and API
   * bodies before the database sees them). A constraint name declared by two apps fails the boot.
   */
  readonly checkRules?: readonly CheckRule[];
  /**
   * What the app adds to the context every app's `setup` and `routes` receive, computed once at
   * boot from the registry, before any of them runs (fastify's `decorate`, without a mutable
   * instance). Declare the added fields on {@link AppContext} by declaration merging.
   *
   * @example
   *   provide: (registry) => ({ admin: buildAdminSite(registry) }),
   */
  readonly provide?: (registry: AppRegistry) => Partial<AppContext>;
  /**
   * Adds hooks and decorations to the whole server, before any app's routes (the auth app loads
   * the user and checks CSRF here). Runs in installation order.
   */
  readonly setup?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
  /** Registers the app's routes, in a scope of their own. */
  readonly routes?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
  /**
   * The app's migrations folder, by convention `migrations` next to its app.ts:
   * `migrations: join(import.meta.dirname, 'migrations')`. Its files are `0001_initial.sql`, …;
   * `slipway makemigrations` writes there for changes to this app's tables. None: no migrations.
   */
  readonly migrations?: string;
  /** A folder of static files, served at `/static/<name>/`. */
  readonly staticDir?: string;
  /**
   * Problems with how the app is configured, one line each, reported by `slipway check`. Empty
   * when all is well. `provided` is what the installed apps' `provide` gave, each called once by
   * the check (the admin's index, when its registrations are valid); a `provide` that throws is
   * reported itself (every line of an error's `problems`, else its message).
   */
  readonly checks?: (registry: AppRegistry, provided: Partial<AppContext>) => string[];
  /** Runs after every `migrate`, applied migrations or not (the auth app syncs permissions). */
  readonly afterMigrate?: (ctx: MigrateContext) => Promise<void>;
  /**
   * Creates the app's demo data for `slipway seed --demo`, on a migrated database. Must be
   * idempotent: running it again (or on a database that already has data) changes nothing.
   *
   * @example
   *   seed: ({ database }) => seedDemoPolls(database.db),
   */
  readonly seed?: (ctx: { readonly database: Database }) => Promise<void>;
}

export interface MigrateContext {
  readonly database: Database;
  readonly registry: AppRegistry;
  readonly log: Logger;
}

/**
 * Declares an app. Returns the manifest unchanged; the registry checks it at boot.
 *
 * @example
 *   export default defineApp({ name: 'polls', label: 'Polls', schema });
 */
export function defineApp(manifest: AppManifest): AppManifest {
  return Object.freeze({ ...manifest });
}
