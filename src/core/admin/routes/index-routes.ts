import type { FastifyInstance } from 'fastify';
import { AdminNotFoundError } from '../errors.js';
import { visibleApps } from '../services/access.js';
import { recentActions } from '../services/history.js';
import { IndexPage } from '../templates/index-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, sendPage, staffUser } from './guard.js';

/** /admin/ (every app the user may see, and their recent actions) and /admin/<app>/. */
export function registerIndexRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const urlOf = (e: { app: string; model: string; objectId: string; action: string }) => {
    const reg = index.get(e.app, e.model);
    return reg && e.action !== 'delete' ? `${reg.url}${encodeURIComponent(e.objectId)}/change/` : undefined;
  };

  app.get('/admin', async (_request, reply) => reply.redirect('/admin/', 301));

  app.get('/admin/', async (request, reply) => {
    const user = staffUser(request);
    const recent = await recentActions(ctx.database.db, user.id);
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        { title: 'Site administration', bodyClass: 'dashboard-page' },
        IndexPage({
          apps: visibleApps(user, index),
          recent: recent.map((entry) => ({ entry, url: urlOf(entry) })),
        }),
      ),
    );
  });

  app.get('/admin/:app/', async (request, reply) => {
    const user = staffUser(request);
    const name = (request.params as { app: string }).app;
    const apps = visibleApps(user, index).filter((a) => a.app === name);
    if (apps.length === 0)
      throw new AdminNotFoundError(`There is no app “${name}” in the admin that you may see.`);
    const label = apps[0]!.label;
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        { title: `${label} administration`, breadcrumbs: [{ label: 'Home', href: '/admin/' }, { label }] },
        IndexPage({ apps }),
      ),
    );
  });
}
