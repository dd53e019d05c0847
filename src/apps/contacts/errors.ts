import { type FieldError, SlipwayError } from '../../core/errors.js';
import { databaseError } from '../../core/models/database-errors.js';

/**
 * The contacts app's error catalogue. The services throw these; the HTTP layer turns them into
 * problem+json (or a form error) with their status, so a broken rule is a 409 or a 422 with the
 * rule's message, never a 500.
 */

/** Input that fails validation, by field path: `firstName`, `addresses.0.country`, `telephones.1.number`. */
export class ContactValidationError extends SlipwayError<
  'CONTACTS_INVALID',
  { readonly errors: readonly FieldError[] }
> {
  constructor(errors: readonly FieldError[]) {
    super(
      'CONTACTS_INVALID',
      422,
      `Please correct the ${errors.length === 1 ? 'error' : 'errors'} in the contact.`,
      { errors },
    );
  }
}

/** A person, company, address, telephone, e-mail or attachment that does not exist. */
export class ContactNotFoundError extends SlipwayError<'CONTACTS_NOT_FOUND'> {
  constructor(what: string, id: unknown) {
    super('CONTACTS_NOT_FOUND', 404, `There is no ${what} with id ${String(id)}.`);
  }
}

/**
 * A primary-object rule the database refused (migration contacts/0002_primary_objects): `rule` is the
 * name it was raised with, e.g. `contacts_address_primary_required`; the message is the
 * database's, written for users as sentences (contacts/0004_primary_messages): what was refused, then
 * what to do.
 */
export class ContactRuleError extends SlipwayError<
  'CONTACTS_RULE',
  { readonly rule: string; readonly errors: readonly FieldError[] }
> {
  constructor(
    readonly rule: string,
    message: string,
    readonly field?: string,
  ) {
    super('CONTACTS_RULE', 409, message, { rule, errors: [{ field: field ?? null, message }] });
  }
}

/** Deleting a primary address, telephone or e-mail (or an owner's only address or telephone). */
export class PrimaryDeletionRefusedError extends ContactRuleError {}

/** Moving a primary address, telephone or e-mail to another owner. */
export class PrimaryMoveRefusedError extends ContactRuleError {}

/**
 * The contacts error behind a database error, or undefined when it is not one of ours:
 * `*_primary_protected` and `*_required` raised by a DELETE → {@link PrimaryDeletionRefusedError},
 * `*_primary_moved` → {@link PrimaryMoveRefusedError}, the telephone number check →
 * {@link ContactValidationError} on `number`, any other contacts rule → {@link ContactRuleError}.
 *
 * @example
 *   try { await tx.delete(address).where(eq(address.id, 7)); }
 *   catch (error) { throw contactsError(error, 'delete') ?? error; }
 */
export function contactsError(error: unknown, during?: 'delete'): SlipwayError | undefined {
  const pg = databaseError(error);
  if (!pg?.constraint?.startsWith('contacts_')) return undefined;
  const rule = pg.constraint;
  if (rule === 'contacts_telephone_number_check')
    return new ContactValidationError([{ field: 'number', message: pg.message }]);
  // Only the triggers' messages are written for users; a plain constraint's is PostgreSQL's own.
  if (pg.routine !== 'exec_stmt_raise') return undefined;
  if (rule.endsWith('_primary_moved')) return new PrimaryMoveRefusedError(rule, pg.message);
  if (during === 'delete' && (rule.endsWith('_primary_protected') || rule.endsWith('_required')))
    return new PrimaryDeletionRefusedError(rule, pg.message);
  return new ContactRuleError(rule, pg.message, pg.column === 'is_primary' ? 'isPrimary' : undefined);
}
