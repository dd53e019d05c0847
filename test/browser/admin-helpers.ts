// Helpers shared by the admin's browser tests: logging in, seeding rows, and page assertions.
import { eq, inArray } from 'drizzle-orm';
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTestUser, TEST_PASSWORD } from '../../src/core/admin/testing.js';
import { group, groupPermission, permission, userGroup } from '../../src/core/auth/schema.js';
import type { Database } from '../../src/core/db/database.js';
import type { TestServer } from '../../src/core/testing/browser.js';

export { createTestUser, TEST_PASSWORD };

/** Playwright waits are bounded: a broken page fails in seconds, not at the 60 s test timeout. */
export const WAIT_MS = 10_000;

/**
 * Logs in through /admin/login/ with the form's labelled inputs, and waits for the redirect.
 * Returns the page, now on `next` (the admin index by default).
 */
export async function logIn(
  page: Page,
  server: TestServer,
  username: string,
  password = TEST_PASSWORD,
  next = '/admin/',
): Promise<Page> {
  await page.goto(`${server.url}/admin/login/?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === next.split('?')[0], { timeout: WAIT_MS }),
    page.getByRole('button', { name: 'Log in' }).click(),
  ]);
  return page;
}

/** A fresh context (its own cookies, bounded waits) and its page. Close the context after. */
export async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  return context.newPage();
}

/**
 * `as(username)`: a page in a fresh context, signed in as that user. The login form is filled
 * once per user; later contexts start from its saved cookies (the same server-side session),
 * which saves a password hash and three page loads per test. Use {@link logIn} on a
 * {@link freshPage} when the test needs a session of its own (logout, fixation).
 */
export function signedIn(
  browser: Browser,
  server: TestServer,
): (username: string, options?: BrowserContextOptions) => Promise<Page> {
  const states = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>();
  return async (username, options = {}) => {
    let state = states.get(username);
    if (!state) {
      const page = await logIn(await freshPage(browser), server, username);
      state = await page.context().storageState();
      states.set(username, state);
      await page.context().close();
    }
    const context = await browser.newContext({ ...options, storageState: state });
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    return context.newPage();
  };
}

/**
 * Clicks a submit button (or link) and waits until the page it leads to has loaded: a form posted
 * back to its own URL changes no URL, so `waitForURL` cannot tell the new page from the old one.
 */
export async function clickAndWait(page: Page, target: Locator): Promise<void> {
  await Promise.all([page.waitForEvent('framenavigated', { timeout: WAIT_MS }), target.click()]);
  await page.waitForLoadState('load');
}

/** The HTTP status of the document the page shows (after redirects), as the browser received it. */
export async function pageStatus(page: Page): Promise<number> {
  return (await page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")) as number;
}

/** Midnight UTC today: the admin's date filters ("Today", "Past 7 days") count in UTC days. */
export function todayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export const DAY_MS = 86_400_000;

/** Asserts the page fits the window's width: nothing pushed off to the right. */
export async function expectFitsWindow(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = (await page.evaluate(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })',
  )) as { scrollWidth: number; innerWidth: number };
  expect(scrollWidth, `${page.url()} is wider than the window`).toBeLessThanOrEqual(innerWidth);
}

/** Inserts questions in one statement and returns their ids, in the order given. */
export async function seedQuestions(
  db: Database,
  rows: readonly { text: string; pubDate: Date }[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const values = rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::timestamptz)`).join(', ');
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO polls_question (question_text, pub_date) VALUES ${values} RETURNING id`,
    rows.flatMap((r) => [r.text, r.pubDate.toISOString()]),
  );
  return inserted.map((r) => r.id);
}

/** Inserts choices for a question and returns their ids. */
export async function seedChoices(
  db: Database,
  questionId: number,
  texts: readonly string[],
): Promise<number[]> {
  const values = texts.map((_, i) => `($1, $${i + 2})`).join(', ');
  const inserted = await db.query<{ id: number }>(
    `INSERT INTO polls_choice (question_id, choice_text) VALUES ${values} RETURNING id`,
    [questionId, ...texts],
  );
  return inserted.map((r) => r.id);
}

/** One number from SQL, e.g. `count(*)`. */
export async function scalar(db: Database, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await db.query<Record<string, unknown>>(sql, params);
  return Number(Object.values(row ?? {})[0]);
}

/** Makes a group holding `codenames` and puts the user in it (auth_group, _permissions, _user_groups). */
export async function grantThroughGroup(
  db: Database,
  userId: number,
  groupName: string,
  codenames: readonly string[],
): Promise<void> {
  const perms = await db.db
    .select()
    .from(permission)
    .where(inArray(permission.codename, [...codenames]));
  expect(perms.map((p) => p.codename).sort()).toEqual([...codenames].sort());
  const [made] = await db.db.insert(group).values({ name: groupName }).returning();
  await db.db.insert(groupPermission).values(perms.map((p) => ({ groupId: made!.id, permissionId: p.id })));
  await db.db.insert(userGroup).values({ userId, groupId: made!.id });
  expect(await db.db.select().from(userGroup).where(eq(userGroup.userId, userId))).toHaveLength(1);
}

/** A cookie's value in the context, or undefined. */
export async function cookieValue(context: BrowserContext, url: string, name: string) {
  return (await context.cookies(url)).find((c) => c.name === name)?.value;
}

/** The texts of the changelist's first column (the object links), top to bottom. */
export async function listedNames(page: Page): Promise<string[]> {
  return page.locator('#result_list tbody th[scope=row]').allTextContents();
}

/**
 * Stored markup for XSS tests: it sets `window.__xss` if it ever runs as markup. Open the pages
 * in a context with `bypassCSP: true`, so that only escaping, not the CSP, keeps it inert.
 */
export const XSS_PAYLOAD = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;
export const XSS_PAYLOAD_2 = `"><svg onload="window.__xss=3"></svg><script>window.__xss=4</script>`;

/** Asserts that no stored markup ran or became elements on the page. */
export async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate('window.__xss'), `script ran on ${page.url()}`).toBeUndefined();
  const injected = await page.locator('script:not([src]), img[src="x"], svg[onload], [onerror]').count();
  expect(injected, `markup injected on ${page.url()}`).toBe(0);
}
