import { join } from 'node:path';
import type { SqlRunner } from '../database.js';
import { MIGRATIONS_TABLE } from './runner.js';

/*
 * For the migrations' own tests: the schema as PostgreSQL describes it, to compare a database
 * that went back to a migration with one that only ever went forward to it.
 */

const FINGERPRINT = `
  SELECT 'column' AS kind, c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
         || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
         || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS def
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0
     AND NOT a.attisdropped
  UNION ALL
  SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL
  SELECT 'trigger', pg_get_triggerdef(t.oid) || CASE WHEN t.tgenabled = 'D' THEN ' (disabled)' ELSE '' END
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc)
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'sequence', relname FROM pg_class WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace
  UNION ALL
  SELECT 'type', typname FROM pg_type WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace
  ORDER BY 1, 2`;

/**
 * Every column (type, nullability, default), constraint, index, trigger, function (by a hash of
 * its body), sequence and enum of the public schema, one line each and sorted; the migrations
 * table itself left out.
 *
 * @example
 *   expect(await schemaFingerprint(afterRollback)).toEqual(await schemaFingerprint(neverAhead));
 */
export async function schemaFingerprint(runner: SqlRunner): Promise<string[]> {
  const rows = await runner.query<{ kind: string; def: string }>(FINGERPRINT);
  return rows.map((r) => `${r.kind}: ${r.def}`).filter((line) => !line.includes(MIGRATIONS_TABLE));
}

/**
 * The project-wide `migrations/` folder as the last release before apps owned their migrations
 * shipped it (0001_initial … 0008_primary_messages): for tests that a database it migrated keeps
 * working. Its files must never change.
 */
export const LEGACY_FOLDER = join(import.meta.dirname, 'testdata', 'legacy-folder');
