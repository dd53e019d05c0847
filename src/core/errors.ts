/**
 * One problem with a value: the field it concerns, as a path into the input (`questionText`,
 * `choices[1].choiceText`, `addresses.0.country`, a query parameter such as `page_size`), or null
 * when it concerns the object as a whole. Every error that is about fields carries a list of
 * these, whichever layer raised it: a service, the admin, the API (the OpenAPI document promises
 * this shape in a problem's `errors`).
 */
export interface FieldError {
  readonly field: string | null;
  readonly message: string;
}

/**
 * What an error adds to its problem+json body (RFC 9457) besides `title`, `status`, `detail` (the
 * message) and `code`. Each error class narrows it: {@link ConcurrentUpdateError} carries
 * `errors`, the API's errors a `type` and `title`, a bulk action's refusal its `level`.
 */
export interface ProblemDetail {
  /** The problem type's URI; `about:blank` when absent. */
  readonly type?: string;
  /** Replaces the status's reason phrase as the problem's title. */
  readonly title?: string;
  /** One entry per problem with a value, when the error is about values. */
  readonly errors?: readonly FieldError[];
}

/**
 * The framework's error catalogue. Services throw these; the HTTP layer and the CLI turn them
 * into responses (problem+json or an HTML page) and one-line messages. Each error carries a
 * stable `code` (listed with its status in docs/errors.md), the HTTP `status` it maps to, a typed
 * `detail` added to its problem body, and `errors`: its field errors, empty when it is not about
 * fields.
 *
 * @example
 *   throw new SlipwayError('POLLS_QUESTION_NOT_FOUND', 404, 'No poll with id 7.');
 *   if (error instanceof SlipwayError) for (const { field, message } of error.errors) …
 */
export class SlipwayError<
  Code extends string = string,
  Detail extends ProblemDetail = ProblemDetail,
> extends Error {
  /** The field errors (`detail.errors`), or an empty list. */
  readonly errors: readonly FieldError[];

  constructor(
    readonly code: Code,
    readonly status: number,
    message: string,
    readonly detail?: Detail,
  ) {
    super(message);
    this.name = new.target.name;
    this.errors = detail?.errors ?? [];
  }
}

/** The messages of `errors` about `field`, in order. */
export function messagesFor(errors: readonly FieldError[], field: string | null): string[] {
  return errors.filter((e) => e.field === field).map((e) => e.message);
}

/**
 * Field errors grouped by field, as forms show them: each field's messages in order, and those
 * about no field (or a field the form does not show, when `shown` is given) under `other`.
 *
 * @example
 *   errorsByField([{ field: 'email', message: 'Enter a valid email address.' }])
 *   // → { email: ['Enter a valid email address.'] }
 */
export function errorsByField(
  errors: readonly FieldError[],
  other = '__all__',
  shown?: (field: string) => boolean,
): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const { field, message } of errors) {
    const key = field !== null && (!shown || shown(field)) ? field : other;
    byField[key] = [...(byField[key] ?? []), message];
  }
  return byField;
}

/** Configuration is invalid. The message lists every problem, one per line. */
export class ConfigError extends SlipwayError<'SLIPWAY_CONFIG'> {
  constructor(readonly problems: string[]) {
    super('SLIPWAY_CONFIG', 500, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The database cannot be reached right now; requests answer 503 and may be retried. */
export class DatabaseUnavailableError extends SlipwayError<'SLIPWAY_DB_UNAVAILABLE'> {
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
export class ConcurrentUpdateError extends SlipwayError<
  'SLIPWAY_CONCURRENT_UPDATE',
  { readonly errors: readonly FieldError[] }
> {
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
export class DatabaseLockedError extends SlipwayError<'SLIPWAY_DB_LOCKED'> {
  constructor(message: string) {
    super('SLIPWAY_DB_LOCKED', 500, message);
  }
}

/** A migration problem: a changed checksum, a missing file, a failed statement. */
export class MigrationError extends SlipwayError<'SLIPWAY_MIGRATION'> {
  constructor(message: string) {
    super('SLIPWAY_MIGRATION', 500, message);
  }
}

/** An app manifest is wrong (duplicate name, missing dependency...). Raised at boot. */
export class AppRegistryError extends SlipwayError<'SLIPWAY_APP_REGISTRY'> {
  constructor(message: string) {
    super('SLIPWAY_APP_REGISTRY', 500, message);
  }
}

/** A CLI command failed in a way the user can fix; printed as one line, exit code 1. */
export class CommandError extends SlipwayError<'SLIPWAY_COMMAND'> {
  constructor(message: string) {
    super('SLIPWAY_COMMAND', 500, message);
  }
}
