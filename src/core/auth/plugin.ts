import { randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../apps/define-app.js';
import type { Config } from '../config/index.js';
import { CsrfError } from './errors.js';
import { loadUserPermissions } from './permissions.js';
import { type AuthUser, toAuthUser } from './request-user.js';
import { user } from './schema.js';
import {
  createSession,
  deleteSession,
  loadSession,
  type SessionRecord,
  saveSessionData,
} from './sessions.js';
import type { UserRow } from './users.js';

export const SESSION_COOKIE = 'sessionid';
export const CSRF_COOKIE = 'csrftoken';
/** The form field (or `X-CSRF-Token` header) that must repeat the CSRF cookie. */
export const CSRF_FIELD = 'csrf_token';

export interface FlashMessage {
  level: 'success' | 'info' | 'warning' | 'error';
  message: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in, active user, or null. */
    user: AuthUser | null;
    /** The current session (signed in, or anonymous after a flash), or null. */
    session: SessionRecord | null;
    /**
     * The token to put in every form's `csrf_token` field. Reading it on a visitor's first
     * request makes the token and sets its cookie, as Django's `get_token()` does: pages without
     * a form set no cookie (and stay cacheable).
     */
    csrfToken: string;
    sessionDirty: boolean;
  }
  interface FastifyContextConfig {
    /** Set false on routes authenticated otherwise (API tokens) to skip the CSRF check. */
    csrf?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The request's CSRF token ('' until made) and the reply that sets its cookie. */
const kCsrf = Symbol('slipway.csrf');

declare module 'fastify' {
  interface FastifyRequest {
    [kCsrf]: { token: string; reply: FastifyReply } | null;
  }
}

const CSRF_COOKIE_AGE_MS = 365 * 86_400_000;

/** A new CSRF token for the request, and its cookie on the reply. */
function rotateCsrfToken(request: FastifyRequest, reply: FastifyReply, config: Config): void {
  const token = randomBytes(32).toString('base64url');
  request[kCsrf] = { token, reply };
  setCookie(request, reply, config, CSRF_COOKIE, token, CSRF_COOKIE_AGE_MS);
}

/**
 * Wires accounts into every request:
 * 1. onRequest: the session cookie is looked up in the database; an active user becomes
 *    `request.user`, with their permissions. Requests without the cookie touch no table.
 * 2. preHandler: unsafe methods must echo the CSRF cookie in `csrf_token` or `X-CSRF-Token`,
 *    and come from this site (Origin), or get a 403 that says why.
 * 3. onSend: session data changed by a flash message is saved.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  const { database, config } = ctx;
  app.decorateRequest('user', null);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionDirty', false);
  app.decorateRequest(kCsrf, null);
  app.decorateRequest('csrfToken', {
    getter(this: FastifyRequest) {
      const state = this[kCsrf];
      if (!state) return ''; // a response made before the auth hook ran (a refused Host)
      if (state.token === '') rotateCsrfToken(this, state.reply, config);
      return this[kCsrf]!.token;
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    const existing = request.cookies[CSRF_COOKIE];
    request[kCsrf] = { token: existing && /^[\w-]{32,64}$/.test(existing) ? existing : '', reply };

    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const found = await loadSession(database.db, token);
    if (!found) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return;
    }
    request.session = found;
    if (found.userId === null) return;
    const [row] = await database.db.select().from(user).where(eq(user.id, found.userId)).limit(1);
    if (row?.isActive) request.user = toAuthUser(row, await loadUserPermissions(database.db, row.id));
  });

  app.addHook('preHandler', async (request) => {
    // A URL that names nothing is a 404 whatever the method, as in Django (CSRF is checked per view).
    if (SAFE_METHODS.has(request.method) || request.is404 || request.routeOptions.config?.csrf === false)
      return;
    checkCsrf(request);
  });

  app.addHook('onSend', async (request) => {
    if (request.sessionDirty && request.session) {
      await saveSessionData(database.db, request.session.keyHash, request.session.data);
      request.sessionDirty = false;
    }
  });
}

/**
 * Throws {@link CsrfError} unless the request echoes the CSRF cookie (form field or
 * `X-CSRF-Token`) and comes from this site. Exported for routes that set `csrf: false` because
 * they accept other credentials too (the API checks it when a request is authenticated by the
 * session cookie rather than a token).
 */
export function checkCsrf(request: FastifyRequest): void {
  const cookie = request.cookies[CSRF_COOKIE];
  const body = request.body as Record<string, unknown> | undefined;
  const sent =
    (typeof body?.[CSRF_FIELD] === 'string' ? body[CSRF_FIELD] : undefined) ??
    request.headers['x-csrf-token'];
  if (!cookie)
    throw new CsrfError('the CSRF cookie is missing. Your browser may be blocking cookies for this site.');
  if (typeof sent !== 'string' || sent === '') throw new CsrfError('the form has no CSRF token.');
  const a = Buffer.from(sent);
  const b = Buffer.from(cookie);
  if (a.length !== b.length || !timingSafeEqual(a, b))
    throw new CsrfError('the CSRF token is wrong or expired. Reload the page and try again.');
  const origin = request.headers.origin;
  if (origin && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new CsrfError('the Origin header is malformed.');
    }
    if (host !== request.headers.host) throw new CsrfError(`the request came from another site (${origin}).`);
  }
}

/** Cookies are HttpOnly and SameSite=Lax; Secure unless DEBUG, or whenever the request is HTTPS. */
function setCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  name: string,
  value: string,
  maxAgeMs: number,
): void {
  reply.setCookie(name, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: !config.debug || request.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/**
 * Signs `row` in: the old session (and its id) is discarded and a new one made, so an id planted
 * before login is worthless (session fixation); the CSRF token is rotated too.
 */
export async function login(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  row: UserRow,
): Promise<void> {
  // Like Django's login(): a new id always; the data (queued messages) carries over from an
  // anonymous session or the same user's, never from another user's.
  const previous = request.session;
  const data = previous && (previous.userId === null || previous.userId === row.id) ? previous.data : {};
  if (request.session) await deleteSession(ctx.database.db, request.session.keyHash);
  const maxAgeMs = ctx.config.sessionCookieAgeMs;
  const { token } = await createSession(ctx.database.db, { userId: row.id, data, maxAgeMs });
  setCookie(request, reply, ctx.config, SESSION_COOKIE, token, maxAgeMs);
  rotateCsrfToken(request, reply, ctx.config);
  request.session = (await loadSession(ctx.database.db, token)) ?? null;
  request.user = toAuthUser(row, await loadUserPermissions(ctx.database.db, row.id));
}

/** Signs out: the session is deleted server-side, so a copied cookie is dead too. */
export async function logout(request: FastifyRequest, reply: FastifyReply, ctx: AppContext): Promise<void> {
  if (request.session) await deleteSession(ctx.database.db, request.session.keyHash);
  request.session = null;
  request.user = null;
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/**
 * Queues a message for the next page the user sees (Django's messages framework). Creates an
 * anonymous session when there is none.
 */
export async function flash(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AppContext,
  message: FlashMessage,
): Promise<void> {
  if (!request.session) {
    const { token } = await createSession(ctx.database.db, {
      userId: null,
      maxAgeMs: ctx.config.sessionCookieAgeMs,
    });
    setCookie(request, reply, ctx.config, SESSION_COOKIE, token, ctx.config.sessionCookieAgeMs);
    request.session = (await loadSession(ctx.database.db, token)) ?? null;
  }
  if (!request.session) return;
  const queued = (request.session.data['flash'] as FlashMessage[] | undefined) ?? [];
  request.session.data = { ...request.session.data, flash: [...queued, message] };
  request.sessionDirty = true;
}

/** The queued messages, removed from the session: call while rendering a page. */
export function takeFlashes(request: FastifyRequest): FlashMessage[] {
  const queued = (request.session?.data['flash'] as FlashMessage[] | undefined) ?? [];
  if (queued.length > 0 && request.session) {
    const { flash: _taken, ...rest } = request.session.data;
    request.session.data = rest;
    request.sessionDirty = true;
  }
  return queued;
}
