/**
 * The framework's error catalogue. Services throw these; the HTTP layer and the CLI turn them
 * into responses (problem+json or an HTML page) and one-line messages. Each error carries a
 * stable `code` and the HTTP `status` it maps to.
 *
 * @example
 *   throw new SlipwayError('SLIPWAY_NOT_FOUND', 404, 'No question with id 7.');
 */
export class SlipwayError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly detail?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Configuration is invalid. The message lists every problem, one per line. */
export class ConfigError extends SlipwayError {
  constructor(readonly problems: string[]) {
    super('SLIPWAY_CONFIG', 500, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The database cannot be reached right now; requests answer 503 and may be retried. */
export class DatabaseUnavailableError extends SlipwayError {
  constructor(reason: string) {
    super('SLIPWAY_DB_UNAVAILABLE', 503, `database unavailable: ${reason}`);
  }
}

/** What users are told when their change collided with another one and was rolled back. */
export const CONCURRENT_UPDATE_MESSAGE =
  'The record was changed by someone else at the same time, so nothing was saved. Please try again.';

/**
 * A transaction was rolled back by PostgreSQL because of a concurrent one: a deadlock (SQLSTATE
 * `40P01`) or a serialization failure (`40001`), still failing after the retries of
 * `retryTransaction`. Nothing was written; the same request may simply be sent again. The HTTP
 * layer answers 409 with {@link CONCURRENT_UPDATE_MESSAGE}; the admin shows it on the form.
 */
export class ConcurrentUpdateError extends SlipwayError {
  constructor(
    readonly sqlState: '40001' | '40P01',
    options?: { cause?: unknown },
  ) {
    super('SLIPWAY_CONCURRENT_UPDATE', 409, CONCURRENT_UPDATE_MESSAGE, {
      errors: [{ field: null, message: CONCURRENT_UPDATE_MESSAGE }],
    });
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** Another process holds the embedded database directory. */
export class DatabaseLockedError extends SlipwayError {
  constructor(message: string) {
    super('SLIPWAY_DB_LOCKED', 500, message);
  }
}

/** A migration problem: a changed checksum, a missing file, a failed statement. */
export class MigrationError extends SlipwayError {
  constructor(message: string) {
    super('SLIPWAY_MIGRATION', 500, message);
  }
}

/** An app manifest is wrong (duplicate name, missing dependency...). Raised at boot. */
export class AppRegistryError extends SlipwayError {
  constructor(message: string) {
    super('SLIPWAY_APP_REGISTRY', 500, message);
  }
}

/** A CLI command failed in a way the user can fix; printed as one line, exit code 1. */
export class CommandError extends SlipwayError {
  constructor(message: string) {
    super('SLIPWAY_COMMAND', 500, message);
  }
}
