import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../../apps/installed.js';
import { projectMigrations } from '../../apps/project-migrations.js';
import { readAppMigrations, undeclaredDependencies } from './graph.js';

/** Folders of apps, each `{ app: { '0001_x': 'SQL' } }`, as migration sources in that order. */
function sources(apps: Record<string, Record<string, string>>) {
  const root = mkdtempSync(join(tmpdir(), 'slipway-graph-'));
  return Object.entries(apps).map(([app, migrations]) => {
    const dir = join(root, app, 'migrations');
    mkdirSync(dir, { recursive: true });
    for (const [name, sql] of Object.entries(migrations)) writeFileSync(join(dir, `${name}.sql`), sql);
    return { app, dir };
  });
}
const order = (apps: Record<string, Record<string, string>>) =>
  readAppMigrations(sources(apps)).map((f) => f.name);

describe('the order of the apps’ migrations', () => {
  it('follows each app’s numbers, then the installed order, and puts declared dependencies first', () => {
    expect(order({ a: { '0001_x': '', '0002_y': '' }, b: { '0001_x': '' } })).toEqual([
      'a/0001_x',
      'a/0002_y',
      'b/0001_x',
    ]);
    // a/0002 needs b's table: b/0001 moves before it, by a number alone.
    const files = readAppMigrations(
      sources({ a: { '0001_x': '', '0002_y': '-- depends: b/0001\nSELECT 1;' }, b: { '0001_x': '' } }),
    );
    expect(files.map((f) => f.name)).toEqual(['a/0001_x', 'b/0001_x', 'a/0002_y']);
    expect(files[2]!.dependencies).toEqual(['a/0001_x', 'b/0001_x']);
  });

  it('names a dependency that does not exist, and a cycle', () => {
    expect(() => order({ a: { '0001_x': '-- depends: b/0001_x\n' } })).toThrow(
      /: a\/0001_x \(.*0001_x\.sql\) depends on "b\/0001_x", but no installed app "b" has migrations/,
    );
    expect(() => order({ a: { '0001_x': '-- depends: a/0009\n' } })).toThrow(
      /depends on "a\/0009", which does not exist \(a has 0001_x\)/,
    );
    expect(() =>
      order({ a: { '0001_x': '-- depends: b/0001_x\n' }, b: { '0001_x': '-- depends: a/0001_x\n' } }),
    ).toThrow('migrations depend on each other in a cycle: a/0001_x → b/0001_x → a/0001_x');
  });

  it('names a migration that uses another app’s table without depending on it', () => {
    const a = { '0001_x': 'CREATE TABLE "a_t" (id serial PRIMARY KEY);' };
    const fk =
      'CREATE TABLE "b_t" (id int);\nALTER TABLE "b_t" ADD CONSTRAINT "f" FOREIGN KEY ("id") REFERENCES "public"."a_t"("id");';
    expect(undeclaredDependencies(readAppMigrations(sources({ a, b: { '0001_y': fk } })))).toEqual([
      'b/0001_y uses table "a_t" of a/0001_x without depending on it: add "-- depends: a/0001_x" to its header',
    ]);
    const declared = { '0001_y': `-- depends: a/0001_x\n${fk}` };
    expect(undeclaredDependencies(readAppMigrations(sources({ a, b: declared })))).toEqual([]);
    // Through another migration of its app that depends on it, as for a trigger ON the table.
    const later = { ...declared, '0002_z': 'CREATE INDEX "i" ON "a_t" (id);' };
    expect(undeclaredDependencies(readAppMigrations(sources({ a, b: later })))).toEqual([]);
  });

  it('finds none in the shipped migrations', () => {
    expect(undeclaredDependencies(projectMigrations(installedApps))).toEqual([]);
  });
});
