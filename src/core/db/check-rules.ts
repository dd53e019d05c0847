import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * A CHECK constraint said in words, declared on its app's manifest (`checkRules`). PostgreSQL's
 * refusal (23514) names only the constraint, so without this a user reads "does not satisfy the
 * rule “contacts_email_address_check”". With `validate`, the same rule in JavaScript: forms and
 * the API run it on the column's input before anything is written, so that every refused field
 * is reported at once instead of the first one the database meets.
 *
 * @example
 *   defineApp({ name: 'contacts', …, checkRules: [{
 *     name: 'contacts_email_address_check',
 *     column: email.address,
 *     message: 'Enter a valid e-mail address.',
 *     validate: (text) => (text.includes('@') ? undefined : 'Enter a valid e-mail address.'),
 *   }] });
 */
export interface CheckRule {
  /** The constraint's name, as the table defines it. */
  readonly name: string;
  /** What the user is told when the database refuses a row with this constraint. */
  readonly message: string;
  /** The column the constraint is about (the message then goes on that field); none for a rule on the row. */
  readonly column?: PgColumn;
  /**
   * The rule on the column's input (trimmed, not empty): the error to show, or undefined when
   * the value passes. It must not refuse what the database accepts.
   */
  readonly validate?: (text: string) => string | undefined;
}

/** The installed apps' check rules, by constraint name and by column (`registry.checkRules`). */
export interface CheckRules {
  /** The rule of a constraint name, if any. */
  named(name: string | undefined): CheckRule | undefined;
  /**
   * The rules about one column: their words describe the field (the OpenAPI document), and those
   * with a `validate` run on its input before saving.
   */
  forColumn(column: PgColumn): readonly CheckRule[];
}

/**
 * Indexes the apps' check rules. A constraint name declared by two apps (or twice by one) is a
 * problem, reported with both apps, instead of one rule silently replacing the other.
 *
 * @example
 *   const { rules, problems } = indexCheckRules([{ app: 'contacts', rules: CHECK_RULES }]);
 */
export function indexCheckRules(apps: readonly { app: string; rules: readonly CheckRule[] }[]): {
  rules: CheckRules;
  problems: string[];
} {
  const byName = new Map<string, { app: string; rule: CheckRule }>();
  const problems: string[] = [];
  for (const { app, rules } of apps)
    for (const rule of rules) {
      const earlier = byName.get(rule.name);
      if (earlier)
        problems.push(`app "${app}": check rule "${rule.name}" is already declared by app "${earlier.app}"`);
      else byName.set(rule.name, { app, rule });
    }
  const all = [...byName.values()].map((e) => e.rule);
  return {
    rules: Object.freeze({
      named: (name: string | undefined) => (name === undefined ? undefined : byName.get(name)?.rule),
      forColumn: (column: PgColumn) => all.filter((r) => r.column === column),
    }),
    problems,
  };
}

/** No rules: for code that runs without installed apps. */
export const NO_CHECK_RULES: CheckRules = indexCheckRules([]).rules;
