import { MIGRATIONS_TABLE } from '../db/migrate/runner.js';

/** What the manifest records about the database, read in the dump's own snapshot. */
export interface DatabaseInfo {
  /** 'PostgreSQL 15.20' or, for the embedded engine, 'PostgreSQL 18.6 (PGlite)'. */
  serverVersion: string;
  /** The applied migrations, by name, with the checksum recorded when each was applied. */
  migrations: { name: string; checksum: string }[];
  /**
   * The migration applied last (by `applied_at`, the newest; ties by name): with each app's
   * migrations named `<app>/…`, the last name alphabetically says nothing of how far the database
   * is. Null when none is applied; absent in archives made before it was recorded.
   */
  lastMigration?: string | null;
  /** Rows per table of the public schema: `{ "polls_question": 12 }`. */
  rowCounts: Record<string, number>;
}

type Runner = { query<T>(sql: string, params?: unknown[]): Promise<T[]> };

/**
 * Reads the server version, applied migrations and row counts. Run it inside the transaction
 * whose snapshot the dump uses, so the figures describe exactly what the dump holds.
 */
export async function readDatabaseInfo(db: Runner, engine: 'pglite' | 'postgres'): Promise<DatabaseInfo> {
  const [version] = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const tables = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  );
  const rowCounts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM public."${name.replace(/"/g, '""')}"`,
    );
    rowCounts[name] = Number(row?.n ?? 0);
  }
  const recorded = tables.some((t) => t.name === MIGRATIONS_TABLE);
  const migrations = recorded
    ? await db.query<{ name: string; checksum: string }>(
        `SELECT name, checksum FROM public.${MIGRATIONS_TABLE} ORDER BY name`,
      )
    : [];
  const [last] = recorded
    ? await db.query<{ name: string }>(
        `SELECT name FROM public.${MIGRATIONS_TABLE} ORDER BY applied_at DESC, name COLLATE "C" DESC LIMIT 1`,
      )
    : [];
  const server = `PostgreSQL ${(version?.v ?? '?').split(' ')[0]}`;
  return {
    serverVersion: engine === 'pglite' ? `${server} (PGlite)` : server,
    migrations,
    lastMigration: last?.name ?? null,
    rowCounts,
  };
}

/** The differences between two sets of row counts, as lines: `polls_choice: 12 rows, expected 14`. */
export function compareRowCounts(actual: Record<string, number>, expected: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [table, n] of Object.entries(expected)) {
    if (!(table in actual)) problems.push(`table ${table} is missing`);
    else if (actual[table] !== n) problems.push(`${table}: ${actual[table]} rows, expected ${n}`);
  }
  for (const table of Object.keys(actual))
    if (!(table in expected)) problems.push(`unexpected table ${table}`);
  return problems;
}
