import { getTableName } from 'drizzle-orm';
import type { CheckRule } from '../../core/admin/services/check-rules.js';
import type { FieldError } from '../../core/errors.js';
import { ContactValidationError } from './errors.js';
import { normalizePhoneNumber, phoneShapeError } from './phone.js';
import {
  ADDRESS_KINDS,
  address,
  attachment,
  EMAIL_KINDS,
  email,
  TELEPHONE_KINDS,
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

function requiredText(
  value: unknown,
  max: number,
  path: string,
  errors: FieldErrors,
  optional = false,
): string | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (value !== undefined && value !== null && typeof value !== 'string') errors.add(path, 'Enter text.');
  else if (text === '' && !optional) errors.add(path, 'This field is required.');
  else if ([...text].length > max) errors.add(path, `Ensure this value has at most ${max} characters.`);
  return text === '' && optional ? null : text;
}

function kindOf<K extends string>(value: unknown, kinds: readonly K[], path: string, errors: FieldErrors) {
  if (value === undefined) return undefined;
  if (kinds.includes(value as K)) return value as K;
  errors.add(path, `Select one of: ${kinds.join(', ')}.`);
  return undefined;
}

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
    firstName: requiredText(input.firstName, 100, at(prefix, 'firstName'), errors) ?? '',
    lastName: requiredText(input.lastName, 100, at(prefix, 'lastName'), errors) ?? '',
    dateOfBirth,
    notes: typeof input.notes === 'string' ? input.notes : '',
  };
}

/** The company's columns, checked. */
export function cleanCompany(input: CompanyInput, prefix: string, errors: FieldErrors) {
  return {
    name: requiredText(input.name, 200, at(prefix, 'name'), errors) ?? '',
    vatNumber: requiredText(input.vatNumber, 32, at(prefix, 'vatNumber'), errors, true),
  };
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const EMAIL_INVALID = 'Enter a valid e-mail address.';
const COUNTRY_INVALID = 'Enter a two-letter country code (ISO 3166-1), e.g. CH.';
const ONE_OWNER = 'Choose a person or a company (one of the two).';

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
  const raw = typeof input.country === 'string' ? input.country.trim().toUpperCase() : input.country;
  const country = requiredText(raw, Number.POSITIVE_INFINITY, at(prefix, 'country'), errors) ?? '';
  if (country && !/^[A-Z]{2}$/.test(country)) errors.add(at(prefix, 'country'), COUNTRY_INVALID);
  const kind = kindOf(input.kind, ADDRESS_KINDS, at(prefix, 'kind'), errors);
  return {
    ...(kind ? { kind } : {}),
    street: requiredText(input.street, 200, at(prefix, 'street'), errors) ?? '',
    postalCode: requiredText(input.postalCode, 20, at(prefix, 'postalCode'), errors) ?? '',
    city: requiredText(input.city, 100, at(prefix, 'city'), errors) ?? '',
    country,
    isPrimary: input.isPrimary === true,
  };
}

export function cleanTelephone(
  input: TelephoneInput,
  prefix: string,
  errors: FieldErrors,
  defaultCountry: string | undefined,
) {
  const kind = kindOf(input.kind, TELEPHONE_KINDS, at(prefix, 'kind'), errors);
  const result = normalizePhoneNumber(typeof input.number === 'string' ? input.number : '', defaultCountry);
  if (!result.ok) errors.add(at(prefix, 'number'), result.error);
  return {
    ...(kind ? { kind } : {}),
    number: result.ok ? result.e164 : '',
    isPrimary: input.isPrimary === true,
  };
}

export function cleanEmail(input: EmailInput, prefix: string, errors: FieldErrors) {
  const kind = kindOf(input.kind, EMAIL_KINDS, at(prefix, 'kind'), errors);
  const address = requiredText(input.address, 254, at(prefix, 'address'), errors) ?? '';
  const problem = address ? emailAddressError(address) : undefined;
  if (problem) errors.add(at(prefix, 'address'), problem);
  return { ...(kind ? { kind } : {}), address, isPrimary: input.isPrimary === true };
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
