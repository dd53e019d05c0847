import type { FastifyInstance } from 'fastify';
import { PermissionDeniedError } from '../../auth/errors.js';
import { modelPerms } from '../../models/permissions.js';
import { AdminBadRequestError } from '../errors.js';
import { autocomplete } from '../services/autocomplete.js';
import { objectHistory } from '../services/history.js';
import { HistoryPage } from '../templates/history-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, objectFor, registrationOf, sendPage, staffUser } from './guard.js';

/** /admin/<app>/<model>/<id>/history/ and /admin/<app>/<model>/autocomplete/. */
export function registerHistoryRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const db = ctx.database.db;

  app.get('/admin/:app/:model/:id/history/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    const { row, pk } = await objectFor(deps, reg, user, request.params, 'view');
    const entries = await objectHistory(db, reg.app, reg.model, pk);
    const name = reg.str(row);
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          title: `Change history: ${name}`,
          breadcrumbs: [
            { label: 'Home', href: '/admin/' },
            { label: reg.appLabel, href: `/admin/${reg.app}/` },
            { label: reg.labelPlural, href: reg.url },
            { label: name, href: `${reg.url}${encodeURIComponent(String(pk))}/change/` },
            { label: 'History' },
          ],
          current: reg.url,
        },
        HistoryPage({ entries }),
      ),
    );
  });

  /**
   * JSON for foreign key pickers. Allowed to users who may view the target model, or who may
   * add or change a model whose `autocomplete` points at it (they must be able to pick).
   */
  app.get('/admin/:app/:model/autocomplete/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    const pickers = index.registrations.filter((r) =>
      [...r.autocomplete].some((key) => r.meta.field(key)?.references?.foreignTable === reg.meta.table),
    );
    const allowed =
      modelPerms(user, reg).view ||
      pickers.some((r) => modelPerms(user, r).add || modelPerms(user, r).change);
    if (!allowed) throw new PermissionDeniedError(`You may not search ${reg.labelPlural.toLowerCase()}.`);
    if (reg.searchFields.length === 0)
      throw new AdminBadRequestError(`${reg.labelPlural} have no search fields.`);
    const query = request.query as Record<string, unknown>;
    const term = typeof query['term'] === 'string' ? query['term'] : '';
    const page = Math.max(1, Math.min(1000, Number.parseInt(String(query['page'] ?? '1'), 10) || 1));
    return reply.header('cache-control', 'no-store').send(await autocomplete(db, reg, user, term, page));
  });
}
