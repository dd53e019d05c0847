/** The fields PostgreSQL reports with an error (node-postgres and PGlite alike). */
export interface PgErrorInfo {
  readonly code: string;
  readonly constraint?: string;
  readonly column?: string;
  readonly table?: string;
  readonly detail?: string;
  readonly message: string;
  /** The server function that raised it: `exec_stmt_raise` for a PL/pgSQL `RAISE`. */
  readonly routine?: string;
}

/**
 * The PostgreSQL error behind `error` when a client's values can cause it: a data exception
 * (SQLSTATE class 22: a number out of range, a NUL byte, an impossible date) or an integrity
 * violation (class 23), unwrapping Drizzle's query error; undefined otherwise.
 */
export function databaseError(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = current as Partial<PgErrorInfo> & { cause?: unknown };
    if (typeof e.code === 'string' && /^2[23]/.test(e.code)) return e as PgErrorInfo;
    current = e.cause;
  }
  return undefined;
}

/**
 * The HTTP status of a database error that a client's request caused, the one translation used
 * by the error handler and the API's writes:
 *
 * - 409: the write clashes with other rows (unique 23505, foreign key 23503, exclusion 23P01);
 * - 422: another integrity rule refused the values (check 23514, not null 23502…);
 * - 400: a data exception (class 22), a value the database could not take or compare.
 *
 * (Deadlocks and serialization failures, 40P01 and 40001, are ConcurrentUpdateError's 409.)
 */
export function clientErrorStatus(error: PgErrorInfo): 400 | 409 | 422 {
  if (error.code === '23505' || error.code === '23503' || error.code === '23P01') return 409;
  return error.code.startsWith('23') ? 422 : 400;
}
