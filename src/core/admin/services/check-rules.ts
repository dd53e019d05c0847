import type { PgColumn } from 'drizzle-orm/pg-core';
import type { CheckRule } from '../../db/check-rules.js';

export type { CheckRule, CheckRules } from '../../db/check-rules.js';

// The rules of the registries created in this process. Apps declare their rules on their
// manifest (`checkRules`); createRegistry indexes them (a name declared twice fails the boot),
// exposes them as `registry.checkRules`, and adds them here. Transitional: the form parser and
// mapDatabaseError still look rules up here until the model layer hands them
// `registry.checkRules`; then this map goes.
const booted = new Map<string, CheckRule>();

/** Adds a registry's rules to those {@link checkRule} and {@link columnRules} read. */
export function useCheckRules(rules: readonly CheckRule[]): void {
  for (const rule of rules) booted.set(rule.name, rule);
}

/** The rule declared for a constraint name, if any. */
export function checkRule(name: string | undefined): CheckRule | undefined {
  return name === undefined ? undefined : booted.get(name);
}

/** The rules to run on one column's input before saving. */
export function columnRules(column: PgColumn): CheckRule[] {
  return [...booted.values()].filter((r) => r.column === column && r.validate);
}
