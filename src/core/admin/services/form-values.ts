import type { FieldMeta } from '../../models/fields.js';
import { toDateInput, toDateTimeLocal } from '../format.js';

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
