import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { CheckRule } from '../../core/db/check-rules.js';
import { NO_CHECK_RULES } from '../../core/db/check-rules.js';
import type { FieldError } from '../../core/errors.js';
import { describeTable } from '../../core/models/fields.js';
import { parseField } from '../../core/models/values.js';
import { ContactValidationError } from './errors.js';
import { normalizePhoneNumber, phoneShapeError } from './phone.js';
import {
  type ADDRESS_KINDS,
  address,
  attachment,
  company,
  type EMAIL_KINDS,
  email,
  person,
  type TELEPHONE_KINDS,
  telephone,
} from './schema.js';

/** What the services accept. Strings are trimmed; optional fields may be left out. */
export interface PersonInput {
  firstName: string;
  lastName: string;
  /** `YYYY-MM-DD`, not in the future. */
  dateOfBirth?: string | null;
  notes?: string;
}

export interface CompanyInput {
  name: string;
  vatNumber?: string | null;
}

export interface AddressInput {
  kind?: (typeof ADDRESS_KINDS)[number];
  street: string;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2, any case (`ch` is stored as `CH`). */
  country: string;
  isPrimary?: boolean;
}

export interface TelephoneInput {
  kind?: (typeof TELEPHONE_KINDS)[number];
  /** Any common format; stored in E.164. National numbers use the default country. */
  number: string;
  isPrimary?: boolean;
}

export interface EmailInput {
  kind?: (typeof EMAIL_KINDS)[number];
  address: string;
  isPrimary?: boolean;
}

/** Collects messages by field path (`addresses.0.country`) and throws them all at once. */
export class FieldErrors {
  readonly errors: FieldError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ field: path, message });
  }

  /** Throws a {@link ContactValidationError} when any message was added. */
  throwIfAny(): void {
    if (this.errors.length > 0) throw new ContactValidationError(this.errors);
  }
}

const at = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

/**
 * One column's input through the model layer (src/core/models): trimmed, required unless the
 * column is nullable or has a default, its length and allowed values read from the schema, and
 * the column's CHECK rule in words ({@link CHECK_RULES}) said first. Undefined when invalid, or
 * left to the column's default.
 */
function columnValue(
  table: PgTable,
  key: string,
  value: unknown,
  path: string,
  errors: FieldErrors,
): unknown {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    errors.add(path, 'Enter text.');
    return undefined;
  }
  const field = describeTable(table).field(key)!;
  const text = (value ?? '').trim();
  const rule = CHECK_RULES.find((r) => r.column === field.column)?.validate?.(text);
  if (text !== '' && rule !== undefined) {
    errors.add(path, rule);
    return undefined;
  }
  // The column's CHECK rule ran just above (CHECK_RULES), hence none here.
  const parsed = parseField(field, text, 'add', NO_CHECK_RULES);
  if (parsed.ok) return parsed.value;
  errors.add(path, parsed.error);
  return undefined;
}

/** A `kind` through its column: the allowed values are the schema's enum. */
function kindOf<T extends typeof address | typeof telephone | typeof email>(
  table: T,
  value: unknown,
  path: string,
  errors: FieldErrors,
): T['$inferSelect']['kind'] | undefined {
  if (value === undefined) return undefined;
  return columnValue(table, 'kind', value, path, errors) as T['$inferSelect']['kind'] | undefined;
}

const columnText = (table: PgTable, key: string, value: unknown, path: string, errors: FieldErrors) =>
  (columnValue(table, key, value, path, errors) as string | null | undefined) ?? '';

/** The person's columns, checked. */
export function cleanPerson(input: PersonInput, prefix: string, errors: FieldErrors) {
  const dateOfBirth = input.dateOfBirth ?? null;
  if (dateOfBirth !== null) {
    const valid =
      typeof dateOfBirth === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) &&
      new Date(`${dateOfBirth}T00:00:00Z`).toISOString().slice(0, 10) === dateOfBirth;
    if (!valid) errors.add(at(prefix, 'dateOfBirth'), 'Enter a valid date (YYYY-MM-DD).');
    else if (dateOfBirth > new Date().toISOString().slice(0, 10))
      errors.add(at(prefix, 'dateOfBirth'), 'The date of birth cannot be in the future.');
  }
  return {
    firstName: columnText(person, 'firstName', input.firstName, at(prefix, 'firstName'), errors),
    lastName: columnText(person, 'lastName', input.lastName, at(prefix, 'lastName'), errors),
    dateOfBirth,
    notes: typeof input.notes === 'string' ? input.notes : '',
  };
}

/** The company's columns, checked. */
export function cleanCompany(input: CompanyInput, prefix: string, errors: FieldErrors) {
  return {
    name: columnText(company, 'name', input.name, at(prefix, 'name'), errors),
    vatNumber: (columnValue(company, 'vatNumber', input.vatNumber, at(prefix, 'vatNumber'), errors) ??
      null) as string | null,
  };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const EMAIL_INVALID = 'Enter a valid e-mail address.';
const COUNTRY_INVALID = 'Enter a two-letter country code (ISO 3166-1), e.g. CH.';
export const ONE_OWNER = 'Choose a person or a company (one of the two).';

/** An e-mail address's problem (stricter than the database's check: a dot after the @), or undefined. */
export function emailAddressError(text: string): string | undefined {
  return EMAIL.test(text) ? undefined : EMAIL_INVALID;
}

/**
 * The contacts tables' CHECK constraints in words, with the rules a form can check before the
 * database (the same as the services' below): given to the admin, and so the API, when the app
 * is installed (app.ts). The telephone number's own check is raised by its trigger, with its
 * own message; here only what no owner's country can mend is checked first.
 */
export const CHECK_RULES: readonly CheckRule[] = [
  {
    name: 'contacts_email_address_check',
    column: email.address,
    message: EMAIL_INVALID,
    validate: emailAddressError,
  },
  {
    name: 'contacts_address_country_check',
    column: address.country,
    message: COUNTRY_INVALID,
    validate: (text) => (/^[A-Z]{2}$/.test(text) ? undefined : COUNTRY_INVALID),
  },
  {
    name: 'contacts_telephone_number_check',
    column: telephone.number,
    message: 'Enter a valid telephone number: the country code and the number, 7 to 15 digits in all.',
    validate: phoneShapeError,
  },
  ...[address, telephone, email, attachment].map((table) => ({
    name: `${getTableName(table)}_owner_check`,
    message: ONE_OWNER,
  })),
];

export function cleanAddress(input: AddressInput, prefix: string, errors: FieldErrors) {
  const country = typeof input.country === 'string' ? input.country.trim().toUpperCase() : input.country;
  const kind = kindOf(address, input.kind, at(prefix, 'kind'), errors);
  return {
    ...(kind ? { kind } : {}),
    street: columnText(address, 'street', input.street, at(prefix, 'street'), errors),
    postalCode: columnText(address, 'postalCode', input.postalCode, at(prefix, 'postalCode'), errors),
    city: columnText(address, 'city', input.city, at(prefix, 'city'), errors),
    country: columnText(address, 'country', country, at(prefix, 'country'), errors),
    isPrimary: input.isPrimary === true,
  };
}

export function cleanTelephone(
  input: TelephoneInput,
  prefix: string,
  errors: FieldErrors,
  defaultCountry: string | undefined,
) {
  const kind = kindOf(telephone, input.kind, at(prefix, 'kind'), errors);
  const result = normalizePhoneNumber(typeof input.number === 'string' ? input.number : '', defaultCountry);
  if (!result.ok) errors.add(at(prefix, 'number'), result.error);
  return {
    ...(kind ? { kind } : {}),
    number: result.ok ? result.e164 : '',
    isPrimary: input.isPrimary === true,
  };
}

export function cleanEmail(input: EmailInput, prefix: string, errors: FieldErrors) {
  const kind = kindOf(email, input.kind, at(prefix, 'kind'), errors);
  const text = columnText(email, 'address', input.address, at(prefix, 'address'), errors);
  return { ...(kind ? { kind } : {}), address: text, isPrimary: input.isPrimary === true };
}

/**
 * The index of the row to make primary in a new list: the one marked `isPrimary`, else the
 * first. Two marked rows are an error on the list.
 */
export function primaryIndex(
  rows: readonly { isPrimary: boolean }[],
  path: string,
  noun: string,
  errors: FieldErrors,
) {
  const marked = rows.flatMap((r, i) => (r.isPrimary ? [i] : []));
  if (marked.length > 1) errors.add(path, `Only one ${noun} can be primary.`);
  return marked[0] ?? 0;
}
