import { join } from 'node:path';
import { defineApp } from '../../core/apps/define-app.js';
import { registerPollsAdmin } from './admin.js';
import { seedDemoPolls } from './demo.js';
import { registerPollsRoutes } from './routes.js';
import * as schema from './schema.js';

/**
 * Django's tutorial app, done right: questions and choices in the admin, public pages under
 * /polls/ with their stylesheet at /static/polls/, and demo questions for `slipway seed --demo`.
 */
export default defineApp({
  name: 'polls',
  label: 'Polls',
  migrations: join(import.meta.dirname, 'migrations'),
  schema,
  admin: registerPollsAdmin,
  routes: (app, ctx) => registerPollsRoutes(app, ctx),
  staticDir: join(import.meta.dirname, 'static'),
  seed: async ({ database }) => {
    await seedDemoPolls(database.db);
  },
});
