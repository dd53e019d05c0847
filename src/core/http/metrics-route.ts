import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import { createServerMetrics, type ServerMetrics } from '../metrics/metrics.js';

const DONE = Symbol('metrics');
const FAILED_ON_DATABASE = Symbol('databaseError');

type Tracked = FastifyRequest & {
  [DONE]?: ReturnType<ServerMetrics['startRequest']>;
  [FAILED_ON_DATABASE]?: boolean;
};

/** An error from PostgreSQL (a SQLSTATE `code`) or from reaching it (a socket error). */
const fromDatabase = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('ECONN'));
};

/**
 * Counts every request in the Prometheus metrics (see createServerMetrics) and, when
 * METRICS_TOKEN is set, serves them at `GET /metrics` to `Authorization: Bearer <token>` only
 * (401 otherwise). Without a token there is no /metrics at all (404): metrics name routes,
 * versions and load, which a public site does not publish.
 */
export function registerMetrics(app: FastifyInstance, deps: { config: Config; database: Database }): void {
  const metrics = createServerMetrics(deps.database);
  app.addHook('onRequest', async (request) => {
    (request as Tracked)[DONE] = metrics.startRequest();
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (fromDatabase(error)) (request as Tracked)[FAILED_ON_DATABASE] = true;
  });
  app.addHook('onResponse', async (request, reply) => {
    const tracked = request as Tracked;
    tracked[DONE]?.({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      databaseError: reply.statusCode >= 500 && tracked[FAILED_ON_DATABASE] === true,
    });
    tracked[DONE] = undefined;
  });

  const token = deps.config.metricsToken;
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .header('cache-control', 'no-store')
        .send({ error: 'a valid Authorization: Bearer <METRICS_TOKEN> is required' });
    }
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}
