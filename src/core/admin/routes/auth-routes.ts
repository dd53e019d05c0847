import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LoginThrottledError, ValidationError } from '../../auth/errors.js';
import { verifyPassword } from '../../auth/passwords.js';
import { login, logout } from '../../auth/plugin.js';
import { authenticate } from '../../auth/throttle.js';
import { findUserByUsername, setPassword } from '../../auth/users.js';
import { safeNext } from '../query-string.js';
import { type FormBody, one } from '../services/form-values.js';
import {
  LoggedOut,
  LoginForm,
  type LoginFormProps,
  LogoutConfirm,
  OwnPasswordChange,
  PasswordChanged,
  type PasswordErrors,
} from '../templates/login-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, sendPage, staffUser } from './guard.js';

const STAFF_ONLY =
  'Please enter the correct username and password for a staff account. Note that the password is case-sensitive.';

/** /admin/login/, /admin/logout/ and /admin/password_change/ (Django's admin auth views). */
export function registerAuthRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const loginPage = (request: FastifyRequest, form: Omit<LoginFormProps, 'csrfToken'>) =>
    adminPage(
      request,
      index,
      { title: 'Log in', heading: 'Slipway administration', nav: false, bodyClass: 'login' },
      LoginForm({ csrfToken: request.csrfToken, ...form }),
    );

  app.get('/admin/login/', { config: { adminPublic: true } }, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>)['next']);
    if (request.user?.isStaff) return reply.redirect(next, 302);
    const notice = request.user
      ? `You are authenticated as ${request.user.username}, but are not authorized to access this page. Would you like to login to a different account?`
      : undefined;
    return sendPage(reply, loginPage(request, { username: '', next, notice }));
  });

  app.post('/admin/login/', { config: { adminPublic: true } }, async (request, reply) => {
    const body = (request.body ?? {}) as FormBody;
    const username = (one(body, 'username') ?? '').trim().slice(0, 150);
    const password = one(body, 'password') ?? '';
    const next = safeNext(one(body, 'next'));
    const fail = (error: string, status: number) =>
      sendPage(reply, loginPage(request, { username, next, error }), status);
    if (!username || !password) return fail(STAFF_ONLY, 200);
    let found: Awaited<ReturnType<typeof authenticate>>;
    try {
      found = await authenticate(ctx.database.db, { username, password, ip: request.ip });
    } catch (error) {
      if (!(error instanceof LoginThrottledError)) throw error;
      request.log.warn(
        { username, ip: request.ip, retryAfter: error.retryAfterSeconds },
        'admin login throttled',
      );
      reply.header('retry-after', String(error.retryAfterSeconds));
      return fail(error.message, 429);
    }
    if (!found?.isStaff || !found.isActive) return fail(STAFF_ONLY, 200);
    await login(request, reply, ctx, found);
    return reply.redirect(next, 303);
  });

  app.get('/admin/logout/', { config: { adminPublic: true } }, async (request, reply) => {
    reply.header('allow', 'POST');
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        { title: 'Log out', nav: false },
        LogoutConfirm({ csrfToken: request.csrfToken }),
      ),
      405,
    );
  });

  app.post('/admin/logout/', { config: { adminPublic: true } }, async (request, reply) => {
    await logout(request, reply, ctx);
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          title: 'Logged out',
          nav: false,
          breadcrumbs: [{ label: 'Home', href: '/admin/' }, { label: 'Logged out' }],
        },
        LoggedOut(),
      ),
    );
  });

  const passwordFields = [
    { name: 'old_password', label: 'Old password', autocomplete: 'current-password' },
    {
      name: 'new_password1',
      label: 'New password',
      autocomplete: 'new-password',
      help: 'At least 8 characters, not a common password, not entirely numeric, not too similar to your username or email.',
    },
    { name: 'new_password2', label: 'New password confirmation', autocomplete: 'new-password' },
  ];
  const crumbs = [{ label: 'Home', href: '/admin/' }, { label: 'Password change' }];
  const changePage = (request: FastifyRequest, errors: PasswordErrors) =>
    adminPage(
      request,
      index,
      { title: 'Password change', breadcrumbs: crumbs },
      OwnPasswordChange({ csrfToken: request.csrfToken, fields: passwordFields, errors }),
    );

  app.get('/admin/password_change/', async (request, reply) => sendPage(reply, changePage(request, {})));

  app.post('/admin/password_change/', async (request, reply) => {
    const user = staffUser(request);
    const body = (request.body ?? {}) as FormBody;
    const row = await findUserByUsername(ctx.database.db, user.username);
    const errors: Record<string, string[]> = {};
    const newPassword = one(body, 'new_password1') ?? '';
    if (!row || !(await verifyPassword(row.password, one(body, 'old_password') ?? '')))
      errors['old_password'] = ['Your old password was entered incorrectly. Please enter it again.'];
    if (!newPassword) errors['new_password1'] = ['This field is required.'];
    if (newPassword !== (one(body, 'new_password2') ?? ''))
      errors['new_password2'] = ['The two password fields didn’t match.'];
    if (Object.keys(errors).length === 0 && row) {
      try {
        await setPassword(ctx.database.db, row, newPassword);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        errors['new_password1'] = error.errors.length ? error.errors.map((e) => e.message) : [error.message];
      }
    }
    if (Object.keys(errors).length > 0 || !row) return sendPage(reply, changePage(request, errors));
    // setPassword ended every session, this one too: sign the user in again on a fresh session.
    await login(request, reply, ctx, row);
    return reply.redirect('/admin/password_change/done/', 303);
  });

  app.get('/admin/password_change/done/', async (request, reply) =>
    sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          title: 'Password change successful',
          breadcrumbs: [{ label: 'Home', href: '/admin/' }, { label: 'Password change' }],
        },
        PasswordChanged(),
      ),
    ),
  );
}
