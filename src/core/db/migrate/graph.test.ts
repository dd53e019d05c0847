import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAppMigrations } from './graph.js';

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
});
