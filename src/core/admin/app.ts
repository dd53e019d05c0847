import { join } from 'node:path';
import { defineApp } from '../apps/define-app.js';
import { registerAdminRoutes } from './routes/routes.js';
import * as schema from './schema.js';

/**
 * The admin: pages generated from the models that apps register in their `admin` hook (Django's
 * contrib.admin), under /admin/, with its history table and its CSS and script at /static/admin/.
 */
export default defineApp({
  name: 'admin',
  label: 'Administration',
  dependencies: ['auth'],
  schema,
  routes: (app, ctx) => registerAdminRoutes(app, ctx),
  staticDir: join(import.meta.dirname, 'static'),
});
