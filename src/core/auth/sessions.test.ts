import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthTestApp, cookiesOf, TestClient } from '../testing/auth-test-app.js';
import type { TestApp } from '../testing/build-test-app.js';
import { session, user } from './schema.js';
import { createSession, purgeExpiredSessions } from './sessions.js';
import { createUser, findUserByUsername, setPassword, type UserRow } from './users.js';

// DEBUG is off here (the default), so every cookie must be Secure; cookies.test.ts covers DEBUG=1.
let t: TestApp;
let alice: UserRow;
const PASSWORD = 'violet-tractor-91';

beforeAll(async () => {
  t = await buildAuthTestApp();
  alice = await createUser(t.database.db, {
    username: 'alice',
    email: 'alice@example.com',
    password: PASSWORD,
  });
});
afterAll(() => t.close());

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const sessionRows = () => t.database.db.select().from(session);

async function loggedIn(): Promise<{ client: TestClient; token: string }> {
  const client = new TestClient(t);
  const res = await client.post('/t/login', { username: 'alice', password: PASSWORD });
  expect(res.statusCode).toBe(200);
  return { client, token: client.jar.get('sessionid')! };
}

/** Who `/t/me` says is signed in when only `token` is sent as the session cookie. */
async function whoIs(token: string) {
  const res = await t.app.inject({
    url: '/t/me',
    headers: { host: 'localhost', cookie: `sessionid=${token}` },
  });
  return { body: res.json() as { user: { username: string } | null; anonymousSession: boolean }, res };
}

describe('login', () => {
  it('signs in with the right password and sets the session cookie', async () => {
    const client = new TestClient(t);
    const res = await client.post('/t/login', { username: 'alice', password: PASSWORD });
    expect(res.json()).toEqual({ ok: true, username: 'alice' });
    const me = await client.get('/t/me');
    expect(me.json().user).toEqual({ id: alice.id, username: 'alice' });
    const row = await findUserByUsername(t.database.db, 'alice');
    expect(row!.lastLogin).toBeInstanceOf(Date);
    expect(Date.now() - row!.lastLogin!.getTime()).toBeLessThan(60_000);
  });

  it('refuses a wrong password with no session cookie', async () => {
    const client = new TestClient(t);
    const res = await client.post('/t/login', { username: 'alice', password: 'wrong-password-1' });
    expect(res.statusCode).toBe(401);
    expect(cookiesOf(res).has('sessionid')).toBe(false);
    expect((await client.get('/t/me')).json().user).toBeNull();
  });

  it('refuses an inactive user, and an active session stops working once the user is deactivated', async () => {
    const { token } = await loggedIn();
    await t.database.db.update(user).set({ isActive: false }).where(eq(user.id, alice.id));
    try {
      expect((await whoIs(token)).body.user).toBeNull();
      const res = await new TestClient(t).post('/t/login', { username: 'alice', password: PASSWORD });
      expect(res.statusCode).toBe(401);
    } finally {
      await t.database.db.update(user).set({ isActive: true }).where(eq(user.id, alice.id));
    }
    expect((await whoIs(token)).body.user?.username).toBe('alice');
  });
});

describe('the session cookie', () => {
  it('carries at least 128 random bits, base64url', async () => {
    const tokens = await Promise.all([loggedIn(), loggedIn()]);
    for (const { token } of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(tokens[0].token).not.toBe(tokens[1].token);
  });

  it('is HttpOnly, SameSite=Lax, Secure (DEBUG is off), site-wide, and lasts SESSION_COOKIE_AGE', async () => {
    const res = await new TestClient(t).post('/t/login', { username: 'alice', password: PASSWORD });
    const cookie = cookiesOf(res).get('sessionid')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true, path: '/' });
    expect(cookie.maxAge).toBe(14 * 86_400);
    const csrf = cookiesOf(res).get('csrftoken')!;
    expect(csrf).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true, path: '/' });
  });

  it('is stored only as its sha256: the token itself appears nowhere in auth_session', async () => {
    const { token } = await loggedIn();
    const rows = await sessionRows();
    expect(JSON.stringify(rows)).not.toContain(token);
    const mine = rows.filter((r) => r.keyHash === sha256(token));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ userId: alice.id });
    const raw = await t.database.query('SELECT * FROM auth_session');
    expect(JSON.stringify(raw)).not.toContain(token);
  });

  it('is not honoured once expired, and the browser is told to drop it', async () => {
    const { token } = await createSession(t.database.db, { userId: alice.id, maxAgeMs: -1000 });
    const { body, res } = await whoIs(token);
    expect(body.user).toBeNull();
    const cleared = cookiesOf(res).get('sessionid');
    expect(cleared?.value).toBe('');
  });

  it('is not honoured when the server never issued it', async () => {
    const { body, res } = await whoIs('A'.repeat(43));
    expect(body).toEqual({ user: null, anonymousSession: false });
    expect(cookiesOf(res).get('sessionid')?.value).toBe('');
  });
});

describe('purgeExpiredSessions', () => {
  it('deletes the expired sessions and keeps the live ones', async () => {
    const live = await createSession(t.database.db, { userId: alice.id, maxAgeMs: 60_000 });
    const expired = await createSession(t.database.db, { userId: alice.id, maxAgeMs: -1000 });
    const expiredAnonymous = await createSession(t.database.db, { userId: null, maxAgeMs: -60_000 });
    const liveCount = (await sessionRows()).filter((r) => r.expiresAt > new Date()).length;

    expect(await purgeExpiredSessions(t.database.db)).toBeGreaterThanOrEqual(2);

    const keys = (await sessionRows()).map((r) => r.keyHash);
    expect(keys).toContain(sha256(live.token));
    expect(keys).not.toContain(sha256(expired.token));
    expect(keys).not.toContain(sha256(expiredAnonymous.token));
    expect(keys).toHaveLength(liveCount);
    expect(await purgeExpiredSessions(t.database.db)).toBe(0);
  });
});

describe('session fixation', () => {
  it('replaces an anonymous session on login and kills the old id server-side', async () => {
    const client = new TestClient(t);
    await client.post('/t/flash');
    const before = client.jar.get('sessionid')!;
    expect(before).toBeDefined();
    expect((await whoIs(before)).body.anonymousSession).toBe(true);
    const csrfBefore = client.jar.get('csrftoken');

    const res = await client.post('/t/login', { username: 'alice', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const after = client.jar.get('sessionid')!;
    expect(after).not.toBe(before);
    expect(client.jar.get('csrftoken')).not.toBe(csrfBefore);

    // The attacker who planted (or read) the old id gets nothing from it.
    expect((await whoIs(before)).body).toEqual({ user: null, anonymousSession: false });
    expect((await sessionRows()).some((r) => r.keyHash === sha256(before))).toBe(false);
    expect((await whoIs(after)).body.user?.username).toBe('alice');
    // What the anonymous session held (a queued message) carries over to the new one.
    expect((await client.get('/t/flash')).json()).toEqual({
      flashes: [{ level: 'info', message: 'Saved.' }],
    });
  });

  it('replaces a signed-in session when someone signs in again', async () => {
    const { client, token: first } = await loggedIn();
    await client.post('/t/login', { username: 'alice', password: PASSWORD });
    const second = client.jar.get('sessionid')!;
    expect(second).not.toBe(first);
    expect((await whoIs(first)).body.user).toBeNull();
  });
});

describe('logout', () => {
  it('deletes the session server-side: a copy of the old cookie no longer authenticates', async () => {
    const { client, token } = await loggedIn();
    expect((await whoIs(token)).body.user?.username).toBe('alice');

    const res = await client.post('/t/logout');
    expect(res.statusCode).toBe(200);
    expect(cookiesOf(res).get('sessionid')?.value).toBe('');
    expect((await client.get('/t/me')).json().user).toBeNull();

    // Replaying the cookie (as a thief who copied it would) finds nothing.
    expect((await whoIs(token)).body.user).toBeNull();
    expect((await sessionRows()).some((r) => r.keyHash === sha256(token))).toBe(false);
  });

  it("only ends this browser's session", async () => {
    const a = await loggedIn();
    const b = await loggedIn();
    await a.client.post('/t/logout');
    expect((await whoIs(b.token)).body.user?.username).toBe('alice');
  });
});

describe('a password change', () => {
  it('ends every session of the user, including ones on other browsers', async () => {
    const a = await loggedIn();
    const b = await loggedIn();
    await setPassword(t.database.db, alice, 'saffron-kettle-27');
    try {
      expect((await whoIs(a.token)).body.user).toBeNull();
      expect((await whoIs(b.token)).body.user).toBeNull();
      const old = await new TestClient(t).post('/t/login', { username: 'alice', password: PASSWORD });
      expect(old.statusCode).toBe(401);
    } finally {
      await setPassword(t.database.db, alice, PASSWORD);
    }
  });
});

describe('flash messages', () => {
  it('survive one redirect in an anonymous session and are shown once', async () => {
    const client = new TestClient(t);
    expect((await client.post('/t/flash')).statusCode).toBe(200);
    expect((await client.get('/t/flash')).json()).toEqual({
      flashes: [{ level: 'info', message: 'Saved.' }],
    });
    expect((await client.get('/t/flash')).json()).toEqual({ flashes: [] });
  });

  it('are kept in the signed-in session without replacing it', async () => {
    const { client, token } = await loggedIn();
    await client.post('/t/flash');
    await client.post('/t/flash');
    expect(client.jar.get('sessionid')).toBe(token);
    expect((await client.get('/t/flash')).json().flashes).toHaveLength(2);
    expect((await client.get('/t/me')).json().user?.username).toBe('alice');
  });
});
