import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { clientErrorStatus, databaseError } from '../db/client-errors.js';
import { concurrencyFailure } from '../db/retry-transaction.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { ConcurrentUpdateError, SlipwayError } from '../errors.js';
import { sendProblem } from './problem.js';

/** Fastify's own request errors, said for the person who sent the request. */
const FASTIFY_MESSAGES: Record<string, (contentType: string | undefined) => string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    'The request body is not valid JSON (its Content-Type says it is). Check quotes, commas and brackets.',
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    'The request body is empty, but its Content-Type says JSON. Send a JSON document, or no Content-Type.',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (type) =>
    `This endpoint does not accept ${type ? `Content-Type "${type}"` : 'a body without a Content-Type'}: send application/json, or a form.`,
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'The request body is too large.',
};

/**
 * The one place that turns errors into responses.
 *
 * - SlipwayError: its status and message; a raw deadlock or serialization failure (40P01,
 *   40001) is a ConcurrentUpdateError (409).
 * - A database error the request's values caused (SQLSTATE class 22 or 23) that no service
 *   translated: 400, 409 or 422 (clientErrorStatus), naming the column when the database does.
 * - Fastify's own 4xx errors (bad JSON, body too large…): their status and message.
 * - A database that is down or restarting: 503 with Retry-After, so clients and proxies retry.
 * - Anything else: 500 with a generic message; the stack is logged, and shown only under DEBUG.
 */
export function installErrorHandlers(app: FastifyInstance, debug: boolean): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const stack = debug ? error.stack : undefined;
    // A deadlock or serialization failure from a transaction that was not run through
    // retryTransaction: nothing was written, and the request can be sent again (409).
    const sqlState = concurrencyFailure(error);
    const known = sqlState ? new ConcurrentUpdateError(sqlState, { cause: error }) : error;
    if (known instanceof SlipwayError && known.status < 500) {
      return sendProblem(request, reply, {
        title: STATUS_CODES[known.status] ?? 'Error',
        status: known.status,
        detail: known.message,
        code: known.code,
        ...known.detail,
      });
    }
    const pgError = databaseError(error);
    if (pgError) {
      const status = clientErrorStatus(pgError);
      request.log.info({ sqlState: pgError.code, err: error }, 'database refused a value of the request');
      const message =
        status === 400
          ? `The database could not use a value of this request: ${pgError.message}.`
          : `The database refused the change: ${pgError.message}.`;
      return sendProblem(request, reply, {
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: message,
        code: `SLIPWAY_DB_${pgError.code}`,
        errors: [{ field: pgError.column ?? null, message }],
      });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', '5');
      return sendProblem(
        request,
        reply,
        {
          title: 'Service Unavailable',
          status: 503,
          detail: 'The database is unavailable. Try again shortly.',
        },
        stack,
      );
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status < 500) {
      return sendProblem(request, reply, {
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: FASTIFY_MESSAGES[error.code]?.(request.headers['content-type']) ?? error.message,
        ...(error.code ? { code: error.code } : {}),
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      request,
      reply,
      {
        title: 'Internal Server Error',
        status: 500,
        detail: 'Something went wrong on our side. It has been logged.',
      },
      stack,
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, {
      title: 'Not Found',
      status: 404,
      detail: `Nothing at ${request.method} ${request.url.split('?')[0]}.`,
    }),
  );
}
