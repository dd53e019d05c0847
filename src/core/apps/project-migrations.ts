import { join } from 'node:path';
import type { MigrationFile } from '../db/migrate/files.js';
import { type MigrationSource, readAppMigrations } from '../db/migrate/graph.js';
import { MigrationError } from '../errors.js';
import type { AppManifest } from './define-app.js';

/**
 * The core's own migrations (app label `core`): database functions and tables that every app
 * may use, such as `slipway_touch_updated_at()` (core/db/columns.ts) and the media deletion queue.
 * They apply before any app's, and an app's migration that uses one says so with
 * `-- depends: core/0001_touch_updated_at`.
 */
export const CORE_MIGRATIONS: MigrationSource = {
  app: 'core',
  dir: join(import.meta.dirname, '..', 'db', 'migrations'),
};

/** Where each installed app keeps its migrations: the core's first, then the apps' in their order. */
export function migrationSources(apps: readonly AppManifest[]): MigrationSource[] {
  const named = apps.find((a) => a.name === CORE_MIGRATIONS.app);
  if (named)
    throw new MigrationError(`app "${named.name}": the name is the core's migrations' label; rename the app`);
  return [
    CORE_MIGRATIONS,
    ...apps.flatMap((a) => (a.migrations ? [{ app: a.name, dir: a.migrations }] : [])),
  ];
}

/**
 * Every migration of the core and of `apps`, in the order `slipway migrate` applies them (see
 * readAppMigrations: dependencies first, then the installed order).
 *
 * @example
 *   projectMigrations(ctx.registry().apps).map((f) => f.name);
 *   // ['core/0001_touch_updated_at', 'core/0002_deleted_media', 'auth/0001_initial', …]
 */
export function projectMigrations(apps: readonly AppManifest[]): MigrationFile[] {
  return readAppMigrations(migrationSources(apps));
}
