import { type FieldError, SlipwayError } from '../errors.js';

export type { FieldError } from '../errors.js';

/** The detail of the API's problems: a documented `type`, a `title`, and the field errors. */
export interface ApiProblemDetail {
  readonly type: string;
  readonly title: string;
  readonly errors?: readonly FieldError[];
}

/** Where each problem type is explained: the `type` URIs point at the docs page. */
export const PROBLEM_DOCS = '/api/docs#problem-';

function listDetail(errors: readonly FieldError[], what: string): string {
  return errors.length === 1
    ? `${errors[0]!.field ? `${errors[0]!.field}: ` : ''}${errors[0]!.message}`
    : `${errors.length} ${what} are invalid; see errors.`;
}

/** The request body is invalid: 422 with one entry per problem (RFC 9457 `errors` extension). */
export class ApiValidationError extends SlipwayError<'SLIPWAY_API_VALIDATION', ApiProblemDetail> {
  constructor(errors: readonly FieldError[]) {
    super('SLIPWAY_API_VALIDATION', 422, listDetail(errors, 'values'), {
      type: `${PROBLEM_DOCS}validation`,
      title: 'Validation failed',
      errors,
    });
  }
}

/** The database refused the write because of other rows (unique values, protected references). */
export class ApiConflictError extends SlipwayError<'SLIPWAY_API_CONFLICT', ApiProblemDetail> {
  constructor(errors: readonly FieldError[]) {
    super('SLIPWAY_API_CONFLICT', 409, listDetail(errors, 'values'), {
      type: `${PROBLEM_DOCS}conflict`,
      title: 'Conflict',
      errors,
    });
  }
}

/**
 * A bulk action that did not apply to the whole selection: 409 with the action's message.
 * `level` 'error' means it changed nothing; 'warning' that it changed part of the selection, and
 * `results` lists the selected objects as they are now.
 */
export class ApiActionError extends SlipwayError<
  'SLIPWAY_API_ACTION',
  ApiProblemDetail & { readonly level: 'warning' | 'error'; readonly results?: readonly unknown[] }
> {
  constructor(
    readonly level: 'warning' | 'error',
    message: string,
    results?: readonly unknown[],
  ) {
    super('SLIPWAY_API_ACTION', 409, message, {
      type: `${PROBLEM_DOCS}action`,
      title: 'Action not completed',
      level,
      errors: [{ field: null, message }],
      ...(results ? { results } : {}),
    });
  }
}

/** Query parameters (page, ordering, filters) that cannot be used: 400. */
export class ApiQueryError extends SlipwayError<'SLIPWAY_API_QUERY', ApiProblemDetail> {
  constructor(errors: readonly FieldError[]) {
    super('SLIPWAY_API_QUERY', 400, listDetail(errors, 'query parameters'), {
      type: `${PROBLEM_DOCS}query`,
      title: 'Invalid query parameters',
      errors,
    });
  }
}

/**
 * No credentials, or credentials that do not work: 401. The API's error handler adds
 * `WWW-Authenticate`, as RFC 9110 requires with a 401.
 */
export class ApiAuthenticationError extends SlipwayError<'SLIPWAY_API_UNAUTHENTICATED', ApiProblemDetail> {
  constructor(message: string) {
    super('SLIPWAY_API_UNAUTHENTICATED', 401, message, {
      type: `${PROBLEM_DOCS}unauthenticated`,
      title: 'Authentication required',
    });
  }
}

/** Whether `error` is one of the API's problems already (it has a documented `type`). */
export function isApiProblem(error: SlipwayError): boolean {
  return error.detail?.type !== undefined;
}

/** No such object (or one outside the user's scope), or a page past the last one: 404. */
export class ApiNotFoundError extends SlipwayError<'SLIPWAY_API_NOT_FOUND'> {
  constructor(message: string) {
    super('SLIPWAY_API_NOT_FOUND', 404, message);
  }
}

/** Registrations the API cannot expose unambiguously (a nested key named like a column); raised at boot. */
export class ApiRegistrationError extends SlipwayError<'SLIPWAY_API_REGISTRATION'> {
  constructor(readonly problems: readonly string[]) {
    super('SLIPWAY_API_REGISTRATION', 500, `API resources are invalid:\n  - ${problems.join('\n  - ')}`);
  }
}
