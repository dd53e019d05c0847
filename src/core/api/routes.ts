import type { FastifyInstance } from 'fastify';
import { buildAdminSite } from '../admin/site.js';
import type { AppContext } from '../apps/define-app.js';
import { installApiAuthentication, installApiErrors } from './authentication.js';
import { registerDocsRoutes } from './docs-routes.js';
import { registerModelRoutes } from './model-routes.js';
import { describeResources } from './resource.js';
import { apiValidatorCompiler } from './validation.js';

/**
 * Mounts the API, generated from the admin registrations:
 * 1. every registration becomes a resource at `/api/v1/<app>/<model>/` (list, create, retrieve,
 *    update, partial update, delete), with JSON Schemas derived from its table;
 * 2. bodies are validated by those schemas (every error listed, no type coercion) and errors are
 *    problem documents;
 * 3. the model endpoints need a token or a session (with CSRF), then the admin's permissions;
 * 4. `/api/openapi.json` and `/api/docs` describe it all, and are public.
 */
export async function registerApiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const index = buildAdminSite(ctx.registry);
  const resources = describeResources(index);
  app.setValidatorCompiler(apiValidatorCompiler());
  installApiErrors(app);
  registerDocsRoutes(app, resources);
  await app.register(async (models) => {
    installApiAuthentication(models, ctx.database.db);
    for (const resource of resources) registerModelRoutes(models, { ctx, index }, resource);
  });
}
