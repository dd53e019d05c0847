import type { FastifyInstance } from 'fastify';
import type { AdminSite } from '../admin/site.js';
import type { Command } from '../cli/command.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import type { AppRegistry } from './registry.js';

/** What an app's routes receive: the booted pieces of the framework. */
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
   * Adds hooks and decorations to the whole server, before any app's routes (the auth app loads
   * the user and checks CSRF here). Runs in installation order.
   */
  readonly setup?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
  /** Registers the app's routes, in a scope of their own. */
  readonly routes?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
  /** A folder of static files, served at `/static/<name>/`. */
  readonly staticDir?: string;
  /** The app's CLI commands (`slipway <name>`). */
  readonly commands?: readonly Command[];
  /**
   * Problems with how the app is configured, one line each, reported by `slipway check` (the
   * admin checks every registration here). Empty when all is well.
   */
  readonly checks?: (registry: AppRegistry) => string[];
  /** Runs after every `migrate`, applied migrations or not (the auth app syncs permissions). */
  readonly afterMigrate?: (ctx: MigrateContext) => Promise<void>;
  /** Registers the app's models in the admin (its `admin.ts`); checked when the server boots. */
  readonly admin?: (site: AdminSite) => void;
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
