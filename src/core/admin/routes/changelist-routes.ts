import type { FastifyInstance } from 'fastify';
import { PermissionDeniedError } from '../../auth/errors.js';
import { flash } from '../../auth/plugin.js';
import { staleReadDb } from '../../db/database.js';
import { deleteObjects } from '../../models/delete-objects.js';
import { planDelete } from '../../models/delete-plan.js';
import { deleteRefusals } from '../../models/delete-refusals.js';
import { loadChangelist } from '../../models/list.js';
import { loadObjects, parsePk } from '../../models/objects.js';
import { hasObjectPerm, modelPerms, requirePerm } from '../../models/permissions.js';
import { runAction } from '../../models/run-action.js';
import { modelNoun } from '../../text.js';
import { AdminBadRequestError } from '../errors.js';
import { queryOf } from '../query-string.js';
import type { Registration } from '../registration.js';
import { type FormBody, many, one } from '../services/form-values.js';
import { ChangelistPage } from '../templates/changelist-page.js';
import { DeletePage } from '../templates/delete-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, registrationOf, sendPage, staffUser } from './guard.js';

function availableActions(reg: Registration, perms: ReturnType<typeof modelPerms>): [string, string][] {
  const actions: [string, string][] = [];
  if (perms.delete) actions.push(['delete_selected', `Delete selected ${reg.labelPlural.toLowerCase()}`]);
  for (const a of reg.options.actions ?? [])
    if (perms[a.permission ?? 'change']) actions.push([a.name, a.label]);
  return actions;
}

/** GET: the changelist. POST: a bulk action on the selected rows (delete asks to confirm first). */
export function registerChangelistRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const db = ctx.database.db;
  const crumbs = (reg: Registration) => [
    { label: 'Home', href: '/admin/' },
    { label: reg.appLabel, href: `/admin/${reg.app}/` },
    { label: reg.labelPlural },
  ];

  app.get('/admin/:app/:model/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    requirePerm(user, reg, 'view');
    const perms = modelPerms(user, reg);
    const query = queryOf(request);
    // A list may be a little stale: a replica that has this client's last write, if any.
    const list = await loadChangelist(staleReadDb(ctx.database, request.lsnToken), index, reg, user, query);
    const verb = perms.change ? 'change' : 'view';
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          title: `Select ${reg.label.toLowerCase()} to ${verb}`,
          breadcrumbs: crumbs(reg),
          bodyClass: 'change-list',
          current: reg.url,
        },
        ChangelistPage({
          csrfToken: request.csrfToken,
          reg,
          list,
          perms,
          query,
          actions: availableActions(reg, perms),
        }),
      ),
    );
  });

  app.post('/admin/:app/:model/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    requirePerm(user, reg, 'view');
    const perms = modelPerms(user, reg);
    const body = (request.body ?? {}) as FormBody;
    const filters = queryOf(request).toString();
    const back = `${reg.url}${filters ? `?${filters}` : ''}`;
    const actionName = one(body, 'action') ?? '';
    const action = availableActions(reg, perms).find(([name]) => name === actionName);
    if (!actionName) {
      await flash(request, reply, ctx, { level: 'warning', message: 'No action selected.' });
      return reply.redirect(back, 303);
    }
    if (!action)
      throw new PermissionDeniedError(`You may not run “${actionName}” on ${reg.labelPlural.toLowerCase()}.`);
    const pks = many(body, '_selected_action')
      .slice(0, 10_000)
      .map((raw) => parsePk(reg.pk, raw));
    if (pks.some((pk) => pk === undefined))
      throw new AdminBadRequestError('The selection holds an invalid id.');
    const rows = await loadObjects(db, reg, user, pks as (number | string)[]);
    if (rows.length === 0) {
      await flash(request, reply, ctx, {
        level: 'warning',
        message: 'Items must be selected in order to perform actions on them. No items have been changed.',
      });
      return reply.redirect(back, 303);
    }
    const permission =
      actionName === 'delete_selected'
        ? 'delete'
        : (reg.options.actions?.find((a) => a.name === actionName)?.permission ?? 'change');
    if (rows.some((row) => !hasObjectPerm(user, reg, permission, row)))
      throw new PermissionDeniedError(
        `You may not ${permission} some of the selected ${reg.labelPlural.toLowerCase()}.`,
      );

    if (actionName !== 'delete_selected') {
      const run = reg.options.actions!.find((a) => a.name === actionName)!;
      // A refusal (returned, or a typed error thrown) or a part done is flashed at its own
      // level, never as a success.
      const { level, message } = await runAction({ db, user }, reg, run, rows);
      await flash(request, reply, ctx, { level, message });
      return reply.redirect(back, 303);
    }

    const plan = await planDelete(db, index, user, reg, rows);
    const refused = await deleteRefusals({ db, user, index }, reg, rows);
    const blocked = refused.length > 0 || plan.protected.length > 0 || plan.missingPerms.length > 0;
    if (one(body, 'post') === 'yes' && !blocked) {
      const result = await deleteObjects({ db, history: deps.history }, reg, user.id, rows);
      await flash(
        request,
        reply,
        ctx,
        result.ok
          ? {
              level: 'success',
              message: `Successfully deleted ${result.count} ${modelNoun(reg, result.count)}.`,
            }
          : { level: 'error', message: result.message },
      );
      return reply.redirect(back, 303);
    }
    const what =
      rows.length === 1
        ? `the selected ${reg.label.toLowerCase()}`
        : `the selected ${reg.labelPlural.toLowerCase()}`;
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          // As Django: the title says so when nothing can be deleted.
          title: blocked ? `Cannot delete ${modelNoun(reg, rows.length)}` : 'Are you sure?',
          breadcrumbs: [
            ...crumbs(reg).slice(0, 2),
            { label: reg.labelPlural, href: back },
            { label: 'Delete multiple objects' },
          ],
          bodyClass: 'delete-confirmation',
          current: reg.url,
        },
        DeletePage({
          csrfToken: request.csrfToken,
          plan,
          refused,
          what,
          hidden: [
            ['action', 'delete_selected'],
            ...rows.map((r): [string, string] => ['_selected_action', String(r[reg.pk.key])]),
          ],
          action: back,
          back,
        }),
      ),
      blocked && one(body, 'post') === 'yes' ? 403 : 200,
    );
  });
}
