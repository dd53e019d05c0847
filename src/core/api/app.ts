import { join } from 'node:path';
import { AdminRegistrationError } from '../admin/errors.js';
import { buildAdminSite } from '../admin/site.js';
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
  routes: (app, ctx) => registerApiRoutes(app, ctx),
  commands: [createtoken],
  staticDir: join(import.meta.dirname, 'static'),
  admin: registerApiAdmin,
  // The admin's own check reports bad registrations; this adds what only the API cannot express.
  checks: (registry) => {
    try {
      return describeResources(buildAdminSite(registry)).flatMap(resourceProblems);
    } catch (error) {
      if (error instanceof AdminRegistrationError) return [];
      throw error;
    }
  },
});
