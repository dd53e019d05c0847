const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT', // a Unix socket that is gone
]);

/**
 * SQLSTATEs that mean "the server is not there right now", not "your query is wrong"; 25006
 * (read_only_sql_transaction): a write reached a standby, the primary is being failed over.
 */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300', '57014', '25006']);

const MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'connection error',
  'not queryable',
  'cannot use a pool after calling end',
  'client was closed',
];

/**
 * True when `error` (or any error in its `cause` chain) means the database is unreachable or
 * restarting. Such errors become 503 responses; everything else is a real failure.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (NETWORK_CODES.has(code) || SERVER_GONE.has(code) || code.startsWith('08'))
    )
      return true;
    if (typeof message === 'string' && MESSAGES.some((m) => message.toLowerCase().includes(m))) return true;
  }
  return false;
}

/** A short, secret-free reason for logs and `wait-for-db` lines. */
export function describeDbError(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: unknown[] };
  if (Array.isArray(e.errors) && e.errors.length > 0) return describeDbError(e.errors[0]);
  const message = e.message || String(error);
  return e.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
}

/** Errors that retrying will not fix: wrong password, unknown user or database. */
export function isPermanentConnectError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '28P01' || code === '28000' || code === '3D000';
}
