import type { FastifyInstance } from 'fastify';
import { docsPage, type OpenApiDocument } from './docs-page.js';
import { buildOpenApi, type CustomCreate } from './openapi.js';
import type { ApiResource } from './resource.js';

/** `/api/openapi.json` (built once, from the registrations) and `/api/docs` (rendered from it); both public. */
export function registerDocsRoutes(
  app: FastifyInstance,
  resources: readonly ApiResource[],
  customCreates: ReadonlyMap<string, CustomCreate>,
): void {
  const doc = buildOpenApi(resources, { customCreates });
  const document = JSON.stringify(doc);
  app.get('/api/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(document),
  );
  app.get('/api/docs', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(docsPage(request, doc as unknown as OpenApiDocument)),
  );
}
