import { getTableColumns } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * What PostgreSQL accepts for a column, checked before a value is bound, so that a client's value
 * is refused with a message on its field instead of reaching the database as a data exception
 * (SQLSTATE class 22, which would otherwise be a 500). The admin's form parser, the API's JSON
 * Schemas, the list filters, search and the services that write rows (tokens, saves) all read
 * their limits here.
 */

/** The range of each integer column type (serials start at 1). */
export const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  PgSmallInt: [-32_768, 32_767],
  PgSmallSerial: [1, 32_767],
  PgInteger: [-2_147_483_648, 2_147_483_647],
  PgSerial: [1, 2_147_483_647],
};

const BIGINT_MIN = -9_223_372_036_854_775_808n;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

export const NUL_MESSAGE = 'Null characters are not allowed.';

/** Dates and instants a client may send: years 1 to 9999 (PostgreSQL refuses year 0 as text). */
const MIN_INSTANT = new Date('0001-01-01T00:00:00.000Z').getTime();
const MAX_INSTANT = new Date('9999-12-31T23:59:59.999Z').getTime();

/** The range of an integer column type, or JavaScript's safe integers for bigint in number mode. */
export function integerRange(column: PgColumn): readonly [number, number] {
  return INT_RANGE[column.columnType] ?? [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
}

/** Why `text` cannot be stored in a text column of at most `maxLength` characters, or undefined. */
export function textProblem(text: string, maxLength?: number): string | undefined {
  if (text.includes('\0')) return NUL_MESSAGE;
  const length = maxLength ? [...text].length : 0;
  if (maxLength && length > maxLength)
    return `Ensure this value has at most ${maxLength} characters (it has ${length}).`;
  return undefined;
}

/** Whether an instant is one PostgreSQL stores and prints back the same (years 1 to 9999, UTC). */
export function instantInRange(date: Date): boolean {
  const t = date.getTime();
  return !Number.isNaN(t) && t >= MIN_INSTANT && t <= MAX_INSTANT;
}

/**
 * A calendar day `YYYY-MM-DD` as midnight UTC, or undefined when it is not a real day
 * (`2026-02-30`) or outside years 1 to 9999 (`0000-01-01`).
 *
 * @example
 *   parseDay('2026-02-28') // 2026-02-28T00:00:00.000Z
 *   parseDay('2026-02-30') // undefined
 */
export function parseDay(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00Z`);
  if (!instantInRange(d) || d.toISOString().slice(0, 10) !== text) return undefined;
  return d;
}

function integerProblem(column: PgColumn, value: unknown): string | undefined {
  if (typeof value === 'bigint') {
    return value < BIGINT_MIN || value > BIGINT_MAX ? 'Ensure this value fits a 64-bit integer.' : undefined;
  }
  if (typeof value === 'string') {
    if (!/^[+-]?\d{1,19}$/.test(value)) return 'Enter a whole number.';
    return integerProblem(column, BigInt(value));
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) return 'Enter a whole number.';
  const [lo, hi] = integerRange(column);
  if (value < lo) return `Ensure this value is greater than or equal to ${lo}.`;
  if (value > hi) return `Ensure this value is less than or equal to ${hi}.`;
  return undefined;
}

function numericProblem(column: PgColumn, value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined || !/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return 'Enter a number.';
  const { precision, scale } = column as { precision?: number; scale?: number };
  if (precision) {
    const [whole = ''] = text.replace(/^[+-]/, '').split('.');
    const digits = whole.replace(/^0+/, '').length;
    if (digits > precision - (scale ?? 0))
      return `Ensure that there are no more than ${precision - (scale ?? 0)} digits before the decimal point.`;
  } else if (text.length > 1000) return 'Ensure this number has at most 1000 digits.';
  return undefined;
}

function instantProblem(value: unknown, day: boolean): string | undefined {
  const d =
    value instanceof Date
      ? value
      : typeof value === 'string'
        ? day && /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? (parseDay(value) ?? new Date(Number.NaN))
          : new Date(value)
        : new Date(Number.NaN);
  if (instantInRange(d)) return undefined;
  return day
    ? 'Enter a valid date between 0001-01-01 and 9999-12-31.'
    : 'Enter a valid date/time between years 1 and 9999.';
}

function jsonProblem(value: unknown): string | undefined {
  // jsonb refuses \u0000 in strings (22P05); json stores it but cannot be cast or compared.
  return JSON.stringify(value ?? null).includes('\\u0000') ? NUL_MESSAGE : undefined;
}

/**
 * Why `value` cannot be bound for `column`, in words for the field, or undefined when the column
 * takes it. null and undefined are left to the column's NOT NULL and default.
 *
 * @example
 *   columnValueProblem(token.userId, 2147483648) // 'Ensure this value is less than or equal to 2147483647.'
 *   columnValueProblem(question.questionText, 'a\0b') // 'Null characters are not allowed.'
 */
export function columnValueProblem(column: PgColumn, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const type = column.columnType;
  switch (type) {
    case 'PgSmallInt':
    case 'PgSmallSerial':
    case 'PgInteger':
    case 'PgSerial':
    case 'PgBigInt53':
    case 'PgBigSerial53':
    case 'PgBigInt64':
    case 'PgBigSerial64':
      return integerProblem(column, value);
    case 'PgNumeric':
    case 'PgNumericNumber':
    case 'PgNumericBigInt':
      return numericProblem(column, typeof value === 'bigint' ? value.toString() : value);
    case 'PgReal':
    case 'PgDoublePrecision':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'Enter a number.';
    case 'PgText':
    case 'PgVarchar':
    case 'PgChar':
      return typeof value === 'string'
        ? textProblem(value, (column as { length?: number }).length)
        : 'Enter a text.';
    case 'PgDate':
    case 'PgDateString':
      return instantProblem(value, true);
    case 'PgTimestamp':
    case 'PgTimestampString':
      return instantProblem(value, false);
    case 'PgJson':
    case 'PgJsonb':
      return jsonProblem(value);
    case 'PgUUID':
      return typeof value === 'string' && /^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$/i.test(value)
        ? undefined
        : 'Enter a valid UUID.';
    default:
      return typeof value === 'string' ? textProblem(value) : undefined;
  }
}

/** One value that its column cannot take, by the table's property key. */
export interface ValueProblem {
  readonly key: string;
  readonly message: string;
}

/**
 * Every value of `values` (keyed like the Drizzle table's properties) that its column cannot
 * take: the last check before an insert or update, whoever built the values.
 *
 * @example
 *   rowValueProblems(token, { userId: 2 ** 53 + 1, name: 'x' })
 *   // [{ key: 'userId', message: 'Ensure this value is less than or equal to 2147483647.' }]
 */
export function rowValueProblems(table: PgTable, values: Readonly<Record<string, unknown>>): ValueProblem[] {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const problems: ValueProblem[] = [];
  for (const [key, value] of Object.entries(values)) {
    const column = columns[key];
    if (!column) continue;
    const message = columnValueProblem(column, value);
    if (message) problems.push({ key, message });
  }
  return problems;
}
