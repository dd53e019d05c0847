import type { FastifyInstance, FastifyRequest } from 'fastify';
import { installGuard, requirePerm, sendPage, staffUser } from '../admin/routes/guard.js';
import type { FormBody } from '../admin/services/form-values.js';
import { one } from '../admin/services/form-values.js';
import type { AdminIndex } from '../admin/site.js';
import { adminPage, csrfInput } from '../admin/templates/layout.js';
import type { AuthUser } from '../auth/request-user.js';
import { findUserByUsername } from '../auth/users.js';
import type { AppDb } from '../db/database.js';
import { html, type SafeHtml } from '../html/html.js';
import { issueToken } from './issue-token.js';

const PATH = '/admin/api/token/add/';

function errorList(id: string, errors: readonly string[] | undefined): SafeHtml {
  return errors?.length
    ? html`<ul class="errorlist" id="${id}">${errors.map((e) => html`<li>${e}</li>`)}</ul>`
    : html``;
}

function textRow(
  name: string,
  label: string,
  value: string,
  errors: readonly string[] | undefined,
  help: string,
  required: boolean,
): SafeHtml {
  const id = `id_${name}`;
  const described = [...(errors?.length ? [`${id}_error`] : []), `${id}_helptext`].join(' ');
  return html`<div class="form-row field-${name}${errors?.length ? ' errors' : ''}">
<label for="${id}"${required ? html` class="required"` : ''}>${label}:</label>
<div class="field-input"><input type="text" name="${name}" id="${id}" value="${value}" maxlength="150" aria-describedby="${described}"${errors?.length ? html` aria-invalid="true"` : ''}${required ? html` required` : ''}>
${errorList(`${id}_error`, errors)}
<p class="help" id="${id}_helptext">${help}</p></div></div>`;
}

function form(
  request: FastifyRequest,
  user: AuthUser,
  values: { username: string; name: string },
  errors: Record<string, string[]>,
): SafeHtml {
  const count = Object.keys(errors).length;
  return html`${count ? html`<div class="errornote" role="alert"><p>${count === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}</p></div>` : ''}
<form method="post" class="change-form" novalidate>
${csrfInput(request)}
<fieldset class="module aligned">
${
  user.isSuperuser
    ? textRow(
        'username',
        'User',
        values.username,
        errors['username'],
        'The user the token acts as, with all of their permissions.',
        true,
      )
    : html`<div class="form-row"><span class="label">User:</span><div class="field-input"><p>${user.username}</p><p class="help">You can create tokens for yourself; superusers can create them for anyone.</p></div></div>`
}
${textRow('name', 'Name', values.name, errors['name'], 'Where the token is used, e.g. “CI deploys”. Optional.', false)}
</fieldset>
<p class="description">The key is generated on the server and shown once, on the next page. Only its SHA-256 is stored.</p>
<div class="submit-row"><button type="submit" class="button default">Create token</button></div>
</form>`;
}

function created(key: string, username: string, listUrl: string, changeUrl: string): SafeHtml {
  return html`<div class="messages"><p class="message message-warning" role="status">Copy the key now: it is not stored and cannot be shown again.</p></div>
<fieldset class="module aligned">
<div class="form-row"><label for="id_key">Key for ${username}:</label>
<div class="field-input"><input type="text" id="id_key" class="mono" value="${key}" readonly size="60" aria-describedby="id_key_helptext">
<p class="help" id="id_key_helptext">Send it as <code>Authorization: Token ${key.slice(0, 12)}…</code> (or <code>Bearer</code>). Anyone holding it acts as ${username}.</p></div></div>
</fieldset>
<div class="submit-row"><a class="button default" href="${listUrl}">Back to the tokens</a> <a class="button" href="${changeUrl}">Rename this token</a></div>`;
}

/**
 * `/admin/api/token/add/`: the admin's "Add token", replacing the generic form (a static route
 * wins over the admin's `/admin/:app/:model/add/`). GET shows the form; POST issues the token and
 * shows its key once, on a page that is not cached. Guarded like every admin page.
 */
export function registerTokenAdminPage(app: FastifyInstance, index: AdminIndex, db: AppDb): void {
  const reg = index.get('api', 'token');
  if (!reg) return;
  installGuard(app);
  const render = (request: FastifyRequest, content: SafeHtml, title = 'Add token') =>
    adminPage(
      request,
      index,
      {
        title,
        breadcrumbs: [
          { label: 'Home', href: '/admin/' },
          { label: reg.appLabel, href: '/admin/api/' },
          { label: reg.labelPlural, href: reg.url },
          { label: title },
        ],
        bodyClass: 'change-form model-token',
        current: reg.url,
      },
      content,
    );

  app.get(PATH, async (request, reply) => {
    const user = staffUser(request);
    requirePerm(user, reg, 'add');
    return sendPage(reply, render(request, form(request, user, { username: user.username, name: '' }, {})));
  });

  app.post(PATH, async (request, reply) => {
    const user = staffUser(request);
    requirePerm(user, reg, 'add');
    const body = (request.body ?? {}) as FormBody;
    const values = { username: (one(body, 'username') ?? '').trim(), name: one(body, 'name') ?? '' };
    let userId = user.id;
    if (user.isSuperuser) {
      const owner = values.username ? await findUserByUsername(db, values.username) : undefined;
      if (!owner) {
        const errors = {
          username: [values.username ? 'There is no user with this username.' : 'This field is required.'],
        };
        return sendPage(reply, render(request, form(request, user, values, errors)), 200);
      }
      userId = owner.id;
    }
    const result = await issueToken(db, user, { userId, name: values.name });
    if (!result.ok) {
      const errors = { ...result.errors };
      if (errors['userId']) errors['username'] = errors['userId'];
      return sendPage(reply, render(request, form(request, user, values, errors)), 200);
    }
    const changeUrl = `${reg.url}${result.row.id}/change/`;
    return sendPage(
      reply,
      render(request, created(result.key, result.username, reg.url, changeUrl), 'Token created'),
    );
  });
}
