import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FairQueue, QueueRefusal, type Turn } from './fair-queue.js';
import { sendProblem } from './problem.js';

/** Requests that never touch the database skip the line. */
function usesDatabase(url: string): boolean {
  return !(url.startsWith('/static/') || url === '/livez' || url === '/favicon.ico');
}

/** How requests take turns on the embedded database (PGlite runs one statement at a time). */
export const EMBEDDED_QUEUE = { slots: 1, maxWaiting: 256, timeoutMs: 5_000 } as const;

/**
 * Makes requests take the embedded database in arrival order, one request at a time: without
 * it, PGlite interleaves the statements of every request in flight, so under load each request
 * waits behind all the others once per statement (a p99 of seconds against a p50 of tenths).
 *
 * 1. a request joins the line once its body is in (preValidation; static files and /livez do
 *    not join);
 * 2. it runs alone once its turn comes, and gives the turn on when its response is finished or
 *    its client went away;
 * 3. with `maxWaiting` requests already waiting, or after `timeoutMs` in the line, it is answered
 *    503 with Retry-After, so that every request gets an answer.
 */
export function installDatabaseQueue(
  app: FastifyInstance,
  options: { slots: number; maxWaiting: number; timeoutMs: number } = EMBEDDED_QUEUE,
): FairQueue {
  const queue = new FairQueue(options);
  const turns = new WeakMap<FastifyRequest, Turn>();
  const release = (request: FastifyRequest) => {
    turns.get(request)?.release();
    turns.delete(request);
  };
  // preValidation: the body has been read by then, so a slow upload does not hold the turn.
  app.addHook('preValidation', async (request, reply) => {
    if (!usesDatabase(request.url)) return;
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    let turn: Turn;
    try {
      turn = await queue.acquire(gone.signal);
    } catch (error) {
      reply.raw.off('close', onClose);
      if (!(error instanceof QueueRefusal)) return reply.hijack(); // the client left while waiting
      request.log.warn({ reason: error.reason, ...queue.size }, 'database queue refused a request');
      reply.header('retry-after', '1');
      return sendProblem(request, reply, {
        title: 'Service Unavailable',
        status: 503,
        detail:
          error.reason === 'full'
            ? 'The server is busy: too many requests are waiting for the database. Try again shortly.'
            : 'The server is busy: the request waited too long for the database. Try again shortly.',
      });
    }
    reply.raw.off('close', onClose);
    turns.set(request, turn);
    if (reply.raw.destroyed) return release(request);
    reply.raw.once('close', () => release(request));
  });
  app.addHook('onResponse', async (request) => release(request));
  app.addHook('onRequestAbort', async (request) => release(request));
  return queue;
}
