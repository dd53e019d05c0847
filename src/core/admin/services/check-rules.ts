import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * A CHECK constraint said in words. PostgreSQL's refusal (23514) names only the constraint, so
 * without this a user reads "does not satisfy the rule “contacts_email_address_check”". With
 * `validate`, the same rule in JavaScript: the admin's form parser (and so the API) runs it on
 * the column's input before anything is written, so that a form reports every refused field at
 * once instead of the first one the database meets.
 *
 * @example
 *   defineCheckRules([{
 *     name: 'contacts_email_address_check',
 *     column: email.address,
 *     message: 'Enter a valid e-mail address.',
 *     validate: (text) => (text.includes('@') ? undefined : 'Enter a valid e-mail address.'),
 *   }]);
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

const byName = new Map<string, CheckRule>();

/**
 * Gives CHECK constraints their messages (and their JavaScript rules); an app calls it with its
 * tables' constraints when it is installed. Defining a name again replaces its rule.
 */
export function defineCheckRules(rules: readonly CheckRule[]): void {
  for (const rule of rules) byName.set(rule.name, rule);
}

/** The rule defined for a constraint name, if any. */
export function checkRule(name: string | undefined): CheckRule | undefined {
  return name === undefined ? undefined : byName.get(name);
}

/** The rules to run on one column's input before saving. */
export function columnRules(column: PgColumn): CheckRule[] {
  return [...byName.values()].filter((r) => r.column === column && r.validate);
}
