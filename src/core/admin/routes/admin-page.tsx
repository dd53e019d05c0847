import type { FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import { takeFlashes } from '../../auth/plugin.js';
import { renderPage } from '../../html/render.js';
import { visibleApps } from '../services/access.js';
import type { AdminIndex } from '../site.js';
import { type AdminChrome, AdminLayout, type PageOptions } from '../templates/layout.js';

/**
 * The request-dependent part of every admin page: the CSRF token, who is signed in, what the
 * sidebar lists for them and the flash messages queued for them (taking them off the session).
 */
export function adminChrome(request: FastifyRequest, index: AdminIndex): AdminChrome {
  const user = request.user?.isStaff ? request.user : undefined;
  return {
    csrfToken: request.csrfToken,
    staffUsername: user?.username,
    apps: user ? visibleApps(user, index) : [],
    messages: takeFlashes(request),
  };
}

/**
 * Renders an admin page around `content` for this request.
 *
 * @example
 *   sendHtml(reply, adminPage(request, index, { title: 'Site administration' }, <IndexPage … />))
 */
export function adminPage(
  request: FastifyRequest,
  index: AdminIndex,
  options: PageOptions,
  content: Child,
): string {
  return renderPage(
    <AdminLayout chrome={adminChrome(request, index)} options={options}>
      {content}
    </AdminLayout>,
  );
}
