import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { ApiClient, pollsApps, sessionFor, userWithToken } from './testing.js';
import { hashKey } from './tokens.js';

// Who may call the API: a token (Token or Bearer), or a session cookie with its CSRF header.
let t: TestApp;
let key: string;
let userId: number;
const URL = '/api/v1/polls/question/';
const body = { questionText: 'Authenticated?', pubDate: '2026-01-01T00:00:00Z' };
const q = (sql: string, params: unknown[] = []) => t.database.query<Record<string, unknown>>(sql, params);

beforeAll(async () => {
  t = await buildTestApp({ apps: pollsApps });
  ({ key, userId } = await userWithToken(t.database.db, 'editor', [
    'polls.view_question',
    'polls.add_question',
  ]));
});
afterAll(() => t.close());

describe('tokens', () => {
  it('authenticate with "Token <key>" or "Bearer <key>", and need no CSRF header', async () => {
    expect((await new ApiClient(t.app, { token: key }).get(URL)).statusCode).toBe(200);
    const bearer = new ApiClient(t.app, { authorization: `Bearer ${key}` });
    expect((await bearer.get(URL)).statusCode).toBe(200);
    expect((await bearer.post(URL, body)).statusCode).toBe(201);
  });

  it('are stored as a sha256 only, and note when they were last used', async () => {
    const rows = await q('SELECT key_hash, prefix, last_used_at FROM api_token WHERE user_id = $1', [userId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!['key_hash']).toBe(hashKey(key));
    expect(rows[0]!['prefix']).toBe(key.slice(0, 12));
    expect(rows[0]!['last_used_at']).toBeInstanceOf(Date);
    expect(JSON.stringify(rows)).not.toContain(key);
  });

  it('refuse a wrong or malformed key with 401 and WWW-Authenticate', async () => {
    const wrong = `slw_${'A'.repeat(43)}`;
    for (const authorization of [`Token ${wrong}`, 'Token', `Bearer ${key}x`, `Token ${key} extra`]) {
      const res = await new ApiClient(t.app, { authorization }).get(URL);
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Token realm="api", Bearer realm="api"');
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        status: 401,
        detail: 'The token is invalid, or its user is inactive.',
      });
    }
  });

  it('are refused when their user is inactive', async () => {
    const inactive = await userWithToken(t.database.db, 'gone', ['polls.view_question'], { active: false });
    expect((await new ApiClient(t.app, { token: inactive.key }).get(URL)).statusCode).toBe(401);
  });

  it('win over a session cookie sent alongside, and a bad key is not rescued by one', async () => {
    const admin = await userWithToken(t.database.db, 'admin-cookie', [], { superuser: true });
    const session = await sessionFor(t.database.db, admin.userId);
    const headers = { host: 'localhost', cookie: `sessionid=${session}` };
    const asEditor = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/user/',
      headers: { ...headers, authorization: `Token ${key}` },
    });
    expect(asEditor.statusCode).toBe(403);
    const bad = await t.app.inject({
      method: 'GET',
      url: URL,
      headers: { ...headers, authorization: 'Token nope' },
    });
    expect(bad.statusCode).toBe(401);
  });
});

describe('anonymous requests', () => {
  it('get 401 with WWW-Authenticate, before the body is looked at', async () => {
    const api = new ApiClient(t.app);
    for (const res of [
      await api.get(URL),
      await api.post(URL, { nonsense: true }),
      await api.delete(`${URL}1/`),
    ]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Token');
      expect(res.json().title).toBe('Authentication required');
    }
  });
});

describe('the session cookie', () => {
  let session: string;
  beforeAll(async () => {
    session = await sessionFor(t.database.db, userId);
  });

  it('reads without a CSRF header', async () => {
    expect((await new ApiClient(t.app, { session, csrf: false }).get(URL)).statusCode).toBe(200);
  });

  it('writes only with the CSRF header', async () => {
    const without = await new ApiClient(t.app, { session, csrf: false }).post(URL, body);
    expect(without.statusCode).toBe(403);
    expect(without.json().detail).toContain('CSRF verification failed');
    const withHeader = await new ApiClient(t.app, { session }).post(URL, body);
    expect(withHeader.statusCode).toBe(201);
  });

  it('refuses a request from another site even with the token echoed', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: {
        host: 'localhost',
        origin: 'https://evil.example',
        cookie: `sessionid=${session}; csrftoken=api-test-csrf-token-0123456789abcdefghijkl`,
        'x-csrf-token': 'api-test-csrf-token-0123456789abcdefghijkl',
        'content-type': 'application/json',
      },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(403);
  });
});
