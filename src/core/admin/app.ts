import { join } from 'node:path';
import { defineApp } from '../apps/define-app.js';
import { registerAdminRoutes } from './routes/routes.js';
import * as schema from './schema.js';
import { logAction } from './services/history.js';
import { buildAdminSite } from './site.js';

/**
 * The admin: pages generated from the models that apps register in their `admin` hook (Django's
 * contrib.admin), under /admin/, with its history table and its CSS and script at /static/admin/.
 */
export default defineApp({
  name: 'admin',
  label: 'Administration',
  migrations: join(import.meta.dirname, 'migrations'),
  dependencies: ['auth'],
  schema,
  // The index of every app's registrations, built and checked once at boot, for the admin's
  // routes and the API's alike (adminIndex(ctx)); and the history the model layer records every
  // write in (historyOf(ctx)): the admin owns its table, the model layer only calls the sink.
  provide: (registry) => ({ admin: buildAdminSite(registry), history: logAction }),
  routes: (app, ctx) => registerAdminRoutes(app, ctx),
  staticDir: join(import.meta.dirname, 'static'),
  // No `checks`: `slipway check` calls `provide` once and reports its AdminRegistrationError.
});
