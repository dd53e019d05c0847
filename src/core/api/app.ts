import { join } from 'node:path';
import { defineApp } from '../apps/define-app.js';
import { registerApiAdmin } from './admin.js';
import createtoken from './commands/createtoken.js';
import { describeResources, resourceProblems } from './resource.js';
import { registerApiRoutes } from './routes.js';
import * as schema from './schema.js';

/** The REST API generated from the admin registrations, under /api/v1/, with its tokens. */
export default defineApp({
  name: 'api',
  label: 'API',
  migrations: join(import.meta.dirname, 'migrations'),
  dependencies: ['auth', 'admin'],
  schema,
  // The endpoints apps add with defineApiRoutes, gathered for the OpenAPI document.
  provide: () => ({ apiRoutes: { routes: [] } }),
  routes: (app, ctx) => registerApiRoutes(app, ctx),
  commands: [createtoken],
  staticDir: join(import.meta.dirname, 'static'),
  admin: registerApiAdmin,
  // The admin's own check reports bad registrations; this adds what only the API cannot express.
  // on the index the admin app provided (none when its registrations are wrong).
  checks: (_registry, provided) =>
    provided.admin ? describeResources(provided.admin).flatMap(resourceProblems) : [],
});
