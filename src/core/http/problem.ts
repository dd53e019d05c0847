import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemPage } from './problem-page.js';

/** An RFC 9457 problem document. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

/**
 * Whether the client wants JSON: API paths, a JSON request body, or an Accept header that
 * prefers JSON over HTML.
 */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true;
  const accept = request.headers.accept ?? '';
  if (!accept.includes('text/html') && /json/.test(request.headers['content-type'] ?? '')) return true;
  const jsonAt = accept.search(/application\/(problem\+)?json|\+json/);
  const htmlAt = accept.indexOf('text/html');
  return jsonAt !== -1 && (htmlAt === -1 || jsonAt < htmlAt);
}

/**
 * Sends a problem as problem+json or as an HTML page, whichever the client prefers. `debugStack`
 * is shown only when given, which the error handler does only under DEBUG.
 */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: Problem,
  debugStack?: string,
) {
  const body: Problem = { type: 'about:blank', instance: request.url, requestId: request.id, ...problem };
  if (debugStack) body['stack'] = debugStack;
  if (wantsJson(request)) return reply.code(problem.status).type('application/problem+json').send(body);
  const html = problemPage({
    status: problem.status,
    title: problem.title,
    detail: problem.detail,
    requestId: request.id,
    debugStack,
  });
  return reply.code(problem.status).type('text/html; charset=utf-8').send(html);
}
