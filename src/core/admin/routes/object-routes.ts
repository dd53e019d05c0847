import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { flash } from '../../auth/plugin.js';
import type { AuthUser } from '../../auth/request-user.js';
import type { Row } from '../../models/model.js';
import { hasObjectPerm, modelPerms, requirePerm } from '../../models/permissions.js';
import { CHANGELIST_FILTERS, carriedFilters, preserveFilters, queryOf } from '../query-string.js';
import type { Registration } from '../registration.js';
import { type FormBody, one } from '../services/form-values.js';
import { type FormState, initialForm, parseForm } from '../services/object-form.js';
import { saveObject } from '../services/save-object.js';
import { storeUpload } from '../services/upload.js';
import { loadWidgetData, readonlyText } from '../services/widget-data.js';
import { FormPage } from '../templates/form-page.js';
import { adminPage } from './admin-page.js';
import { type AdminDeps, objectFor, registrationOf, sendPage, staffUser } from './guard.js';

/** /admin/<app>/<model>/add/ and /admin/<app>/<model>/<id>/change/, GET and POST. */
export function registerObjectRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { ctx, index } = deps;
  const db = ctx.database.db;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    reg: Registration,
    user: AuthUser,
    state: FormState,
    filters: string,
    pk?: number | string,
    refused = false,
  ) {
    const perms = modelPerms(user, reg);
    const original = state.original;
    const editable = original ? perms.change && hasObjectPerm(user, reg, 'change', original) : perms.add;
    const widgets = await loadWidgetData(db, index, reg, state);
    const readonlyTexts = new Map<string, string>();
    for (const f of state.sections.flatMap((s) => s.fields))
      if (f.references && (!editable || state.readonly.has(f.key))) {
        const text = await readonlyText(db, index, f, original?.[f.key]);
        if (text) readonlyTexts.set(f.key, text);
      }
    const objectUrl = pk === undefined ? undefined : `${reg.url}${encodeURIComponent(String(pk))}/`;
    const title = original
      ? `${editable ? 'Change' : 'View'} ${reg.label.toLowerCase()}`
      : `Add ${reg.label.toLowerCase()}`;
    const tools = original
      ? [
          { label: 'History', href: `${objectUrl}history/` },
          ...(reg.options.objectTools?.(original as never, objectUrl!) ?? []),
        ]
      : [];
    const changelist = `${reg.url}${filters ? `?${filters}` : ''}`;
    const content = FormPage({
      csrfToken: request.csrfToken,
      reg,
      state,
      widgets,
      readonlyTexts,
      editable,
      canAdd: perms.add,
      canDelete: Boolean(original && perms.delete && hasObjectPerm(user, reg, 'delete', original)),
      filters,
      objectUrl,
      subtitle: original && reg.str(original),
      tools,
      extraFields: reg.options.extraFields ?? [],
      refused,
    });
    return sendPage(
      reply,
      adminPage(
        request,
        index,
        {
          title,
          heading: title,
          breadcrumbs: [
            { label: 'Home', href: '/admin/' },
            { label: reg.appLabel, href: `/admin/${reg.app}/` },
            { label: reg.labelPlural, href: changelist },
            { label: original ? reg.str(original) : title },
          ],
          bodyClass: `change-form model-${reg.model}`,
          current: reg.url,
        },
        content,
      ),
    );
  }

  async function save(
    request: FastifyRequest,
    reply: FastifyReply,
    reg: Registration,
    user: AuthUser,
    original?: Row,
  ) {
    const body = (request.body ?? {}) as FormBody;
    const filters = carriedFilters(one(body, CHANGELIST_FILTERS));
    const parsed = await parseForm({ db, index, user }, reg, original, body);
    const pkOf = (row: Row) => row[reg.pk.key] as number | string;
    const upload = reg.options.upload;
    const uploadCtx = { db, mediaRoot: ctx.config.mediaRoot, mode: original ? 'change' : 'add' } as const;
    const stored = upload && (await storeUpload(upload, body, parsed.state, uploadCtx));
    if (!parsed.ok || Object.keys(parsed.state.errors).length > 0)
      return render(request, reply, reg, user, parsed.state, filters, original && pkOf(original));
    if (stored) Object.assign(parsed.parsed.values, stored);
    const saved = await saveObject(
      { db, index, user, history: deps.history },
      reg,
      original,
      parsed.parsed,
      parsed.state,
    );
    if (!saved.ok) {
      if (stored) await upload?.discard?.(stored, uploadCtx);
      const refused = saved.reason === 'refused';
      return render(request, reply, reg, user, saved.state, filters, original && pkOf(original), refused);
    }
    const name = `${reg.label.toLowerCase()} “${reg.str(saved.row)}”`;
    const verb = original ? 'changed' : 'added';
    const pk = encodeURIComponent(String(pkOf(saved.row)));
    let target = `${reg.url}${filters ? `?${filters}` : ''}`;
    let message = `The ${name} was ${verb} successfully.`;
    if (one(body, '_continue')) {
      target = `${reg.url}${pk}/change/${preserveFilters(filters)}`;
      message = `The ${name} was ${verb} successfully. You may edit it again below.`;
    } else if (one(body, '_addanother')) {
      target = `${reg.url}add/${preserveFilters(filters)}`;
      message = `The ${name} was ${verb} successfully. You may add another ${reg.label.toLowerCase()} below.`;
    }
    await flash(request, reply, ctx, { level: 'success', message });
    return reply.redirect(target, 303);
  }

  app.get('/admin/:app/:model/add/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    requirePerm(user, reg, 'add');
    const query = queryOf(request);
    const state = await initialForm({ db, index, user }, reg, undefined, query);
    return render(request, reply, reg, user, state, carriedFilters(query.get(CHANGELIST_FILTERS)));
  });

  app.post('/admin/:app/:model/add/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    requirePerm(user, reg, 'add');
    return save(request, reply, reg, user);
  });

  app.get('/admin/:app/:model/:id/change/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    const { row, pk } = await objectFor(deps, reg, user, request.params, 'view');
    const state = await initialForm({ db, index, user }, reg, row);
    return render(
      request,
      reply,
      reg,
      user,
      state,
      carriedFilters(queryOf(request).get(CHANGELIST_FILTERS)),
      pk,
    );
  });

  app.post('/admin/:app/:model/:id/change/', async (request, reply) => {
    const user = staffUser(request);
    const reg = registrationOf(index, request.params);
    const { row } = await objectFor(deps, reg, user, request.params, 'change');
    return save(request, reply, reg, user, row);
  });

  // Django's old URL for the change page.
  app.get('/admin/:app/:model/:id/', async (request, reply) => {
    const { app: a, model, id } = request.params as Record<string, string>;
    return reply.redirect(`/admin/${a}/${model}/${encodeURIComponent(id ?? '')}/change/`, 301);
  });
}
