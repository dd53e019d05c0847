import type { LightMyRequestResponse } from 'fastify';
import { installedApps } from '../../apps/installed.js';
import { defineApp } from '../apps/define-app.js';
import { flash, login, logout, takeFlashes } from '../auth/plugin.js';
import { authenticate } from '../auth/throttle.js';
import { buildTestApp, type TestApp } from './build-test-app.js';

/**
 * A tiny app that drives the auth layer the way pages do, for tests that run before (or without)
 * the admin: `POST /t/login` (authenticate, then login), `POST /t/logout`, `GET /t/me`,
 * `GET /t/form` (a page with a form: it reads the CSRF token), `POST /t/echo` (an ordinary
 * CSRF-protected form), `POST /t/flash` and `GET /t/flash`.
 */
export const authTestApp = defineApp({
  name: 'authtest',
  label: 'Auth test routes',
  routes: (app, ctx) => {
    app.post('/t/login', async (request, reply) => {
      const { username = '', password = '' } = request.body as { username?: string; password?: string };
      const found = await authenticate(ctx.database.db, { username, password, ip: request.ip });
      if (!found) return reply.code(401).send({ ok: false });
      await login(request, reply, ctx, found);
      return { ok: true, username: found.username };
    });
    app.post('/t/logout', async (request, reply) => {
      await logout(request, reply, ctx);
      return { ok: true };
    });
    app.get('/t/me', async (request) => ({
      user: request.user && { id: request.user.id, username: request.user.username },
      anonymousSession: request.session !== null && request.session.userId === null,
    }));
    // A page with a form: it reads the CSRF token, which hands a first visitor its cookie.
    app.get('/t/form', async (request) => ({ csrfToken: request.csrfToken }));
    app.post('/t/echo', async (request) => ({ ok: true, body: request.body }));
    app.post('/t/flash', async (request, reply) => {
      await flash(request, reply, ctx, { level: 'info', message: 'Saved.' });
      return { ok: true };
    });
    app.get('/t/flash', async (request) => ({ flashes: takeFlashes(request) }));
  },
});

/** {@link buildTestApp} with the installed apps plus {@link authTestApp}. */
export function buildAuthTestApp(options: { env?: Record<string, string> } = {}): Promise<TestApp> {
  return buildTestApp({ ...options, apps: [...installedApps, authTestApp] });
}

/** A CSRF token the client "already has": the plugin accepts any well-formed cookie it is echoed with. */
export const TEST_CSRF = 'test-csrf-token-0123456789abcdefghijklmnop';

/** The cookies a response sets, by name, with their attributes (from `light-my-request`). */
export function cookiesOf(
  res: LightMyRequestResponse,
): Map<string, LightMyRequestResponse['cookies'][number]> {
  return new Map(res.cookies.map((c) => [c.name, c]));
}

/**
 * A cookie jar over `app.inject()`: keeps what responses set (and drops what they clear), sends
 * it back with each request, and adds the CSRF cookie and header to unsafe methods.
 *
 * @example
 *   const client = new TestClient(t);
 *   await client.post('/t/login', { username: 'alice', password: 'correct horse' });
 *   expect((await client.get('/t/me')).json().user.username).toBe('alice');
 */
export class TestClient {
  readonly jar = new Map<string, string>([['csrftoken', TEST_CSRF]]);

  constructor(
    private readonly t: TestApp,
    private readonly defaults: { remoteAddress?: string; headers?: Record<string, string> } = {},
  ) {}

  get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.request('GET', url, undefined, headers);
  }

  post(
    url: string,
    form: Record<string, string> = {},
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.request('POST', url, { csrf_token: this.jar.get('csrftoken') ?? '', ...form }, headers);
  }

  async request(
    method: 'GET' | 'POST',
    url: string,
    form: Record<string, string> | undefined,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await this.t.app.inject({
      method,
      url,
      remoteAddress: this.defaults.remoteAddress ?? '127.0.0.1',
      headers: {
        host: 'localhost',
        ...(cookie ? { cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...this.defaults.headers,
        ...headers,
      },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    for (const c of res.cookies) {
      const expired = c.value === '' || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (expired) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    return res;
  }
}
