import { SlipwayError } from '../errors.js';

/** A value the user gave is invalid; `fields` maps each field to its messages. */
export class ValidationError extends SlipwayError {
  constructor(
    message: string,
    readonly fields: Record<string, string[]> = {},
  ) {
    super('SLIPWAY_VALIDATION', 422, message, { errors: fields });
  }
}

/** The CSRF check failed; the message says why. */
export class CsrfError extends SlipwayError {
  constructor(reason: string) {
    super('SLIPWAY_CSRF', 403, `CSRF verification failed: ${reason}`);
  }
}

/** The user is signed in but lacks the permission. */
export class PermissionDeniedError extends SlipwayError {
  constructor(message = 'You do not have permission to do this.') {
    super('SLIPWAY_PERMISSION_DENIED', 403, message);
  }
}

/** Too many failed logins for this username or address. */
export class LoginThrottledError extends SlipwayError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'SLIPWAY_LOGIN_THROTTLED',
      429,
      `Too many failed login attempts. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`,
    );
  }
}
