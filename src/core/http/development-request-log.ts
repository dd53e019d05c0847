import type { FastifyInstance } from 'fastify';

/**
 * With DEBUG on, one readable line per request once it is answered, as Django's runserver prints
 * (`GET /polls/ 200 4.1 ms`), in place of Fastify's two lines ("incoming request", "request
 * completed") that production keeps for log collectors.
 */
export function installDevelopmentRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const line = `${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)} ms`;
    if (reply.statusCode >= 500) request.log.error(line);
    else if (reply.statusCode >= 400) request.log.warn(line);
    else request.log.info(line);
  });
}
