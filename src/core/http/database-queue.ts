import { createHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
 * 1. a request joins the line as it arrives (onRequest, before the session or token is looked
 *    up, which takes the database too; static files and /livez do not join);
 * 2. it runs alone once its turn comes, and gives the turn on when its response is finished or
 *    its client went away; a request with a body gives it back while the body arrives (a slow
 *    upload must not hold the database) and joins the line again once the body is in;
 * 3. with `maxWaiting` requests already waiting, or an expected wait over `timeoutMs` (those
 *    ahead × the average time a request holds the database), it is answered 503 at once, and
 *    after `timeoutMs` in the line it is answered 503 then, with Retry-After (the expected wait
 *    in seconds), so that every request gets an answer, and soon.
 */
export function installDatabaseQueue(
  app: FastifyInstance,
  options: { slots: number; maxWaiting: number; timeoutMs: number } = EMBEDDED_QUEUE,
): FairQueue {
  const queue = new FairQueue(options);
  const turns = new WeakMap<FastifyRequest, { turn: Turn; at: number }>();
  const stats = process.env['SLIPWAY_QUEUE_STATS'] === '1' ? queueStats(app) : undefined;
  const release = (request: FastifyRequest) => {
    const held = turns.get(request);
    if (!held) return;
    turns.delete(request);
    held.turn.release();
    stats?.held.record(msToNs(performance.now() - held.at));
  };
  const take = async (request: FastifyRequest, reply: FastifyReply) => {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    reply.raw.once('close', onClose);
    let turn: Turn;
    const joined = performance.now();
    stats?.before.record(msToNs(reply.elapsedTime));
    try {
      turn = await queue.acquire(gone.signal);
      stats?.wait.record(msToNs(performance.now() - joined));
    } catch (error) {
      reply.raw.off('close', onClose);
      if (!(error instanceof QueueRefusal)) return reply.hijack(); // the client left while waiting
      request.log.warn({ reason: error.reason, ...queue.size }, 'database queue refused a request');
      stats?.refused.record(msToNs(Math.max(reply.elapsedTime, 0.001)));
      if (stats) stats.reasons[error.reason]++;
      reply.header('retry-after', String(Math.max(1, Math.ceil(error.expectedWaitMs / 1000))));
      return sendProblem(request, reply, {
        title: 'Service Unavailable',
        status: 503,
        detail:
          error.reason === 'timeout'
            ? 'The server is busy: the request waited too long for the database. Try again shortly.'
            : 'The server is busy: too many requests are waiting for the database. Try again shortly.',
      });
    }
    reply.raw.off('close', onClose);
    turns.set(request, { turn, at: performance.now() });
    if (reply.raw.destroyed) return release(request);
    reply.raw.once('close', () => release(request));
    // PGlite's statements are synchronous under their promises: a request that went straight
    // on would run to its response inside the I/O callback that read it, the event loop would
    // read the other connections only between such runs, and they would be served in whatever
    // order the kernel reports them, not in the line (and the line's timer could not fire).
    // One turn of the event loop first reads and queues whatever has arrived meanwhile.
    await nextTurn();
  };
  const rejoin = new WeakSet<FastifyRequest>();
  app.addHook('onRequest', async (request, reply) => {
    if (usesDatabase(request.url)) return take(request, reply);
  });
  app.addHook('preParsing', async (request) => {
    const hasBody =
      request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;
    if (!hasBody || !turns.has(request)) return;
    release(request);
    rejoin.add(request);
  });
  app.addHook('preValidation', async (request, reply) => {
    if (rejoin.delete(request)) return take(request, reply);
  });
  app.addHook('onResponse', async (request) => release(request));
  app.addHook('onRequestAbort', async (request) => release(request));
  return queue;
}

const msToNs = (ms: number) => Math.max(1, Math.round(ms * 1e6));

/**
 * For `npm run bench` (SLIPWAY_QUEUE_STATS=1): where a request's time goes, written to stderr as
 * one JSON line when the server closes: event-loop delay, time from the start of the request to
 * joining the line, time in the line, time holding the database, garbage collection.
 */
function queueStats(app: FastifyInstance) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const h = {
    before: createHistogram(),
    wait: createHistogram(),
    held: createHistogram(),
    /** Time from the start of the request to a 503 from the queue. */
    refused: createHistogram(),
    /** Requests inside Fastify (from onRequest until their connection is done) when one more arrives. */
    inServer: createHistogram(),
  };
  const reasons = { full: 0, slow: 0, timeout: 0 };
  let inServer = 0;
  app.addHook('onRequest', async (_request, reply) => {
    h.inServer.record(++inServer);
    reply.raw.once('close', () => inServer--);
  });
  let gcMs = 0;
  let gcCount = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration;
      gcCount++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const started = performance.now();
  app.addHook('onClose', async () => {
    loop.disable();
    gc.disconnect();
    const ms = (x: number) => Math.round(x / 1e4) / 100;
    const summary = (x: { count: number; percentile(p: number): number; max: number; mean: number }) => ({
      count: x.count,
      mean: ms(x.mean),
      p50: ms(x.percentile(50)),
      p99: ms(x.percentile(99)),
      max: ms(x.max),
    });
    process.stderr.write(
      `${JSON.stringify({
        queueStats: {
          seconds: Math.round((performance.now() - started) / 1000),
          eventLoopDelay: summary(loop),
          beforeQueue: summary(h.before),
          waitInQueue: summary(h.wait),
          holdingDatabase: summary(h.held),
          refused503: { ...summary(h.refused), ...reasons },
          requestsInServer: {
            p50: h.inServer.percentile(50),
            p99: h.inServer.percentile(99),
            max: h.inServer.max,
          },
          gc: { count: gcCount, ms: Math.round(gcMs) },
        },
      })}\n`,
    );
  });
  return { ...h, reasons };
}
