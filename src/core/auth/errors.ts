import { type FieldError, SlipwayError } from '../errors.js';

/**
 * A value the user gave is invalid: `errors` names each field with its message (a field may have
 * several); the message is the first of them.
 */
export class ValidationError extends SlipwayError<
  'SLIPWAY_VALIDATION',
  { readonly errors: readonly FieldError[] }
> {
  constructor(message: string, errors: readonly FieldError[] = []) {
    super('SLIPWAY_VALIDATION', 422, message, { errors });
  }
}

/** The CSRF check failed; the message says why. */
export class CsrfError extends SlipwayError<'SLIPWAY_CSRF'> {
  constructor(reason: string) {
    super('SLIPWAY_CSRF', 403, `CSRF verification failed: ${reason}`);
  }
}

/** The user is signed in but lacks the permission. */
export class PermissionDeniedError extends SlipwayError<'SLIPWAY_PERMISSION_DENIED'> {
  constructor(message = 'You do not have permission to do this.') {
    super('SLIPWAY_PERMISSION_DENIED', 403, message);
  }
}

/** Too many failed logins for this username or address. */
export class LoginThrottledError extends SlipwayError<'SLIPWAY_LOGIN_THROTTLED'> {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'SLIPWAY_LOGIN_THROTTLED',
      429,
      `Too many failed login attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    );
  }
}
