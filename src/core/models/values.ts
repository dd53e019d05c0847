import type { CheckRules } from '../db/check-rules.js';
import {
  columnValueProblem,
  INT_RANGE,
  instantInRange,
  integerRange,
  parseDay,
  textProblem,
} from '../db/column-values.js';
import type { FieldMeta } from '../models/fields.js';

export { INT_RANGE };

/**
 * Values of a model's fields: what one input (typed in a form, or sent in JSON) means for its
 * column. Every limit comes from the Drizzle column (length, nullability, enum values, integer
 * range, the CHECK rules given for it), never from a copy; the admin's forms and the API both
 * parse through here.
 */

/** The range of an integer column's values (JavaScript's safe integers for bigint in number mode). */
export function intRange(field: FieldMeta): readonly [number, number] {
  return integerRange(field.column);
}

/** The range a key (an id) of an integer column may take: from 0 (or 1 for serials) up. */
export function keyRange(field: FieldMeta): readonly [number, number] {
  const [lo, hi] = intRange(field);
  return [Math.max(lo, 0), hi];
}

/** bigint columns in `mode: 'bigint'` (drizzle's PgBigInt64, PgBigSerial64): ids as decimal strings. */
const BIGINT_KEY = new Set(['PgBigInt64', 'PgBigSerial64']);

/** Whether the column's keys travel as decimal strings (a bigint column in `mode: 'bigint'`). */
export function isBigintKey(field: FieldMeta): boolean {
  return BIGINT_KEY.has(field.column.columnType);
}
const BIGINT_MAX = 9_223_372_036_854_775_807n;

/**
 * A key (a primary key, or the value of a foreign key) from text, typed like its column: a
 * number within the integer type's range (`integer`/`serial` to 2147483647, `smallint` to
 * 32767), a `bigint` as its decimal string up to 9223372036854775807, any other key as it is (up
 * to 1000 characters). Undefined when the column cannot hold it, so that callers answer "not
 * found" or "invalid" instead of letting the database refuse it (22003, a 500).
 *
 * @example
 *   parseKey(person.id, '2147483647') // 2147483647
 *   parseKey(person.id, '2147483648') // undefined
 */
export function parseKey(field: FieldMeta, text: string): number | string | undefined {
  if (field.kind === 'integer') {
    if (!/^\d{1,16}$/.test(text)) return undefined;
    const n = Number(text);
    const [lo, hi] = keyRange(field);
    return n >= lo && n <= hi ? n : undefined;
  }
  if (isBigintKey(field)) {
    if (!/^\d{1,40}$/.test(text)) return undefined;
    const n = BigInt(text);
    return n <= BIGINT_MAX ? n.toString() : undefined;
  }
  return text.length <= 1000 ? text : undefined;
}

/**
 * What the column's CHECK rules ask, in words (their messages): what a write is checked against
 * beyond its type and length, for documents such as the OpenAPI one. `rules` are the installed
 * apps' (`registry.checkRules`, which a registration carries as `checkRules`).
 */
export function fieldRules(field: FieldMeta, rules: CheckRules): string[] {
  return rules.forColumn(field.column).map((rule) => rule.message);
}

/** What parsing one input gave: a value (undefined = leave it to the column's default) or an error. */
export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

const REQUIRED = 'This field is required.';

/**
 * Parses one input for a column: trims text, checks length, numbers, dates, choices and the
 * column's CHECK rules given in JavaScript (`rules.forColumn`: the installed apps' rules, which a
 * registration carries as `checkRules`), and maps an empty input to NULL (nullable), the column
 * default (when adding), or "required".
 *
 * @example
 *   parseField(questionText, '  Hi ', 'add', reg.checkRules) // { ok: true, value: 'Hi' }
 *   parseField(votes, 'x', 'change', reg.checkRules)          // { ok: false, error: 'Enter a whole number.' }
 */
export function parseField(
  field: FieldMeta,
  raw: string | undefined,
  mode: 'add' | 'change',
  rules: CheckRules,
): Parsed {
  const parsed = parseInput(field, raw, mode, rules);
  if (!parsed.ok) return parsed;
  // The column's own limits (numeric precision, bigint range, NUL in JSON), as every write checks them.
  const problem = columnValueProblem(field.column, parsed.value);
  return problem ? { ok: false, error: problem } : parsed;
}

/**
 * A JSON value (as the API receives it, after its schema) as the text {@link parseField} reads:
 * booleans as `1`/empty, instants in UTC to the millisecond (any offset accepted), JSON columns
 * serialized, null as empty.
 */
export function jsonText(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (field.kind) {
    case 'boolean':
      return value ? '1' : '';
    case 'datetime': {
      const d = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 23);
    }
    case 'date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
    case 'json':
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** A column's default when it is a plain value (not SQL such as `now()`), else undefined. */
export function plainDefault(field: FieldMeta): unknown {
  const d = (field.column as { default?: unknown }).default;
  return d !== undefined && (typeof d !== 'object' || d === null || d instanceof Date) ? d : undefined;
}

/** A stored value as comparable text: what {@link valueChanged} compares. */
export function storedText(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (field.kind === 'boolean') return value ? '1' : '';
  if (field.kind === 'datetime') {
    const iso = (value instanceof Date ? value : new Date(String(value))).toISOString();
    if (iso.endsWith(':00.000Z')) return iso.slice(0, 16);
    return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
  }
  if (field.kind === 'date')
    return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Whether a parsed value differs from the stored one (dates by instant, numbers by value). */
export function valueChanged(field: FieldMeta, before: unknown, after: unknown): boolean {
  if (after === undefined) return false;
  return storedText(field, before) !== storedText(field, after);
}

function parseInput(
  field: FieldMeta,
  raw: string | undefined,
  mode: 'add' | 'change',
  rules: CheckRules,
): Parsed {
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
  if (field.references) return parseReference(field, text);
  switch (field.kind) {
    case 'text':
    case 'longtext':
      {
        const problem = textProblem(text, field.maxLength);
        if (problem) return { ok: false, error: problem };
      }
      for (const rule of rules.forColumn(field.column)) {
        const error = rule.validate?.(text);
        if (error !== undefined) return { ok: false, error };
      }
      return { ok: true, value: text };
    case 'integer': {
      if (!/^[+-]?\d{1,16}$/.test(text)) return { ok: false, error: 'Enter a whole number.' };
      const n = Number(text);
      const [lo, hi] = intRange(field);
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
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || parseDay(text) === undefined)
        return { ok: false, error: 'Enter a valid date.' };
      return { ok: true, value: field.column.columnType === 'PgDate' ? new Date(`${text}T00:00:00Z`) : text };
    }
    case 'datetime': {
      const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(text);
      if (
        !m ||
        parseDay(m[1]!) === undefined ||
        Number(m[2]) > 23 ||
        Number(m[3]) > 59 ||
        Number(m[4] ?? 0) > 59
      )
        return { ok: false, error: 'Enter a valid date/time.' };
      // Milliseconds are kept (timestamps store microseconds; JavaScript dates hold milliseconds).
      const ms = (m[5] ?? '').padEnd(3, '0').slice(0, 3);
      const value = new Date(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}.${ms}Z`);
      if (!instantInRange(value)) return { ok: false, error: 'Enter a valid date/time.' };
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

function parseReference(field: FieldMeta, text: string): Parsed {
  const value = parseKey(field, text);
  return value === undefined
    ? { ok: false, error: 'Select a valid choice. That choice is not one of the available choices.' }
    : { ok: true, value };
}
