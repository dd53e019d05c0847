import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { defineApp } from '../apps/define-app.js';
import { createSession, loadSession } from '../auth/sessions.js';
import { LOGIN_LIMITS } from '../auth/throttle.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location, TEST_PASSWORD } from './testing.js';

// Captures the warnings routes log, to check that a throttled login is logged.
const warnings: unknown[][] = [];
const logSpy = defineApp({
  name: 'logspy',
  label: 'Log spy',
  setup: (app) => {
    app.addHook('onRequest', async (request) => {
      const warn = request.log.warn.bind(request.log);
      request.log.warn = ((...args: unknown[]) => {
        warnings.push(args);
        return (warn as (...a: unknown[]) => void)(...args);
      }) as typeof request.log.warn;
    });
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ apps: [...installedApps, logSpy] });
  const db = t.database.db;
  await createTestUser(db, 'admin', { superuser: true });
  await createTestUser(db, 'member', { staff: false });
  await createTestUser(db, 'retired', { active: false });
  await createTestUser(db, 'changer');
});
afterAll(() => t.close());

describe('admin login', () => {
  it('sends anonymous visitors to the login page, remembering where they were going', async () => {
    const res = await new AdminBrowser(t.app).get('/admin/polls/question/?q=x');
    expect(res.statusCode).toBe(302);
    expect(location(res)).toBe('/admin/login/?next=%2Fadmin%2Fpolls%2Fquestion%2F%3Fq%3Dx');
  });

  it('shows a form with labelled inputs and the CSRF token', async () => {
    const browser = new AdminBrowser(t.app);
    const res = await browser.get('/admin/login/?next=/admin/polls/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<label for="id_username" class="required">Username:</label>');
    expect(res.body).toContain('<label for="id_password" class="required">Password:</label>');
    expect(res.body).toContain(`name="csrf_token" value="${browser.cookies.get('csrftoken')}"`);
    expect(res.body).toContain('<input type="hidden" name="next" value="/admin/polls/">');
  });

  it('refuses a POST without the CSRF token with 403', async () => {
    const res = await new AdminBrowser(t.app).post(
      '/admin/login/',
      { username: 'admin', password: TEST_PASSWORD },
      { csrf: false },
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('CSRF verification failed');
  });

  it('logs a staff user in and follows a same-site next', async () => {
    const browser = new AdminBrowser(t.app);
    const res = await browser.post('/admin/login/', {
      username: 'admin',
      password: TEST_PASSWORD,
      next: '/admin/polls/',
    });
    expect(res.statusCode).toBe(303);
    expect(location(res)).toBe('/admin/polls/');
    expect((await browser.get('/admin/')).body).toContain('Welcome, <strong>admin</strong>.');
  });

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)'])(
    'ignores an off-site next (%s)',
    async (next) => {
      const res = await new AdminBrowser(t.app).post('/admin/login/', {
        username: 'admin',
        password: TEST_PASSWORD,
        next,
      });
      expect(location(res)).toBe('/admin/');
    },
  );

  it.each([
    ['a wrong password', 'admin', 'wrong-password-1'],
    ['a user who is not staff', 'member', TEST_PASSWORD],
    ['an inactive user', 'retired', TEST_PASSWORD],
    ['an unknown user', 'nobody', TEST_PASSWORD],
  ])('refuses %s with the staff-account message, keeping the username', async (_what, username, password) => {
    const browser = new AdminBrowser(t.app);
    const res = await browser.post('/admin/login/', { username, password });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Please enter the correct username and password for a staff account.');
    expect(res.body).toContain(`name="username" id="id_username" value="${username}"`);
    expect(browser.cookies.has('sessionid')).toBe(false);
  });

  it('gives a new session id at login: a session planted before login is not the signed-in one', async () => {
    const browser = new AdminBrowser(t.app);
    // An attacker plants an anonymous session id in the victim's browser.
    const { token: planted } = await createSession(t.database.db, { userId: null, maxAgeMs: 3_600_000 });
    browser.cookies.set('sessionid', planted);
    expect((await browser.get('/admin/login/')).statusCode).toBe(200);
    await browser.login('admin');
    const after = browser.cookies.get('sessionid')!;
    expect(after).toMatch(/^[\w-]{43}$/);
    expect(after).not.toBe(planted);
    expect(await loadSession(t.database.db, planted)).toBeUndefined();
    const attacker = new AdminBrowser(t.app);
    attacker.cookies.set('sessionid', planted);
    expect((await attacker.get('/admin/')).statusCode).toBe(302);
    expect((await browser.get('/admin/')).statusCode).toBe(200);
  });

  it('refuses a signed-in user who is not staff with 403, and says so on the login page', async () => {
    const browser = new AdminBrowser(t.app);
    const member = await createTestUser(t.database.db, 'member2', { staff: false });
    await browser.signInDirectly(t.database.db, member.id);
    const res = await browser.get('/admin/');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('not a staff account');
    const forged = await browser.post('/admin/polls/question/add/', {
      questionText: 'x',
      pubDate: '2026-01-01T00:00',
    });
    expect(forged.statusCode).toBe(403);
    expect((await browser.get('/admin/login/')).body).toContain(
      'You are authenticated as member2, but are not authorized',
    );
  });
});

describe('admin logout', () => {
  it('is a POST: GET answers 405 with a logout button', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('admin');
    const res = await browser.get('/admin/logout/');
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect((await browser.get('/admin/')).statusCode).toBe(200);
  });

  it('ends the session on the server: a copy of the cookie is dead too', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('admin');
    const copy = new AdminBrowser(t.app);
    copy.cookies.set('sessionid', browser.cookies.get('sessionid')!);
    expect((await copy.get('/admin/')).statusCode).toBe(200);
    const res = await browser.post('/admin/logout/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Logged out</h1>');
    expect(res.body).toContain('href="/admin/login/"');
    const after = await copy.get('/admin/');
    expect(after.statusCode).toBe(302);
    expect(location(after)).toContain('/admin/login/');
  });
});

describe('password change', () => {
  it('refuses a wrong old password and a mismatch, each next to its field', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('changer');
    const res = await browser.post('/admin/password_change/', {
      old_password: 'not-it',
      new_password1: 'a-new-long-password',
      new_password2: 'another-long-password',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      '<ul class="errorlist" id="id_old_password_error"><li>Your old password was entered incorrectly.',
    );
    expect(res.body).toContain('aria-describedby="id_new_password2_error"');
    expect(res.body).toContain('The two password fields didn’t match.');
  });

  it('applies the password validators', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('changer');
    const res = await browser.post('/admin/password_change/', {
      old_password: TEST_PASSWORD,
      new_password1: '12345678',
      new_password2: '12345678',
    });
    expect(res.body).toContain('This password is entirely numeric.');
  });

  it('changes it, ends the other sessions and keeps this one signed in', async () => {
    const browser = new AdminBrowser(t.app);
    await browser.login('changer');
    const other = new AdminBrowser(t.app);
    await other.login('changer');
    const res = await browser.post('/admin/password_change/', {
      old_password: TEST_PASSWORD,
      new_password1: 'brand-new-passphrase-42',
      new_password2: 'brand-new-passphrase-42',
    });
    expect(res.statusCode).toBe(303);
    expect(location(res)).toBe('/admin/password_change/done/');
    expect((await browser.get('/admin/password_change/done/')).body).toContain('Your password was changed.');
    expect((await other.get('/admin/')).statusCode).toBe(302);
    await new AdminBrowser(t.app).login('changer', 'brand-new-passphrase-42');
  });
});

describe('login throttling', () => {
  it('answers 429 with the message after repeated failures, and logs the username and address', async () => {
    await createTestUser(t.database.db, 'target');
    const browser = new AdminBrowser(t.app);
    for (let i = 0; i < LOGIN_LIMITS.perUsername; i++)
      expect(
        (await browser.post('/admin/login/', { username: 'target', password: `wrong-${i}` })).statusCode,
      ).toBe(200);
    const res = await browser.post('/admin/login/', { username: 'target', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('Too many failed login attempts.');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(browser.cookies.has('sessionid')).toBe(false);
    const logged = warnings.find((w) => w[1] === 'admin login throttled');
    expect(logged?.[0]).toMatchObject({ username: 'target', ip: '127.0.0.1' });
  });
});
