import { MigrationError } from '../../errors.js';
import { type MigrationFile, readMigrationFiles } from './files.js';

/** Where one app keeps its migrations. */
export interface MigrationSource {
  readonly app: string;
  readonly dir: string;
}

/**
 * Every app's migrations, in the order they apply: each after its dependencies (the previous
 * migration of its app, and its `-- depends:` lines), ties broken by the order of `sources`
 * (the installed apps' order) then by number, so the order is the same on every machine.
 *
 * `-- depends:` may name a migration by its number alone (`auth/0001`) when that is unique; the
 * names are returned resolved. A dependency on a migration (or app) that does not exist, and
 * dependencies in a cycle, throw a MigrationError naming them.
 *
 * @example
 *   readAppMigrations([{ app: 'core', dir: 'src/core/db/migrations' }, { app: 'polls', dir: … }])
 *   // [core/0001_touch_updated_at, …, polls/0001_initial, polls/0002_question_pub_date_index]
 */
export function readAppMigrations(sources: readonly MigrationSource[]): MigrationFile[] {
  const files = sources.flatMap((s) => readMigrationFiles(s.dir, s.app));
  return orderMigrations(
    files,
    sources.map((s) => s.app),
  );
}

/** Resolves the dependencies of `files` and sorts them topologically (see readAppMigrations). */
export function orderMigrations(
  files: readonly MigrationFile[],
  appOrder: readonly string[],
): MigrationFile[] {
  const problems: string[] = [];
  const resolved = files.map((file) => ({
    ...file,
    dependencies: file.dependencies.flatMap((dep) => {
      const found = resolveDependency(dep, files);
      if (typeof found === 'string') return [found];
      problems.push(`${file.name} (${file.path}) depends on "${dep}", ${found.why}`);
      return [];
    }),
  }));
  if (problems.length > 0) throw new MigrationError(`migration dependencies: ${problems.join('; ')}`);

  const rank = (f: MigrationFile) => {
    const app = appOrder.indexOf(f.app);
    return [app === -1 ? appOrder.length : app, f.localName] as const;
  };
  const before = (a: MigrationFile, b: MigrationFile) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || (ra[1] < rb[1] ? -1 : ra[1] > rb[1] ? 1 : 0);
  };
  const remaining = new Map(resolved.map((f) => [f.name, new Set(f.dependencies)]));
  const ordered: MigrationFile[] = [];
  while (remaining.size > 0) {
    const ready = resolved
      .filter((f) => remaining.get(f.name)?.size === 0)
      .sort(before)
      .at(0);
    if (!ready) throw new MigrationError(`migrations depend on each other in a cycle: ${cycle(remaining)}`);
    ordered.push(ready);
    remaining.delete(ready.name);
    for (const deps of remaining.values()) deps.delete(ready.name);
  }
  return ordered;
}

function resolveDependency(dep: string, files: readonly MigrationFile[]): string | { why: string } {
  const [app, local] = dep.includes('/') ? dep.split('/', 2) : ['', dep];
  const ofApp = files.filter((f) => f.app === app);
  if (ofApp.length === 0)
    return { why: `but no installed app "${app}" has migrations (write it as <app>/<migration>)` };
  const exact = ofApp.find((f) => f.localName === local);
  if (exact) return exact.name;
  const matches = ofApp.filter((f) => f.localName.startsWith(`${local}_`));
  if (matches.length === 1) return matches[0]!.name;
  if (matches.length > 1) return { why: `which matches ${matches.map((f) => f.name).join(' and ')}` };
  return { why: `which does not exist (${app} has ${ofApp.map((f) => f.localName).join(', ')})` };
}

/** One cycle among migrations still waiting, as `a → b → a`. */
function cycle(waiting: ReadonlyMap<string, ReadonlySet<string>>): string {
  const start = [...waiting.keys()][0]!;
  const path = [start];
  let at = start;
  for (;;) {
    const next = [...(waiting.get(at) ?? [])].find((d) => waiting.has(d))!;
    const seen = path.indexOf(next);
    if (seen !== -1) return [...path.slice(seen), next].join(' → ');
    path.push(next);
    at = next;
  }
}

const CREATES = /\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?public"?\.)?"?(\w+)"?/gi;
const USES =
  /\b(?:REFERENCES|ALTER\s+TABLE(?:\s+ONLY)?(?:\s+IF\s+EXISTS)?|ON)\s+(?:"?public"?\.)?"?(\w+)"?/gi;

/**
 * Migrations that use another app's table (a foreign key to it, an index or trigger on it, an
 * ALTER TABLE) without depending, directly or not, on the migration that creates it: they only
 * run in the right order by chance (the installed apps' order), and would fail if that changed.
 * One line each, with the `-- depends:` line to add. Reported by `slipway check`.
 */
export function undeclaredDependencies(files: readonly MigrationFile[]): string[] {
  const creator = new Map<string, MigrationFile>();
  for (const file of files)
    for (const m of file.sql.matchAll(CREATES)) {
      const table = m[1]!.toLowerCase();
      if (!creator.has(table)) creator.set(table, file);
    }
  const byName = new Map(files.map((f) => [f.name, f]));
  const ancestors = (file: MigrationFile) => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      for (const dep of byName.get(name)?.dependencies ?? [])
        if (!seen.has(dep)) {
          seen.add(dep);
          visit(dep);
        }
    };
    visit(file.name);
    return seen;
  };
  const problems: string[] = [];
  for (const file of files) {
    const needed = new Map<string, string>();
    for (const m of file.sql.replace(/--[^\n]*/g, '').matchAll(USES)) {
      const owner = creator.get(m[1]!.toLowerCase());
      if (owner && owner.app !== file.app && !needed.has(owner.name)) needed.set(owner.name, m[1]!);
    }
    if (needed.size === 0) continue;
    const before = ancestors(file);
    for (const [name, table] of needed)
      if (!before.has(name))
        problems.push(
          `${file.name} uses table "${table}" of ${name} without depending on it: add "-- depends: ${name}" to its header`,
        );
  }
  return problems;
}
