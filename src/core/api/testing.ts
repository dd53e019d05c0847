import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { installedApps } from '../../apps/installed.js';
import { AdminBrowser, createTestUser } from '../admin/testing.js';
import { createSession } from '../auth/sessions.js';
import type { AppDb } from '../db/database.js';
import { createToken } from './tokens.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a test client authenticates: a token key, a session (with or without its CSRF header), or not at all. */
export type ApiAuth =
  | { token: string }
  | { session: string; csrf?: boolean }
  | { authorization: string }
  | Record<string, never>;

/**
 * The apps the polls-based API tests run with: the framework's and polls, so that those tests
 * depend on no other app.
 */
export const pollsApps = installedApps.filter((a) => ['auth', 'admin', 'api', 'polls'].includes(a.name));

const CSRF = 'api-test-csrf-token-0123456789abcdefghijkl';

/**
 * A JSON client over `app.inject()`.
 *
 * @example
 *   const api = new ApiClient(t.app, { token: key });
 *   const res = await api.post('/api/v1/polls/question/', { questionText: 'Why?', pubDate: '2026-01-01T00:00:00Z' });
 */
export class ApiClient {
  constructor(
    private readonly app: FastifyInstance,
    private readonly auth: ApiAuth = {},
  ) {}

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request('GET', url);
  }
  post(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.request('POST', url, body);
  }
  put(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.request('PUT', url, body);
  }
  patch(url: string, body: unknown): Promise<LightMyRequestResponse> {
    return this.request('PATCH', url, body);
  }
  delete(url: string): Promise<LightMyRequestResponse> {
    return this.request('DELETE', url);
  }

  /** Sends `body` as JSON, or `raw` as it is (with a JSON content type, unless `contentType`). */
  request(
    method: Method,
    url: string,
    body?: unknown,
    raw?: string,
    contentType = 'application/json',
  ): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { host: 'localhost', accept: 'application/json' };
    if ('token' in this.auth) headers['authorization'] = `Token ${this.auth.token}`;
    if ('authorization' in this.auth) headers['authorization'] = this.auth.authorization;
    if ('session' in this.auth) {
      headers['cookie'] = `sessionid=${this.auth.session}; csrftoken=${CSRF}`;
      if (this.auth.csrf !== false) headers['x-csrf-token'] = CSRF;
    }
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = contentType;
    return this.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  }
}

/**
 * A user with the given permission codenames (not staff: the API does not need it) and a token.
 *
 * @example
 *   const { key } = await userWithToken(db, 'viewer', ['polls.view_question']);
 */
export async function userWithToken(
  db: AppDb,
  username: string,
  perms: readonly string[] = [],
  options: { superuser?: boolean; active?: boolean } = {},
): Promise<{ key: string; userId: number }> {
  const user = await createTestUser(db, username, { perms, staff: false, ...options });
  const { key } = await createToken(db, { userId: user.id, name: 'test' });
  return { key, userId: user.id };
}

/** A session cookie value for a user, as if they had signed in. */
export async function sessionFor(db: AppDb, userId: number): Promise<string> {
  return (await createSession(db, { userId, maxAgeMs: 3_600_000 })).token;
}

/**
 * A superuser signed in to the admin ('admin') and a superuser's API client ('root'), for tests
 * that check one behaviour through both surfaces.
 *
 * @example
 *   ({ browser, api } = await superuserClients(t.app, t.database.db));
 */
export async function superuserClients(
  app: FastifyInstance,
  db: AppDb,
): Promise<{ browser: AdminBrowser; api: ApiClient }> {
  await createTestUser(db, 'admin', { superuser: true });
  const browser = new AdminBrowser(app);
  await browser.login('admin');
  const { key } = await userWithToken(db, 'root', [], { superuser: true });
  return { browser, api: new ApiClient(app, { token: key }) };
}
