import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import pg from 'pg';
import { installedApps } from '../../apps/installed.js';
import { projectMigrations } from '../apps/project-migrations.js';
import type { MigrationFile } from '../db/migrate/files.js';
import { splitMigration } from '../db/migrate/migration-text.js';
import { projectRoot } from '../paths.js';

/**
 * Template databases, so that a test file copies a database instead of building one:
 *
 * - an empty PGlite folder (initdb takes seconds; a folder copy a fraction of one);
 * - a migrated one, on each engine: every installed app's migrations applied and its permissions
 *   created, as `slipway migrate` leaves a new database. On PostgreSQL it is a template database
 *   (`CREATE DATABASE … TEMPLATE`), on PGlite a folder.
 *
 * The migrated template's name carries a hash of the migrations (names and checksums) and of the
 * files that define the installed models and their permissions, so a new or edited migration or
 * model gets a new template and a stale one is never used. The hash reads files only (every
 * `migrations/*.sql` under src/, whichever app it belongs to), so a run whose template exists
 * starts at once. `globalSetup.ts` builds them once per
 * run before any worker starts; a worker that finds one missing (a run without the global setup)
 * builds it itself. Builds go to a temporary name and are renamed into place, so two runs
 * building at once never see half a template.
 */

/** The migrations the test databases get: the installed apps', as `slipway migrate` applies them. */
export function testMigrations(): MigrationFile[] {
  return projectMigrations(installedApps);
}

/**
 * Every migration file under src/ (each app's `migrations/` folder, and the core's), by path:
 * what the template's hash covers, read without importing the apps.
 */
function migrationFilesOnDisk(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) migrationFilesOnDisk(path, found);
    else if (entry.name.endsWith('.sql') && dir.endsWith(`${sep}migrations`)) found.push(path);
  }
  return found;
}

/**
 * The hash in a migrated template's name: of the migrations, and of what decides the rows
 * `afterMigrate` adds (the installed apps, their manifests and models, the permission names).
 */
export function templateKey(): string {
  const hash = createHash('sha256').update('slipway-test-template-v3\0');
  const src = join(projectRoot, 'src');
  for (const path of migrationFilesOnDisk(src))
    hash.update(`${relative(src, path)}\0${splitMigration(readFileSync(path, 'utf8')).checksum}\0`);
  for (const path of modelFiles(src))
    hash
      .update(`${relative(src, path)}\0`)
      .update(readFileSync(path))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** src/apps/installed.ts, every app.ts and schema.ts, and the permissions' naming, sorted. */
function modelFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) modelFiles(path, found);
    else if (['app.ts', 'schema.ts', 'installed.ts', 'permissions.ts'].includes(entry.name)) found.push(path);
  }
  return found;
}

const pgliteVersion = () =>
  (
    JSON.parse(
      readFileSync(join(projectRoot, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;

/** An empty PGlite folder, made once per PGlite version. */
export async function emptyPgliteTemplate(): Promise<string> {
  const template = join(tmpdir(), `slipway-pglite-template-${pgliteVersion()}`);
  if (existsSync(template)) return template;
  return buildFolder(template, async (dir) => {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({ dataDir: dir });
    await db.close();
  });
}

/** A migrated PGlite folder (see above), made once per version of PGlite, migrations and models. */
export async function migratedPgliteTemplate(): Promise<string> {
  const template = join(tmpdir(), `slipway-pglite-migrated-${pgliteVersion()}-${templateKey()}`);
  if (existsSync(template)) return touched(template);
  const empty = await emptyPgliteTemplate();
  pruneFolders('slipway-pglite-migrated-', template);
  return buildFolder(template, async (dir) => {
    cpSync(empty, dir, { recursive: true });
    await migrateInto(`pglite://${dir}`);
  });
}

/**
 * The migrated template database on the server of `serverUrl` (see above). It accepts no
 * connections, so nothing can stop `CREATE DATABASE … TEMPLATE` from copying it.
 */
export async function migratedServerTemplate(serverUrl: string): Promise<string> {
  const name = `slipway_tpl_${templateKey()}`;
  const exists = async () =>
    (await adminQuery(serverUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
  if (await exists()) return name;
  await pruneServerTemplates(serverUrl, name);
  const building = `slipway_tplbuild_${randomBytes(4).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${building}"`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${building}`;
    await migrateInto(url.toString());
    await adminQuery(
      serverUrl,
      `COMMENT ON DATABASE "${building}" IS 'slipway test template built ${Date.now()}'`,
    );
    await adminQuery(serverUrl, `ALTER DATABASE "${building}" RENAME TO "${name}"`);
    await adminQuery(serverUrl, `ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } catch (error) {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    if (!(await exists())) throw error; // else another run built it first: use theirs
  }
  return name;
}

/** Runs one statement on the server's maintenance database (the one in `serverUrl`). */
export async function adminQuery(serverUrl: string, sql: string, params?: unknown[]): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Migrates the database at `url` as `slipway migrate` does. Imports the app only now. */
async function migrateInto(url: string): Promise<void> {
  const [
    { default: pino },
    { installedApps },
    { migrateApps },
    { createRegistry },
    { loadConfig },
    { openDatabase },
  ] = await Promise.all([
    import('pino'),
    import('../../apps/installed.js'),
    import('../apps/migrate-apps.js'),
    import('../apps/registry.js'),
    import('../config/index.js'),
    import('../db/open-database.js'),
  ]);
  const config = loadConfig({ env: { DATABASE_URL: url }, requireSecretKey: false }).database;
  const log = pino({ level: 'silent' });
  const registry = createRegistry(installedApps);
  const database = await openDatabase(config, { log, schema: registry.schema, role: 'client' });
  try {
    await migrateApps(database, registry, testMigrations(), { log });
  } finally {
    await database.close();
  }
}

/** Marks a template as used now, so that pruning leaves it alone. */
function touched(path: string): string {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // read-only: pruning may see an older time
  }
  return path;
}

/** Builds a folder under a temporary name and renames it into place (atomic). */
async function buildFolder(target: string, build: (dir: string) => Promise<void>): Promise<string> {
  const building = mkdtempSync(`${target}.building-`);
  try {
    await build(join(building, 'db'));
    renameSync(join(building, 'db'), target);
  } catch (error) {
    if (!existsSync(target)) throw error; // else another worker or run won the race: use theirs
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return target;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Removes migrated PGlite templates of other migrations not used for an hour (each copy touches
 * its template, so a run still going keeps its own). Each is tens of megabytes.
 */
function pruneFolders(prefix: string, keep: string): void {
  for (const entry of readdirSync(tmpdir())) {
    const path = join(tmpdir(), entry);
    if (!entry.startsWith(prefix) || path === keep || entry.includes('.building-')) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > HOUR_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}

async function pruneServerTemplates(serverUrl: string, keep: string): Promise<void> {
  const rows = (await adminQuery(
    serverUrl,
    "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname LIKE 'slipway\\_tpl\\_%' AND datname <> $1",
    [keep],
  )) as { datname: string; comment: string | null }[];
  for (const { datname, comment } of rows) {
    const built = Number(comment?.match(/built (\d+)/)?.[1] ?? 0);
    if (Date.now() - built < DAY_MS) continue;
    try {
      await adminQuery(serverUrl, `ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${datname}"`);
    } catch {
      // in use by another run right now: next time
    }
  }
}
