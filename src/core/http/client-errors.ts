import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem.js';
import type { SecurityHeaders } from './security.js';

/** What the client is told for the router's own refusals, which Fastify raises before any hook. */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'The URL is not valid: a percent-encoded sequence in its path is not UTF-8.',
  FST_ERR_MAX_PARAM_LENGTH: 'A part of the URL path is too long (at most 100 characters).',
  FST_ERR_ASYNC_CONSTRAINT: 'The request could not be routed.',
};

/**
 * Fastify's `frameworkErrors`: a URL the router cannot decode (400) or a path parameter over
 * `maxParamLength` (414) is answered like every other error, as problem+json or the HTML error
 * page, with the security headers and the request id (no onRequest hook has run for it).
 */
export function frameworkErrorHandler(headers: SecurityHeaders) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
    request.log.info({ code: error.code }, 'request refused by the router');
    reply.header('x-request-id', request.id);
    for (const [name, value] of Object.entries(headers.fixed)) reply.header(name, value);
    return sendProblem(request, reply, {
      title: STATUS_CODES[status] ?? 'Bad Request',
      status,
      detail: FRAMEWORK_MESSAGES[error.code] ?? 'The request could not be routed.',
      code: error.code,
    });
  };
}

/** Node's parser errors, by the status they are answered with. */
function clientErrorStatus(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

const CLIENT_MESSAGES: Record<number, string> = {
  400: 'The request is not valid HTTP (a malformed request line or header).',
  408: 'The request took too long to arrive.',
  431: 'The request line and headers are too large (at most 16 KiB together).',
};

/**
 * The server's `clientError` handler: a request Node's HTTP parser refuses (headers over 16 KiB,
 * a control character in a header, a malformed request line) gets a problem+json answer with the
 * security headers and a request id, and `Connection: close`, since the connection cannot be
 * used any further. A connection already reset gets nothing.
 */
export function clientErrorHandler(headers: SecurityHeaders, log: { info(obj: object, msg: string): void }) {
  return (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = clientErrorStatus(error);
    const requestId = randomUUID();
    log.info({ code: error.code, requestId }, 'request refused by the HTTP parser');
    if (socket.writable) {
      const body = JSON.stringify({
        type: 'about:blank',
        title: STATUS_CODES[status],
        status,
        detail: CLIENT_MESSAGES[status],
        requestId,
        code: error.code,
      });
      const lines = [
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
        'Content-Type: application/problem+json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        `X-Request-Id: ${requestId}`,
        ...Object.entries(headers.fixed).map(([name, value]) => `${name}: ${value}`),
      ];
      socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    }
    socket.destroySoon?.();
  };
}
