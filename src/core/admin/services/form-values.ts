import { toDateInput, toDateTimeLocal } from '../format.js';
import type { FieldMeta } from '../introspect.js';

/** A form body as @fastify/formbody parses it: repeated names become arrays. */
export type FormBody = Record<string, string | string[] | undefined>;

/** The first value of a form field, or undefined. */
export function one(body: FormBody, name: string): string | undefined {
  const value = body[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Every value of a repeated form field (checkboxes). */
export function many(body: FormBody, name: string): string[] {
  const value = body[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The range of each integer column type (serials start at 1). */
export const INT_RANGE: Record<string, [number, number]> = {
  PgSmallInt: [-32_768, 32_767],
  PgSmallSerial: [1, 32_767],
  PgInteger: [-2_147_483_648, 2_147_483_647],
  PgSerial: [1, 2_147_483_647],
};

/** What parsing one input gave: a value (undefined = leave it to the column's default) or an error. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const REQUIRED = 'This field is required.';

/**
 * Parses one input for a column: trims text, checks length, numbers, dates and choices, and
 * maps an empty input to NULL (nullable), the column default (when adding), or "required".
 *
 * @example
 *   parseField(questionText, '  Hi ', 'add') // { ok: true, value: 'Hi' }
 *   parseField(votes, 'x', 'change')          // { ok: false, error: 'Enter a whole number.' }
 */
export function parseField(field: FieldMeta, raw: string | undefined, mode: 'add' | 'change'): Parsed {
  if (field.kind === 'boolean') return { ok: true, value: raw !== undefined && raw !== '' && raw !== '0' };
  const text =
    field.kind === 'longtext' || field.kind === 'json'
      ? (raw ?? '').replace(/\r\n/g, '\n')
      : (raw ?? '').trim();
  if (text.trim() === '') {
    if (!field.notNull) return { ok: true, value: null };
    if ((field.kind === 'text' || field.kind === 'longtext') && field.hasDefault)
      return { ok: true, value: '' };
    if (field.hasDefault && mode === 'add') return { ok: true, value: undefined };
    return { ok: false, error: REQUIRED };
  }
  if (field.references) return parseKey(field, text);
  switch (field.kind) {
    case 'text':
    case 'longtext':
      if (field.maxLength && [...text].length > field.maxLength)
        return {
          ok: false,
          error: `Ensure this value has at most ${field.maxLength} characters (it has ${[...text].length}).`,
        };
      if (text.includes('\0')) return { ok: false, error: 'Null characters are not allowed.' };
      return { ok: true, value: text };
    case 'integer': {
      if (!/^[+-]?\d{1,16}$/.test(text)) return { ok: false, error: 'Enter a whole number.' };
      const n = Number(text);
      const [lo, hi] = INT_RANGE[field.column.columnType] ?? [
        Number.MIN_SAFE_INTEGER,
        Number.MAX_SAFE_INTEGER,
      ];
      if (n < lo) return { ok: false, error: `Ensure this value is greater than or equal to ${lo}.` };
      if (n > hi) return { ok: false, error: `Ensure this value is less than or equal to ${hi}.` };
      return { ok: true, value: n };
    }
    case 'decimal':
      if (!/^[+-]?(\d{1,100}(\.\d{0,100})?|\.\d{1,100})$/.test(text))
        return { ok: false, error: 'Enter a number.' };
      return {
        ok: true,
        value: field.column.columnType === 'PgBigInt64' ? BigInt(text.split('.')[0]!) : text,
      };
    case 'float': {
      const n = Number(text);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: 'Enter a number.' };
    }
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !validDate(text))
        return { ok: false, error: 'Enter a valid date.' };
      return { ok: true, value: field.column.columnType === 'PgDate' ? new Date(`${text}T00:00:00Z`) : text };
    }
    case 'datetime': {
      const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text);
      if (!m || !validDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4] ?? 0) > 59)
        return { ok: false, error: 'Enter a valid date/time.' };
      // Milliseconds are kept (timestamps store microseconds; JavaScript dates hold milliseconds).
      const ms = (m[5] ?? '').padEnd(3, '0').slice(0, 3);
      const value = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}.${ms}Z`);
      return {
        ok: true,
        value: field.column.columnType === 'PgTimestampString' ? value.toISOString() : value,
      };
    }
    case 'enum':
      return field.enumValues?.includes(text)
        ? { ok: true, value: text }
        : { ok: false, error: `Select a valid choice. ${text} is not one of the available choices.` };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false, error: 'Enter a valid JSON.' };
      }
    default:
      return { ok: false, error: 'This field cannot be edited here.' };
  }
}

function parseKey(field: FieldMeta, text: string): Parsed {
  const invalid = {
    ok: false as const,
    error: 'Select a valid choice. That choice is not one of the available choices.',
  };
  if (field.kind === 'integer') return /^\d{1,15}$/.test(text) ? { ok: true, value: Number(text) } : invalid;
  return text.length <= 1000 ? { ok: true, value: text } : invalid;
}

function validDate(text: string): boolean {
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A stored value as an input's value, the inverse of {@link parseField}. */
export function toInputValue(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.kind === 'boolean') return value ? '1' : '';
  if (field.kind === 'datetime')
    return toDateTimeLocal(value instanceof Date ? value : new Date(String(value)));
  if (field.kind === 'date') return toDateInput(value);
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Whether a parsed value differs from the stored one (dates by instant, numbers by value). */
export function valueChanged(field: FieldMeta, before: unknown, after: unknown): boolean {
  if (after === undefined) return false;
  return toInputValue(field, before) !== toInputValue(field, after);
}
