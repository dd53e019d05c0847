import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../apps/define-app.js';
import { historyOf } from '../../models/history.js';
import { UPLOAD_MAX_BYTES, type UploadedFile } from '../../models/upload.js';
import { adminIndex } from '../site.js';
import { registerAuthRoutes } from './auth-routes.js';
import { registerChangelistRoutes } from './changelist-routes.js';
import { registerDeleteRoutes } from './delete-routes.js';
import { installGuard } from './guard.js';
import { registerHistoryRoutes } from './history-routes.js';
import { registerIndexRoutes } from './index-routes.js';
import { registerObjectRoutes } from './object-routes.js';
import { registerUserPasswordRoute } from './user-password-route.js';

/**
 * Mounts the admin under /admin/:
 * 1. the routes serve the index of every installed app's registrations that the admin app built
 *    and checked at boot (a bad option stops the server from booting, naming the app and option);
 * 2. a guard sends anonymous users to the login page and refuses non-staff users;
 * 3. the routes check model and object permissions themselves, for GET and POST alike.
 * Multipart bodies are parsed here, inside the admin's scope, for forms with a file input.
 */
export function registerAdminRoutes(app: FastifyInstance, ctx: AppContext): void {
  const index = adminIndex(ctx);
  const deps = { ctx, index, history: historyOf(ctx) };
  // Forms with a file input (a registration's `upload`) are multipart: fields become the usual
  // body, the file an UploadedFile read into memory, at most UPLOAD_MAX_BYTES (more is cut).
  app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: UPLOAD_MAX_BYTES, files: 1, fields: 10_000, fieldSize: 1024 * 1024 },
    async onFile(part) {
      const data = await part.toBuffer();
      const file: UploadedFile = {
        filename: part.filename,
        mimetype: part.mimetype,
        data,
        truncated: part.file.truncated,
      };
      (part as unknown as { value: UploadedFile }).value = file;
    },
  });
  installGuard(app);
  registerAuthRoutes(app, deps);
  registerIndexRoutes(app, deps);
  registerUserPasswordRoute(app, deps);
  registerHistoryRoutes(app, deps);
  registerDeleteRoutes(app, deps);
  registerObjectRoutes(app, deps);
  registerChangelistRoutes(app, deps);
}
