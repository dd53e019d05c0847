import { SlipwayError } from '../errors.js';

/** The apps' admin registrations are wrong; raised at boot with every problem, one per line. */
export class AdminRegistrationError extends SlipwayError<'SLIPWAY_ADMIN_REGISTRATION'> {
  constructor(readonly problems: readonly string[]) {
    super(
      'SLIPWAY_ADMIN_REGISTRATION',
      500,
      `admin registrations are invalid:\n  - ${problems.join('\n  - ')}`,
    );
  }
}

/** No such model or object in the admin (or the user may not know it exists). */
export class AdminNotFoundError extends SlipwayError<'SLIPWAY_ADMIN_NOT_FOUND'> {
  constructor(message: string) {
    super('SLIPWAY_ADMIN_NOT_FOUND', 404, message);
  }
}

/** A request the admin cannot act on, e.g. a bulk action with nothing selected. */
export class AdminBadRequestError extends SlipwayError<'SLIPWAY_ADMIN_BAD_REQUEST'> {
  constructor(message: string) {
    super('SLIPWAY_ADMIN_BAD_REQUEST', 400, message);
  }
}
