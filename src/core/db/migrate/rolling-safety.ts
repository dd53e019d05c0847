import { type MigrationFile, NO_TRANSACTION_MARKER } from './files.js';

/**
 * What a migration must not do while the previous release still serves (a rolling update runs
 * old code against the new schema), or what locks a busy table, and how to write it instead, as
 * Rails' strong_migrations and squawk say it. Each rule has an id; a reviewed exception is a
 * comment in the migration: `-- slipway:allow drop-column (the last release that read it is gone)`.
 */
export const ROLLING_RULES = {
  'drop-column': {
    pattern: /\bALTER\s+TABLE\b[\s\S]*\bDROP\s+COLUMN\b/i,
    problem: 'drops a column, which the running release may still read or write',
    instead:
      'contract in two releases: first ship models that no longer use the column, then drop it in a later release',
  },
  'drop-table': {
    pattern: /\bDROP\s+TABLE\b/i,
    problem: 'drops a table, which the running release may still query',
    instead: 'first ship a release that no longer uses the table, then drop it in a later release',
  },
  rename: {
    pattern: /\bALTER\s+TABLE\b[\s\S]*\bRENAME\b/i,
    problem: 'renames a column or table: the running release still uses the old name',
    instead:
      'expand and contract: add the new one, write both, backfill, switch reads in a release, drop the old one later',
  },
  'not-null-without-default': {
    pattern: /\bADD\s+COLUMN\b(?![\s\S]*\bDEFAULT\b)[\s\S]*\bNOT\s+NULL\b/i,
    problem: "adds a NOT NULL column without a DEFAULT: the running release's inserts leave it out and fail",
    instead: 'add it with a DEFAULT, or nullable, and make it NOT NULL once every release writes it',
  },
  'change-type': {
    pattern: /\bALTER\s+COLUMN\b[\s\S]*\b(SET\s+DATA\s+)?TYPE\b/i,
    problem:
      "changes a column's type: rewrites and locks the table, and the running release expects the old type",
    instead: 'add a column of the new type, backfill it, switch reads and writes, drop the old one later',
  },
  'constraint-without-not-valid': {
    pattern: /\bADD\s+CONSTRAINT\b[\s\S]*\b(FOREIGN\s+KEY|CHECK)\b(?![\s\S]*\bNOT\s+VALID\b)/i,
    problem: 'adds a FOREIGN KEY or CHECK that scans an existing table under a lock',
    instead: 'add it NOT VALID, then `ALTER TABLE … VALIDATE CONSTRAINT …` in a later migration',
  },
  'index-not-concurrently': {
    pattern: /\bCREATE\s+(UNIQUE\s+)?INDEX\b(?!\s+CONCURRENTLY)/i,
    problem:
      'creates an index on an existing table without CONCURRENTLY, blocking its writes while it builds',
    instead: `CREATE INDEX CONCURRENTLY, in a migration of its own marked "${NO_TRANSACTION_MARKER}"`,
  },
  'concurrently-in-transaction': {
    pattern: /\b(CREATE\s+(UNIQUE\s+)?|DROP\s+)INDEX\s+CONCURRENTLY\b/i,
    problem: 'builds or drops an index CONCURRENTLY in a transaction, which PostgreSQL refuses',
    instead: `mark the migration "${NO_TRANSACTION_MARKER}" (a line in its header), so it runs one statement at a time outside a transaction, still under the migration lock`,
  },
} as const;

export type RollingRule = keyof typeof ROLLING_RULES;

const ALLOW = /--\s*slipway:allow\s+([a-z-]+)/gi;
const NO_TRANSACTION = /^--\s*slipway:no-transaction\b/m;
const CREATED_TABLE = /\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?[\w.]+"?(?:\."?\w+"?)?)/gi;
const TARGET_TABLE = /\b(?:ALTER\s+TABLE|ON)\s+(?:ONLY\s+)?(?:IF\s+EXISTS\s+)?("?[\w]+"?(?:\."?\w+"?)?)/i;

const bare = (name: string) => name.replaceAll('"', '').split('.').at(-1)!.toLowerCase();

/** The statements of a migration, comments removed (drizzle's `--> statement-breakpoint` too). */
function statements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The problems of one migration for a rolling deploy, one line each: the migration, the rule's id,
 * what goes wrong and what to write instead. A statement on a table created in the same migration
 * is safe (no release reads it yet), as is every rule the migration allows by a marker.
 *
 * @example
 *   rollingProblems({ name: '0009_drop_slug', sql: 'ALTER TABLE "q" DROP COLUMN "slug";', … })
 *   // ['0009_drop_slug: drop-column: drops a column, … Instead: contract in two releases: …']
 */
export function rollingProblems(file: Pick<MigrationFile, 'name' | 'sql'>): string[] {
  const allowed = new Set([...file.sql.matchAll(ALLOW)].map((m) => m[1]!.toLowerCase()));
  // Outside a transaction CONCURRENTLY is what is wanted; inside one PostgreSQL refuses it.
  if (NO_TRANSACTION.test(file.sql)) allowed.add('concurrently-in-transaction');
  const created = new Set([...file.sql.matchAll(CREATED_TABLE)].map((m) => bare(m[1]!)));
  const found = new Set<RollingRule>();
  for (const statement of statements(file.sql)) {
    const target = TARGET_TABLE.exec(statement)?.[1];
    if (target && created.has(bare(target))) continue;
    for (const [id, rule] of Object.entries(ROLLING_RULES) as [
      RollingRule,
      (typeof ROLLING_RULES)[RollingRule],
    ][]) {
      if (rule.pattern.test(statement) && !allowed.has(id)) found.add(id);
    }
  }
  return [...found].map(
    (id) =>
      `${file.name}: ${id}: ${ROLLING_RULES[id].problem}. Instead: ${ROLLING_RULES[id].instead}. ` +
      (id === 'concurrently-in-transaction'
        ? '(PostgreSQL refuses it; no comment makes it run.)'
        : `(Reviewed? Add the comment -- slipway:allow ${id} to the migration.)`),
  );
}
