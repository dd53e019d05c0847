import type { FastifyInstance } from 'fastify';
import { flash } from '../../auth/plugin.js';
import { deleteObjects } from '../../models/delete-objects.js';
import { planDelete } from '../../models/delete-plan.js';
import { deleteRefusals } from '../../models/delete-refusals.js';
import { CHANGELIST_FILTERS, carriedFilters, preserveFilters, queryOf } from '../query-string.js';
import { type FormBody, one } from '../services/form-values.js';
import { DeletePage } from '../templates/delete-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, objectFor, registrationOf, sendPage, staffUser } from './guard.js';

/** /admin/<app>/<model>/<id>/delete/: GET shows what the cascade deletes, POST deletes. */
export function registerDeleteRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const db = ctx.database.db;

  app.route({
    method: ['GET', 'POST'],
    url: '/admin/:app/:model/:id/delete/',
    handler: async (request, reply) => {
      const user = staffUser(request);
      const reg = registrationOf(index, request.params);
      const { row, pk } = await objectFor(deps, reg, user, request.params, 'delete');
      const body = (request.method === 'POST' ? (request.body ?? {}) : {}) as FormBody;
      const filters = carriedFilters(
        one(body, CHANGELIST_FILTERS) ?? queryOf(request).get(CHANGELIST_FILTERS),
      );
      const changelist = `${reg.url}${filters ? `?${filters}` : ''}`;
      const objectUrl = `${reg.url}${encodeURIComponent(String(pk))}/`;
      const plan = await planDelete(db, index, user, reg, [row]);
      const refused = await deleteRefusals({ db, user, index }, reg, [row]);
      const blocked = refused.length > 0 || plan.protected.length > 0 || plan.missingPerms.length > 0;
      if (request.method === 'POST' && one(body, 'post') === 'yes' && !blocked) {
        const result = await deleteObjects({ db, history: deps.history }, reg, user.id, [row]);
        if (result.ok) {
          await flash(request, reply, ctx, {
            level: 'success',
            message: `The ${reg.label.toLowerCase()} “${reg.str(row)}” was deleted successfully.`,
          });
          return reply.redirect(changelist, 303);
        }
        await flash(request, reply, ctx, { level: 'error', message: result.message });
        return reply.redirect(`${objectUrl}change/${preserveFilters(filters)}`, 303);
      }
      const name = reg.str(row);
      return sendPage(
        reply,
        adminPage(
          request,
          index,
          {
            // As Django: the title says so when nothing can be deleted.
            title: blocked ? `Cannot delete ${reg.label.toLowerCase()}` : 'Are you sure?',
            breadcrumbs: [
              { label: 'Home', href: '/admin/' },
              { label: reg.appLabel, href: `/admin/${reg.app}/` },
              { label: reg.labelPlural, href: changelist },
              { label: name, href: `${objectUrl}change/${preserveFilters(filters)}` },
              { label: 'Delete' },
            ],
            bodyClass: 'delete-confirmation',
            current: reg.url,
          },
          DeletePage({
            csrfToken: request.csrfToken,
            plan,
            refused,
            what: `the ${reg.label.toLowerCase()} “${name}”`,
            hidden: filters ? [[CHANGELIST_FILTERS, filters]] : [],
            action: `${objectUrl}delete/`,
            back: `${objectUrl}change/${preserveFilters(filters)}`,
          }),
        ),
        blocked && request.method === 'POST' ? 403 : 200,
      );
    },
  });
}
