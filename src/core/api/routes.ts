import type { FastifyInstance } from 'fastify';
import { adminIndex } from '../admin/site.js';
import type { AppContext } from '../apps/define-app.js';
import { historyOf } from '../models/history.js';
import { registerActionRoutes } from './action-routes.js';
import { installApiAuthentication, installApiErrors } from './authentication.js';
import { registerDocsRoutes } from './docs-routes.js';
import { ApiRegistrationError } from './errors.js';
import { registerModelRoutes } from './model-routes.js';
import { describeResources, resourceProblems } from './resource.js';
import { token } from './schema.js';
import { registerTokenAdminPage } from './token-admin-page.js';
import { registerTokenCreateRoute, TOKEN_CREATE } from './token-routes.js';
import { apiValidatorCompiler } from './validation.js';

/**
 * Mounts the API, generated from the admin registrations:
 * 1. every registration becomes a resource at `/api/v1/<app>/<model>/` (list, create, retrieve,
 *    update, partial update, delete, and its bulk actions), with JSON Schemas derived from its table;
 * 2. bodies are validated by those schemas (every error listed, no type coercion) and errors are
 *    problem documents;
 * 3. the model endpoints need a token or a session (with CSRF), then the admin's permissions;
 * 4. `/api/openapi.json` and `/api/docs` describe it all, and are public;
 * 5. tokens are issued by their own endpoint and admin page, which show the key once.
 */
export async function registerApiRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const index = adminIndex(ctx);
  const history = historyOf(ctx);
  const resources = describeResources(index);
  const problems = resources.flatMap(resourceProblems);
  if (problems.length > 0) throw new ApiRegistrationError(problems);
  app.setValidatorCompiler(apiValidatorCompiler());
  installApiErrors(app);
  const tokenPath = resources.find((r) => r.reg.meta.table === token)?.path;
  registerDocsRoutes(
    app,
    resources,
    new Map(tokenPath ? [[tokenPath, TOKEN_CREATE]] : []),
    ctx.apiRoutes?.routes ?? [],
  );
  await app.register(async (models) => {
    // Bodies are JSON (or a form): a text/plain body is refused with 415, not parsed as a string.
    models.removeContentTypeParser('text/plain');
    installApiAuthentication(models, ctx.database.db);
    for (const resource of resources) {
      const isToken = resource.reg.meta.table === token;
      registerModelRoutes(models, { ctx, index, history }, resource, { create: !isToken });
      registerActionRoutes(models, ctx.database.db, resource);
      if (isToken) registerTokenCreateRoute(models, resource, ctx.database.db, history);
    }
  });
  await app.register(async (adminPages) =>
    registerTokenAdminPage(adminPages, index, ctx.database.db, history),
  );
}
