import { Ajv, type ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { instantInRange, parseDay } from '../db/column-values.js';
import type { FieldError } from './errors.js';

function validDate(text: string): boolean {
  return parseDay(text) !== undefined;
}

const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * RFC 3339 `date-time`: a real date, a real time, and an offset (a bare local time is ambiguous),
 * in years 1 to 9999 once in UTC (what the database stores).
 */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  return Boolean(
    m &&
      validDate(m[1]!) &&
      Number(m[2]) < 24 &&
      Number(m[3]) < 60 &&
      Number(m[4]) < 60 &&
      instantInRange(new Date(text)),
  );
}

function withFormats(ajv: Ajv): Ajv {
  ajv.addFormat('date', {
    type: 'string',
    validate: (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && validDate(s),
  });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  return ajv;
}

/**
 * Fastify's validator for the API's routes. Bodies are checked as sent: every error is reported
 * (not only the first), types are not coerced (`"5"` is not a number), and unknown keys are
 * errors rather than silently dropped. Query strings and path parameters are text, so there
 * types are coerced (`?page=2`).
 */
export function apiValidatorCompiler(): FastifySchemaCompiler<Record<string, unknown>> {
  const body = withFormats(
    new Ajv({ allErrors: true, strict: true, strictRequired: false, coerceTypes: false, useDefaults: false }),
  );
  const text = withFormats(
    new Ajv({ allErrors: true, strict: true, strictRequired: false, coerceTypes: true, useDefaults: true }),
  );
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema);
}

/** `/choices/1/choiceText` → `choices[1].choiceText` */
function pathOf(pointer: string, key?: string): string | null {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (key !== undefined) parts.push(key);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out === '' ? null : out;
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function messageOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'This field is required.';
    case 'additionalProperties':
      return 'Unknown field.';
    case 'type': {
      const types = String(p['type']).split(',');
      return `Must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}.`;
    }
    case 'maxLength':
      return `Ensure this value has at most ${p['limit']} characters.`;
    case 'minLength':
      return p['limit'] === 1
        ? 'This field may not be blank.'
        : `Ensure this value has at least ${p['limit']} characters.`;
    case 'minimum':
      return `Ensure this value is greater than or equal to ${p['limit']}.`;
    case 'maximum':
      return `Ensure this value is less than or equal to ${p['limit']}.`;
    case 'enum':
      return `Must be one of: ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'format':
      return p['format'] === 'date'
        ? 'Enter a valid date (YYYY-MM-DD).'
        : p['format'] === 'date-time'
          ? 'Enter a valid date and time with its offset, e.g. 2026-01-31T12:00:00Z.'
          : `Must be a valid ${p['format']}.`;
    case 'pattern':
      return 'Enter a number.';
    case 'maxItems':
      return `Ensure this list has at most ${p['limit']} items.`;
    default:
      return `${error.message ?? 'Invalid value'}.`;
  }
}

/**
 * ajv's errors as the API's field list, one message per field (the first found), in words a
 * client can show next to the input.
 *
 * @example
 *   fieldErrors([{ keyword: 'required', instancePath: '', params: { missingProperty: 'questionText' } }])
 *   // [{ field: 'questionText', message: 'This field is required.' }]
 */
export function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const p = error.params as Record<string, string>;
    const key =
      error.keyword === 'required'
        ? p['missingProperty']
        : error.keyword === 'additionalProperties'
          ? p['additionalProperty']
          : undefined;
    const field = pathOf(error.instancePath, key);
    if (field !== null && seen.has(field)) continue;
    if (field !== null) seen.add(field);
    out.push({ field, message: messageOf(error) });
  }
  return out;
}
