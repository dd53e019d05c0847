import { and, or, type SQL, sql } from 'drizzle-orm';
import { textProblem } from '../db/column-values.js';
import type { FieldMeta } from './fields.js';

/** Escapes LIKE's wildcards so `50%` and `a_b` are searched literally (backslash is the escape). */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Django's search: each word of `q` must match (case-insensitively, anywhere) at least one of the
 * fields. Terms travel as parameters; non-text columns are compared as text. A word that no text
 * can contain (with a NUL byte, see textProblem) matches nothing.
 *
 * @example
 *   searchCondition([questionText], 'new 50%') // question_text ILIKE '%new%' AND question_text ILIKE '%50\%%'
 */
export function searchCondition(fields: readonly FieldMeta[], q: string): SQL | undefined {
  const words = q.trim().split(/\s+/).filter(Boolean).slice(0, 10);
  if (fields.length === 0 || words.length === 0) return undefined;
  const perWord = words.map((word) => {
    // A word no column can hold (a NUL byte) matches nothing; it is never sent to the database.
    if (textProblem(word)) return sql`false`;
    const pattern = `%${escapeLike(word)}%`;
    return or(
      ...fields.map((f) =>
        f.kind === 'text' || f.kind === 'longtext' || f.kind === 'enum'
          ? sql`${f.column} ILIKE ${pattern}`
          : sql`${f.column}::text ILIKE ${pattern}`,
      ),
    )!;
  });
  return and(...perWord);
}
