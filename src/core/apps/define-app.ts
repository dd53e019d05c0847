import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

/** What an app's routes receive: the booted pieces of the framework. */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly log: Logger;
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
  /** Registers the app's public routes. */
  readonly routes?: (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;
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
