import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthTestApp, cookiesOf, TestClient } from '../testing/auth-test-app.js';
import type { TestApp } from '../testing/build-test-app.js';
import { createUser } from './users.js';

// DEBUG=1 behind one trusted proxy: cookies are Secure only when the request really came over
// HTTPS, and only the trusted proxy may say so (sessions.test.ts covers DEBUG=0: always Secure).
const PROXY = '10.0.0.5';
let t: TestApp;

beforeAll(async () => {
  t = await buildAuthTestApp({ env: { DEBUG: '1', TRUSTED_PROXIES: PROXY } });
  await createUser(t.database.db, { username: 'alice', password: 'violet-tractor-91' });
});
afterAll(() => t.close());

async function loginCookies(remoteAddress: string, headers: Record<string, string> = {}) {
  const client = new TestClient(t, { remoteAddress, headers });
  const res = await client.post('/t/login', { username: 'alice', password: 'violet-tractor-91' });
  expect(res.statusCode).toBe(200);
  return cookiesOf(res);
}

describe('cookies under DEBUG=1', () => {
  it('are not Secure over plain http, so a developer can sign in on http://localhost', async () => {
    const cookies = await loginCookies('127.0.0.1');
    expect(cookies.get('sessionid')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookies.get('sessionid')?.secure).toBeFalsy();
    expect(cookies.get('csrftoken')?.secure).toBeFalsy();
  });

  it('are Secure when a trusted proxy says the request came over HTTPS', async () => {
    const cookies = await loginCookies(PROXY, { 'x-forwarded-proto': 'https' });
    expect(cookies.get('sessionid')).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    expect(cookies.get('csrftoken')).toMatchObject({ secure: true });
  });

  it('ignore X-Forwarded-Proto from an address that is not a trusted proxy', async () => {
    const cookies = await loginCookies('192.0.2.7', { 'x-forwarded-proto': 'https' });
    expect(cookies.get('sessionid')?.secure).toBeFalsy();
    expect(cookies.get('sessionid')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('a first visit gets its CSRF cookie with the same rules', async () => {
    const direct = await t.app.inject({ url: '/t/form', headers: { host: 'localhost' } });
    expect(cookiesOf(direct).get('csrftoken')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(cookiesOf(direct).get('csrftoken')?.secure).toBeFalsy();
    const proxied = await t.app.inject({
      url: '/t/form',
      remoteAddress: PROXY,
      headers: { host: 'localhost', 'x-forwarded-proto': 'https' },
    });
    expect(cookiesOf(proxied).get('csrftoken')).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    });
  });
});
