import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError } from '../../errors.js';
import { writeAtomically } from '../../fs/write-atomically.js';
import { checkModels, type ModelsOwner, tableNames } from './check-models.js';
import { NO_TRANSACTION_MARKER, nextNumber, readMigrationFiles, realFolder } from './files.js';
import { hasStatements, REVERSE_MARKER } from './migration-text.js';
import { ambiguousRenames, describeChanges } from './schema-diff.js';
import { emptySnapshot, latestSnapshot, migrationSql, modelSnapshot, snapshotPath } from './snapshots.js';

export interface MakeMigrationOptions {
  dir: string;
  schema: Record<string, unknown>;
  /** The app that owns `dir`: names are qualified with it (`polls/0002_x`). */
  app?: string;
  /**
   * The migrations of other apps the new one needs, from its SQL (the tables its foreign keys
   * reference): written as `-- depends:` lines.
   */
  dependsOn?: (forward: string) => string[];
  name?: string | undefined;
  /** Write an empty migration for hand-written SQL (a rename, a trigger), recording the models as they are. */
  empty?: boolean;
}

export type MakeMigrationResult =
  | { created: false }
  | {
      created: true;
      /** The app that owns it; '' for a folder made without an app. */
      app: string;
      /** The file name without `.sql`: `0002_question_slug`. */
      name: string;
      path: string;
      /** What the migration does, as makemigrations prints it: `Add column "polls_question.slug"`. */
      changes: string[];
      /** Whether it was written with `--empty`, for SQL written by hand. */
      empty: boolean;
      /** Whether the file has a reverse section with SQL (an `--empty` one is left to fill by hand). */
      reversible: boolean;
      /** The migration of its app before it, which `slipway migrate` goes back to; undefined for the first. */
      previous: string | undefined;
      /** Differences between the models and the migrations that remain once the file is written. */
      remaining: string[];
    };

const STATEMENT_BREAK = '\n--> statement-breakpoint\n';

/**
 * Writes the next migration from the difference between the models and the newest snapshot.
 * Never prompts: where drizzle-kit would ask "rename or drop and add?", it throws a
 * {@link CommandError} explaining how to write that migration by hand.
 */
export async function makeMigration(options: MakeMigrationOptions): Promise<MakeMigrationResult> {
  const { schema } = options;
  const dir = realFolder(options.dir);
  if (options.name !== undefined && !/^[a-z0-9_]+$/.test(options.name))
    throw new CommandError(`--name "${options.name}": use lower-case letters, digits and underscores`);
  const app = options.app ?? '';
  const files = readMigrationFiles(dir, app);
  const previous = latestSnapshot(dir, files)?.snapshot ?? (await emptySnapshot());
  const current = await modelSnapshot(schema, previous.id);
  const changes = describeChanges(previous, current);

  let forward: string[] = [];
  let reverse: string[] = [];
  if (!options.empty) {
    if (changes.length === 0) return { created: false };
    const ambiguous = ambiguousRenames(previous, current);
    if (ambiguous.length > 0) {
      throw new CommandError(
        `cannot tell a rename from a drop and an add (${ambiguous.join('; ')}). ` +
          'Write this migration by hand: run `slipway makemigrations --empty --name <what_it_does>`, ' +
          'put the SQL in the new file (e.g. ALTER TABLE "t" RENAME COLUMN "old" TO "new";), then run `slipway check`.',
      );
    }
    forward = await migrationSql(previous, current);
    // The same differ, from the new snapshot back to the previous one, writes the way back. A
    // rename is never asked about here: ambiguity is symmetric, and refused above.
    reverse = withoutRlsBeforeDrop(await migrationSql(current, previous));
  }

  const name = `${nextNumber(files)}_${options.name ?? (files.length === 0 ? 'initial' : autoName())}`;
  const depends = options.dependsOn?.(forward.join('\n')) ?? [];
  const header = depends.length > 0 ? `-- depends: ${depends.join(', ')}\n` : '';
  const sql = options.empty
    ? emptyMigration(name, header)
    : generatedMigration(name, header, forward, reverse);

  mkdirSync(join(dir, 'meta'), { recursive: true });
  const path = join(dir, `${name}.sql`);
  writeAtomically(snapshotPath(dir, name), `${JSON.stringify(current, null, 2)}\n`);
  writeAtomically(path, sql);
  const reversible = !options.empty && hasStatements(reverse.join('\n'));
  const remaining = await checkModels(dir, schema, app);
  const empty = Boolean(options.empty);
  const before = files.at(-1)?.localName;
  return { created: true, app, name, path, changes, empty, reversible, previous: before, remaining };
}

/**
 * drizzle-kit writes `ALTER TABLE "t" DISABLE ROW LEVEL SECURITY;` before `DROP TABLE "t"` for
 * a table that never had it enabled: harmless, but noise in a file people read.
 */
function withoutRlsBeforeDrop(statements: string[]): string[] {
  const dropped = new Set(statements.flatMap((s) => /^DROP TABLE ("[^"]+")/.exec(s)?.[1] ?? []));
  return statements.filter((s) => {
    const table = /^ALTER TABLE ("[^"]+") DISABLE ROW LEVEL SECURITY;$/.exec(s.trim())?.[1];
    return table === undefined || !dropped.has(table);
  });
}

function generatedMigration(name: string, header: string, forward: string[], reverse: string[]): string {
  return (
    `-- ${name}: generated by slipway makemigrations.\n${header}${forward.join(STATEMENT_BREAK)}\n\n` +
    `${REVERSE_MARKER}\n-- Undoes the above for \`slipway migrate --to <an earlier migration>\` (generated too).\n` +
    `${reverse.length > 0 ? `${reverse.join(STATEMENT_BREAK)}\n` : ''}`
  );
}

function emptyMigration(name: string, header: string): string {
  return (
    `-- ${name}: write this migration's SQL by hand.\n${header}` +
    "-- Another app's migration it needs first: a line `-- depends: <app>/<migration>` here.\n" +
    `-- It runs in one transaction; the models' snapshot is in meta/${name}.json.\n` +
    `-- (CREATE INDEX CONCURRENTLY cannot: a line "${NO_TRANSACTION_MARKER}" here runs it one statement at a time.)\n\n\n` +
    `${REVERSE_MARKER}\n` +
    '-- Write the SQL that undoes the above here; `slipway migrate --to <an earlier migration>` runs it,\n' +
    '-- in one transaction. Left empty, going back past this migration is refused.\n'
  );
}

function autoName(): string {
  return `auto_${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '_')}`;
}

export interface MakeAppMigrationsOptions {
  /** The installed apps (in their order), with their migrations folders and models. */
  apps: readonly ModelsOwner[];
  /** Only these apps (`slipway makemigrations polls`); all of them when empty. */
  only?: readonly string[];
  name?: string | undefined;
  /** An empty migration for SQL written by hand: needs exactly one app. */
  empty?: boolean;
}

/**
 * makemigrations for the project: for each app whose models differ from the newest snapshot in
 * its migrations folder, writes the next migration there (Django writes one per app too). A
 * foreign key to another app's table makes the migration depend on that app's newest migration.
 * Returns one result per app that got a migration; an empty list when nothing changed.
 */
export async function makeAppMigrations(options: MakeAppMigrationsOptions): Promise<MakeMigrationResult[]> {
  const only = options.only ?? [];
  for (const name of only)
    if (!options.apps.some((a) => a.name === name))
      throw new CommandError(
        `no installed app "${name}": one of ${options.apps.map((a) => a.name).join(', ')}`,
      );
  const chosen = options.apps.filter((a) => only.length === 0 || only.includes(a.name));
  if (options.empty && chosen.length !== 1)
    throw new CommandError(
      '--empty needs the app to write it in: slipway makemigrations --empty <app> --name <name>',
    );
  const owners = new Map(options.apps.flatMap((a) => tableNames(a.schema ?? {}).map((t) => [t, a] as const)));
  const results: MakeMigrationResult[] = [];
  for (const app of chosen) {
    const schema = app.schema ?? {};
    if (!app.migrations) {
      if (tableNames(schema).length > 0)
        throw new CommandError(
          `app "${app.name}" has models but no migrations folder: add migrations: join(import.meta.dirname, 'migrations') to its manifest`,
        );
      continue;
    }
    const dependsOn = (forward: string) => {
      const apps = new Set(
        [...forward.matchAll(/REFERENCES "(?:public"\.")?([^"]+)"/g)].flatMap((m) => {
          const owner = owners.get(m[1]!);
          return owner && owner.name !== app.name && owner.migrations ? [owner] : [];
        }),
      );
      return [...apps].flatMap((owner) => {
        const last = readMigrationFiles(owner.migrations!, owner.name).at(-1);
        return last ? [last.name] : [];
      });
    };
    const result = await makeMigration({
      dir: app.migrations,
      schema,
      app: app.name,
      dependsOn,
      name: options.name,
      empty: Boolean(options.empty),
    });
    if (result.created) results.push(result);
  }
  return results;
}
