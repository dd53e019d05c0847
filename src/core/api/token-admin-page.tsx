import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Child } from 'hono/jsx';
import { adminPage } from '../admin/routes/admin-page.js';
import { installGuard, sendPage, staffUser } from '../admin/routes/guard.js';
import type { FormBody } from '../admin/services/form-values.js';
import { one } from '../admin/services/form-values.js';
import type { AdminIndex } from '../admin/site.js';
import { CsrfInput } from '../admin/templates/layout.js';
import { ErrorList } from '../admin/templates/widgets.js';
import type { AuthUser } from '../auth/request-user.js';
import { findUserByUsername } from '../auth/users.js';
import type { AppDb } from '../db/database.js';
import type { HistorySink } from '../models/history.js';
import { requirePerm } from '../models/permissions.js';
import { issueToken } from './issue-token.js';

const PATH = '/admin/api/token/add/';

/** Messages by field name. */
type TokenErrors = Readonly<Record<string, readonly string[]>>;

interface TextRowProps {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly errors: readonly string[] | undefined;
  readonly help: string;
  readonly required: boolean;
}

function TextRow({ name, label, value, errors, help, required }: TextRowProps) {
  const id = `id_${name}`;
  const invalid = Boolean(errors?.length);
  const described = [...(invalid ? [`${id}_error`] : []), `${id}_helptext`].join(' ');
  return (
    <div class={`form-row field-${name}${invalid ? ' errors' : ''}`}>
      <label for={id} class={required ? 'required' : undefined}>
        {label}:
      </label>
      <div class="field-input">
        <input
          type="text"
          name={name}
          id={id}
          value={value}
          maxlength={150}
          aria-describedby={described}
          aria-invalid={invalid ? 'true' : undefined}
          required={required}
        />
        <ErrorList id={`${id}_error`} messages={errors} />
        <p class="help" id={`${id}_helptext`}>
          {help}
        </p>
      </div>
    </div>
  );
}

export interface TokenFormProps {
  readonly csrfToken: string;
  /** A superuser names the token's user; anyone else gets a token for themselves. */
  readonly canChooseUser: boolean;
  /** The signed-in user's name, shown when they cannot choose. */
  readonly username: string;
  readonly values: { readonly username: string; readonly name: string };
  readonly errors: TokenErrors;
}

function OwnUser({ username }: { readonly username: string }) {
  return (
    <div class="form-row">
      <span class="label">User:</span>
      <div class="field-input">
        <p>{username}</p>
        <p class="help">You can create tokens for yourself; superusers can create them for anyone.</p>
      </div>
    </div>
  );
}

/** The "Add token" form. */
export function TokenForm({ csrfToken, canChooseUser, username, values, errors }: TokenFormProps) {
  const count = Object.keys(errors).length;
  return (
    <>
      {count > 0 && (
        <div class="errornote" role="alert">
          <p>{count === 1 ? 'Please correct the error below.' : 'Please correct the errors below.'}</p>
        </div>
      )}
      <form method="post" class="change-form" novalidate>
        <CsrfInput token={csrfToken} />
        <fieldset class="module aligned">
          {canChooseUser ? (
            <TextRow
              name="username"
              label="User"
              value={values.username}
              errors={errors['username']}
              help="The user the token acts as, with all of their permissions."
              required
            />
          ) : (
            <OwnUser username={username} />
          )}
          <TextRow
            name="name"
            label="Name"
            value={values.name}
            errors={errors['name']}
            help="Where the token is used, e.g. “CI deploys”. Optional."
            required={false}
          />
        </fieldset>
        <p class="description">
          The key is generated on the server and shown once, on the next page. Only its SHA-256 is stored.
        </p>
        <div class="submit-row">
          <button type="submit" class="button default">
            Create token
          </button>
        </div>
      </form>
    </>
  );
}

export interface TokenCreatedProps {
  /** The new key, shown this once. */
  readonly tokenKey: string;
  readonly username: string;
  readonly listUrl: string;
  readonly changeUrl: string;
}

/** The new key, shown once, with how to send it. */
export function TokenCreated({ tokenKey, username, listUrl, changeUrl }: TokenCreatedProps) {
  return (
    <>
      <div class="messages">
        <p class="message message-warning" role="status">
          Copy the key now: it is not stored and cannot be shown again.
        </p>
      </div>
      <fieldset class="module aligned">
        <div class="form-row">
          <label for="id_key">Key for {username}:</label>
          <div class="field-input">
            <input
              type="text"
              id="id_key"
              class="mono"
              value={tokenKey}
              readonly
              size={60}
              aria-describedby="id_key_helptext"
            />
            <p class="help" id="id_key_helptext">
              Send it as <code>Authorization: Token {tokenKey.slice(0, 12)}…</code> (or <code>Bearer</code>).
              Anyone holding it acts as {username}.
            </p>
          </div>
        </div>
      </fieldset>
      <div class="submit-row">
        <a class="button default" href={listUrl}>
          Back to the tokens
        </a>{' '}
        <a class="button" href={changeUrl}>
          Rename this token
        </a>
      </div>
    </>
  );
}

/**
 * `/admin/api/token/add/`: the admin's "Add token", replacing the generic form (a static route
 * wins over the admin's `/admin/:app/:model/add/`). GET shows the form; POST issues the token and
 * shows its key once, on a page that is not cached. Guarded like every admin page.
 */
export function registerTokenAdminPage(
  app: FastifyInstance,
  index: AdminIndex,
  db: AppDb,
  history: HistorySink,
): void {
  const reg = index.get('api', 'token');
  if (!reg) return;
  installGuard(app);
  const form = (
    request: FastifyRequest,
    user: AuthUser,
    values: TokenFormProps['values'],
    errors: TokenErrors,
  ) =>
    TokenForm({
      csrfToken: request.csrfToken,
      canChooseUser: user.isSuperuser,
      username: user.username,
      values,
      errors,
    });
  const render = (request: FastifyRequest, content: Child, title = 'Add token') =>
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
    const result = await issueToken({ db, history }, user, { userId, name: values.name });
    if (!result.ok) {
      const errors = { ...result.errors };
      if (errors['userId']) errors['username'] = errors['userId'];
      return sendPage(reply, render(request, form(request, user, values, errors)), 200);
    }
    const changeUrl = `${reg.url}${result.row.id}/change/`;
    return sendPage(
      reply,
      render(
        request,
        TokenCreated({ tokenKey: result.key, username: result.username, listUrl: reg.url, changeUrl }),
        'Token created',
      ),
    );
  });
}
