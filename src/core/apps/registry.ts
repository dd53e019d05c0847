import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { indexCheckRules } from '../db/check-rules.js';
import { AppRegistryError } from '../errors.js';
import type { AppManifest, AppRegistry } from './define-app.js';

export type { AppRegistry } from './define-app.js';

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Checks the installed apps and merges their schemas. Fails at boot, naming the app, when a name
 * is malformed or used twice, a dependency is missing or listed after its dependant, or two apps
 * define the same table, export name or check rule.
 */
export function createRegistry(apps: readonly AppManifest[]): AppRegistry {
  const problems: string[] = [];
  const seen = new Set<string>();
  const tables = new Map<string, string>();
  const schema: Record<string, unknown> = {};

  for (const app of apps) {
    if (!NAME.test(app.name)) problems.push(`app "${app.name}": the name must match ${NAME}`);
    if (seen.has(app.name)) problems.push(`app "${app.name}" is installed twice`);
    for (const dep of app.dependencies ?? []) {
      if (!apps.some((a) => a.name === dep))
        problems.push(`app "${app.name}" needs app "${dep}", which is not installed`);
      else if (!seen.has(dep)) problems.push(`app "${app.name}" needs app "${dep}": list "${dep}" before it`);
    }
    seen.add(app.name);

    for (const [key, value] of Object.entries(app.schema ?? {})) {
      if (key in schema)
        problems.push(`app "${app.name}": schema export "${key}" is also exported by another app`);
      schema[key] = value;
      if (!is(value, PgTable)) continue;
      const table = getTableName(value);
      const owner = tables.get(table);
      if (owner) problems.push(`app "${app.name}": table "${table}" is already defined by app "${owner}"`);
      tables.set(table, app.name);
    }
  }
  const checks = indexCheckRules(apps.map((app) => ({ app: app.name, rules: app.checkRules ?? [] })));
  problems.push(...checks.problems);
  if (problems.length > 0)
    throw new AppRegistryError(`installed apps are misconfigured:\n  - ${problems.join('\n  - ')}`);
  return Object.freeze({
    apps: Object.freeze([...apps]),
    schema: Object.freeze(schema),
    checkRules: checks.rules,
  });
}
