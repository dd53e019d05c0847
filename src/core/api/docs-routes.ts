import type { FastifyInstance } from 'fastify';
import { buildOpenApi } from './openapi.js';
import type { ApiResource } from './resource.js';

/** `/api/openapi.json` (built once), and `/api/docs`. */
export function registerDocsRoutes(app: FastifyInstance, resources: readonly ApiResource[]): void {
  const document = JSON.stringify(buildOpenApi(resources));
  app.get('/api/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(document),
  );
}
