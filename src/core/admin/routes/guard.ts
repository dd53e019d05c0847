import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../apps/define-app.js';
import { PermissionDeniedError } from '../../auth/errors.js';
import type { AuthUser } from '../../auth/request-user.js';
import type { AppDb } from '../../db/database.js';
import type { HistorySink } from '../../models/history.js';
import type { ModelAction, Row } from '../../models/model.js';
import { findObject } from '../../models/objects.js';
import { AdminNotFoundError } from '../errors.js';
import type { Registration } from '../registration.js';
import type { AdminIndex } from '../site.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Admin routes open to anonymous users (login, logout, the logged-out page). */
    adminPublic?: boolean;
  }
}

/** What every admin route handler receives besides the request. */
export interface AdminDeps {
  readonly ctx: AppContext;
  readonly index: AdminIndex;
  /** Where writes are recorded (the admin's own history, as the app context holds it). */
  readonly history: HistorySink;
}

/**
 * Guards every admin route but the public ones, before any handler runs:
 * 1. nobody signed in (or an inactive user, whom the auth plugin does not load): redirect to the
 *    login page with `?next=` the requested path;
 * 2. a signed-in user who is not staff: 403.
 * Model and object permissions are then checked by each handler.
 */
export function installGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config?.adminPublic) return;
    if (!request.user) {
      const next = encodeURIComponent(request.method === 'GET' ? request.url : '/admin/');
      return reply.redirect(`/admin/login/?next=${next}`, 302);
    }
    if (!request.user.isStaff)
      throw new PermissionDeniedError('Your account is not a staff account, so it cannot use the admin.');
  });
}

/** The signed-in staff user (the guard has run). */
export function staffUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new PermissionDeniedError();
  return request.user;
}

/** The registration named by `:app/:model`, or 404. */
export function registrationOf(index: AdminIndex, params: unknown): Registration {
  const { app, model } = params as { app: string; model: string };
  const reg = index.get(app, model);
  if (!reg) throw new AdminNotFoundError(`There is no model ${app}/${model} in the admin.`);
  return reg;
}

/**
 * The object named by `:id`, checked with the model permission and the object-level hook;
 * 404 when it does not exist (or is outside the registration's scope), 403 when not allowed.
 */
export async function objectFor(
  deps: AdminDeps,
  reg: Registration,
  user: AuthUser,
  params: unknown,
  action: ModelAction,
  /** Where to read: the primary unless a view may be stale (see staleReadDb). */
  db: AppDb = deps.ctx.database.db,
): Promise<{ row: Row; pk: number | string }> {
  const found = await findObject(db, reg, user, (params as { id?: string }).id, action);
  if (found.ok) return { row: found.row, pk: found.pk };
  throw found.refusal === 'missing'
    ? new AdminNotFoundError(found.message)
    : new PermissionDeniedError(found.message);
}

/** Sends an HTML page. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}
