import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/core/auth/sessions.js';
import {
  chromium,
  launchBrowser,
  screenshot,
  startTestServer,
  type TestServer,
} from '../../src/core/testing/browser.js';
import { needs } from '../../src/core/testing/tools.js';
import {
  cookieValue,
  createTestUser,
  expectFitsWindow,
  freshPage,
  grantThroughGroup,
  logIn,
  scalar,
  signedIn,
  TEST_PASSWORD,
  WAIT_MS,
} from './admin-helpers.js';

// Logging in and out of the admin, and who sees what once inside.
describe('admin login, index and logout in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let as: (username: string) => Promise<Page>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    as = signedIn(browser, server);
    const db = server.db.db;
    await createTestUser(db, 'root', { superuser: true });
    const editor = await createTestUser(db, 'editor', { perms: ['polls.change_choice'] });
    await grantThroughGroup(server.db, editor.id, 'Question viewers', ['polls.view_question']);
    await createTestUser(db, 'visitor', { staff: false });
    await createTestUser(db, 'retired', { active: false, superuser: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('sends an anonymous visitor to the login page, then back to the page asked for', async () => {
    const page = await freshPage(browser);
    await page.goto(`${server.url}/admin/polls/question/`);
    expect(new URL(page.url()).pathname).toBe('/admin/login/');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/admin/polls/question/');
    expect(await page.getByLabel('Username').isVisible()).toBe(true);
    await expectFitsWindow(page);
    await screenshot(page, 'admin-login');

    await page.getByLabel('Username').fill('root');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/admin/polls/question/`, { timeout: WAIT_MS });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Select question to change');
    await page.context().close();
  });

  it('shows a superuser every app and model on the index and in the sidebar', async () => {
    const page = await as('root');
    await page.goto(`${server.url}/admin/`);
    expect(await page.title()).toBe('Site administration | Slipway administration');
    expect(await page.getByText('Welcome, root.').count()).toBe(1);
    const main = page.getByRole('main');
    for (const name of ['Questions', 'Choices', 'Users', 'Groups'])
      expect(await main.getByRole('link', { name, exact: true }).count(), name).toBe(1);
    expect(await main.getByRole('link', { name: 'Polls' }).count()).toBe(1);
    expect(await main.getByRole('link', { name: 'Authentication and authorization' }).count()).toBe(1);
    const sidebar = page.getByRole('navigation', { name: 'Models' });
    expect(await sidebar.getByRole('link').allTextContents()).toEqual(
      expect.arrayContaining(['Questions', 'Choices', 'Users', 'Groups']),
    );
    await screenshot(page, 'admin-index');
    await page.context().close();
  });

  // The index's body once shared the `.dashboard` grid class of the app list, which turned the
  // header, sidebar and content into grid cells on wide windows.
  it('lays the index out in the window: header across the top, apps beside the sidebar', async () => {
    const page = await as('root');
    await page.goto(`${server.url}/admin/`);
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const viewport = page.viewportSize()!;
    const header = await box('header.site-header');
    expect(header.x).toBe(0);
    expect(header.width).toBe(viewport.width);
    const sidebar = await box('#nav-sidebar');
    const main = await box('main');
    expect(sidebar.x).toBe(0);
    expect(sidebar.y).toBeGreaterThanOrEqual(header.y + header.height);
    expect(main.x).toBeGreaterThanOrEqual(sidebar.x + sidebar.width);
    expect(main.x + main.width).toBeLessThanOrEqual(viewport.width);
    await expectFitsWindow(page);
    await page.context().close();
  });

  it('shows a staff user only the models their group and own permissions allow', async () => {
    const page = await as('editor');
    await page.goto(`${server.url}/admin/`);
    const main = page.getByRole('main');
    // view_question through the group: a View link, no Add; change_choice held directly: Change.
    expect(await main.getByRole('link', { name: 'Questions', exact: true }).count()).toBe(1);
    expect(await main.getByRole('link', { name: 'View questions' }).count()).toBe(1);
    expect(await main.getByRole('link', { name: 'Add question' }).count()).toBe(0);
    expect(await main.getByRole('link', { name: 'Change choices' }).count()).toBe(1);
    for (const hidden of ['Users', 'Groups', 'Authentication and authorization'])
      expect(await page.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
    const sidebar = page.getByRole('navigation', { name: 'Models' });
    expect((await sidebar.getByRole('link').allTextContents()).sort()).toEqual([
      'Choices',
      'Polls',
      'Questions',
    ]);
    expect(await page.locator('body').innerText()).not.toContain('Users');
    await screenshot(page, 'admin-index-limited');

    const denied = await page.goto(`${server.url}/admin/auth/user/`);
    expect(denied?.status()).toBe(403);
    expect(await page.locator('body').innerText()).toContain('You do not have permission to view users.');
    await page.context().close();
  });

  it('refuses a non-staff or inactive user at login, and answers 403 to a non-staff session', async () => {
    const page = await freshPage(browser);
    const context = page.context();
    for (const username of ['visitor', 'retired']) {
      await page.goto(`${server.url}/admin/login/`);
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForLoadState();
      expect(new URL(page.url()).pathname).toBe('/admin/login/');
      expect(await page.getByRole('alert').textContent()).toContain(
        'Please enter the correct username and password for a staff account.',
      );
      // The username typed is kept; the password never is.
      expect(await page.getByLabel('Username').inputValue()).toBe(username);
      expect(await page.getByLabel('Password').inputValue()).toBe('');
      expect(await cookieValue(context, server.url, 'sessionid')).toBeUndefined();
    }
    await screenshot(page, 'admin-login-refused');
    await page.goto(`${server.url}/admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/login/');

    // Signed in elsewhere on the site (a session of their own), a non-staff user still gets 403.
    const visitor = await scalar(server.db, `SELECT id FROM auth_user WHERE username = 'visitor'`);
    const { token } = await createSession(server.db.db, { userId: visitor, maxAgeMs: 3_600_000 });
    await context.addCookies([
      { name: 'sessionid', value: token, url: server.url, secure: true, httpOnly: true, sameSite: 'Lax' },
    ]);
    const response = await page.goto(`${server.url}/admin/polls/question/`);
    expect(response?.status()).toBe(403);
    expect(await page.locator('body').textContent()).toContain(
      'Your account is not a staff account, so it cannot use the admin.',
    );
    await context.close();
  });

  it('logs out with the POST button, and the copied session cookie is dead afterwards', async () => {
    // A session of its own: logging out ends it for every context that shares it.
    const page = await logIn(await freshPage(browser), server, 'root');
    const stolen = await cookieValue(page.context(), server.url, 'sessionid');
    expect(stolen).toMatch(/^[\w-]{32,}$/);
    const rootId = await scalar(server.db, `SELECT id FROM auth_user WHERE username = 'root'`);
    const sessionsBefore = await scalar(server.db, 'SELECT count(*) FROM auth_session WHERE user_id = $1', [
      rootId,
    ]);
    expect(sessionsBefore).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${server.url}/admin/logout/`, { timeout: WAIT_MS });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Logged out');
    expect(await cookieValue(page.context(), server.url, 'sessionid')).toBeUndefined();
    await screenshot(page, 'admin-logged-out');
    expect(await scalar(server.db, 'SELECT count(*) FROM auth_session WHERE user_id = $1', [rootId])).toBe(
      sessionsBefore - 1,
    );

    // Replaying the cookie in a fresh browser gets the login page, not the admin.
    const thief = await browser.newContext();
    await thief.addCookies([
      { name: 'sessionid', value: stolen!, url: server.url, secure: true, httpOnly: true, sameSite: 'Lax' },
    ]);
    const replay = await thief.newPage();
    await replay.goto(`${server.url}/admin/`);
    expect(new URL(replay.url()).pathname).toBe('/admin/login/');
    expect(await replay.getByText('Welcome, root.').count()).toBe(0);
    await thief.close();
    await page.context().close();
  });

  it('does not log out on a GET of the logout URL', async () => {
    const page = await as('root');
    const response = await page.goto(`${server.url}/admin/logout/`);
    expect(response?.status()).toBe(405);
    await page.goto(`${server.url}/admin/`);
    expect(new URL(page.url()).pathname).toBe('/admin/');
    await page.context().close();
  });
});
