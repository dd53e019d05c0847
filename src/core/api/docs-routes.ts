import type { FastifyInstance } from 'fastify';
import type { DocumentedRoute } from './define-api-routes.js';
import { docsPage, type OpenApiDocument } from './docs-page.js';
import { buildOpenApi, type CustomCreate } from './openapi.js';
import type { ApiResource } from './resource.js';

/**
 * `/api/openapi.json` (built once, from the registrations and the apps' own endpoints),
 * `/api/docs` (rendered from it) and the API root `/api/v1/` listing the resources; all public.
 * `routes` fills while the apps register theirs, so the document is built at the first request.
 */
export function registerDocsRoutes(
  app: FastifyInstance,
  resources: readonly ApiResource[],
  customCreates: ReadonlyMap<string, CustomCreate>,
  routes: readonly DocumentedRoute[],
): void {
  let built: { doc: ReturnType<typeof buildOpenApi>; text: string } | undefined;
  const document = () => {
    if (!built) {
      const doc = buildOpenApi(resources, { customCreates, routes });
      built = { doc, text: JSON.stringify(doc) };
    }
    return built;
  };
  app.get('/api/openapi.json', async (_request, reply) =>
    reply.type('application/json; charset=utf-8').header('cache-control', 'no-cache').send(document().text),
  );
  // The API root, as DRF's: where everything is, for clients that start from one URL.
  const root = {
    docs: '/api/docs',
    openapi: '/api/openapi.json',
    resources: Object.fromEntries(resources.map((r) => [`${r.reg.app}.${r.reg.model}`, r.path])),
  };
  app.get('/api/v1/', async () => root);
  app.get('/api/docs', async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        docsPage({
          doc: document().doc as unknown as OpenApiDocument,
          csrfToken: request.csrfToken,
          username: request.user?.username,
        }),
      ),
  );
}
