import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../auth/errors.js';
import { flash, login } from '../../auth/plugin.js';
import type { user } from '../../auth/schema.js';
import { setPassword } from '../../auth/users.js';
import { type FormBody, one } from '../services/form-values.js';
import { logAction } from '../services/history.js';
import { UserPasswordChange } from '../templates/login-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, objectFor, registrationOf, sendPage, staffUser } from './guard.js';

type UserRow = typeof user.$inferSelect;

const FIELDS = [
  {
    name: 'password1',
    label: 'Password',
    autocomplete: 'new-password',
    help: 'At least 8 characters, not a common password, not entirely numeric, not too similar to the username or email.',
  },
  { name: 'password2', label: 'Password (again)', autocomplete: 'new-password' },
];

/**
 * /admin/auth/user/<id>/password/: sets another user's password (Django's "Change password"
 * link on the user form). The user's sessions end; when it is the current user, they are
 * signed in again on a new session.
 */
export function registerUserPasswordRoute(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const db = ctx.database.db;
  app.route({
    method: ['GET', 'POST'],
    url: '/admin/auth/user/:id/password/',
    handler: async (request, reply) => {
      const viewer = staffUser(request);
      const reg = registrationOf(index, { app: 'auth', model: 'user' });
      const { row, pk } = await objectFor(deps, reg, viewer, request.params, 'change');
      const target = row as UserRow;
      const errors: Record<string, string[]> = {};
      if (request.method === 'POST') {
        const body = (request.body ?? {}) as FormBody;
        const p1 = one(body, 'password1') ?? '';
        const p2 = one(body, 'password2') ?? '';
        if (!p1) errors['password1'] = ['This field is required.'];
        if (!p2) errors['password2'] = ['This field is required.'];
        else if (p1 !== p2) errors['password2'] = ['The two password fields didn’t match.'];
        if (Object.keys(errors).length === 0) {
          try {
            await setPassword(db, target, p1);
          } catch (error) {
            if (!(error instanceof ValidationError)) throw error;
            errors['password1'] = error.errors.length ? error.errors.map((e) => e.message) : [error.message];
          }
        }
        if (Object.keys(errors).length === 0) {
          await logAction(db, {
            userId: viewer.id,
            app: reg.app,
            model: reg.model,
            objectId: pk,
            objectRepr: reg.str(row),
            action: 'change',
            message: [{ note: 'Changed password.' }],
          });
          if (target.id === viewer.id) await login(request, reply, ctx, target);
          await flash(request, reply, ctx, { level: 'success', message: 'Password changed successfully.' });
          return reply.redirect(`${reg.url}${pk}/change/`, 303);
        }
      }
      const name = reg.str(row);
      return sendPage(
        reply,
        adminPage(
          request,
          index,
          {
            title: `Change password: ${name}`,
            breadcrumbs: [
              { label: 'Home', href: '/admin/' },
              { label: reg.appLabel, href: `/admin/${reg.app}/` },
              { label: reg.labelPlural, href: reg.url },
              { label: name, href: `${reg.url}${pk}/change/` },
              { label: 'Change password' },
            ],
            current: reg.url,
          },
          UserPasswordChange({ name, csrfToken: request.csrfToken, fields: FIELDS, errors }),
        ),
      );
    },
  });
}
