import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPerson } from '../../src/apps/contacts/testing.js';
import { createToken } from '../../src/core/api/tokens.js';
import {
  chromium,
  launchBrowser,
  screenshot,
  startTestServer,
  type TestServer,
} from '../../src/core/testing/browser.js';
import { needs } from '../../src/core/testing/tools.js';
import { createTestUser, freshPage, logIn, pageStatus } from './admin-helpers.js';

// /api/docs in Chromium under the real CSP: the reference renders, and "Try it" sends requests
// with the session (and its CSRF header) or with a pasted token.
describe('the API docs page in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let key: string;

  async function watch(page: Page): Promise<() => string[]> {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (m) => {
      if (/Refused to|Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    return () => problems;
  }

  async function tryIt(page: Page, operationId: string, fill: Record<string, string> = {}): Promise<string> {
    const section = page.locator(`#${operationId}`);
    const details = section.locator('details.try');
    if ((await details.getAttribute('open')) === null) await section.getByText('Try it').click();
    await section.locator('output.response').evaluate((o) => {
      o.textContent = '';
    });
    for (const [name, value] of Object.entries(fill)) await section.locator(`[name="${name}"]`).fill(value);
    await section.getByRole('button', { name: /^Send / }).click();
    const output = section.locator('output.response');
    await expect.poll(() => output.textContent(), { timeout: 10_000 }).toMatch(/^\d{3} /);
    return (await output.textContent()) ?? '';
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const root = await createTestUser(server.db.db, 'root', { superuser: true });
    ({ key } = await createToken(server.db.db, { userId: root.id, name: 'browser' }));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lets a signed-in user list and create questions, the POST carrying the CSRF header', async () => {
    const page = await logIn(await freshPage(browser), server, 'root');
    const problems = await watch(page);
    await page.goto(`${server.url}/api/docs`);
    expect(await pageStatus(page)).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Slipway API');
    expect(await page.locator('.who').textContent()).toContain('Signed in as root');

    expect(await tryIt(page, 'polls_question_list')).toMatch(/^200 OK\n\{\n {2}"count": 0/);
    const created = await tryIt(page, 'polls_question_create');
    expect(created).toMatch(/^201 Created/);
    expect(created).toContain('"choiceText": "text"');
    expect(await tryIt(page, 'polls_question_retrieve', { id: '999' })).toMatch(/^404 /);
    await screenshot(page, 'api-docs-signed-in');
    expect(problems()).toEqual([]);
    await page.context().close();
  });

  it('switches the primary address with the bulk action, its body filled in', async () => {
    const { person, addresses } = await newPerson(server.db.db, { addresses: 2 });
    const second = addresses[1]!.id;
    const page = await logIn(await freshPage(browser), server, 'root');
    const problems = await watch(page);
    await page.goto(`${server.url}/api/docs`);
    const id = 'contacts_address_action_make_primary';
    const section = page.locator(`#${id}`);
    expect(await section.locator('table.fields caption').first().textContent()).toBe('Body');
    await section.getByText('Try it').click();
    const box = section.getByLabel('Body (JSON)');
    expect(JSON.parse(await box.inputValue())).toEqual({ ids: [1] });
    const answer = await tryIt(page, id, { body: JSON.stringify({ ids: [second] }) });
    expect(answer).toMatch(/^200 OK/);
    expect(answer).toContain('"message": "The address is now primary."');
    const rows = await server.db.query<{ id: number; is_primary: boolean }>(
      'SELECT id, is_primary FROM contacts_address WHERE person_id = $1 ORDER BY id',
      [person.id],
    );
    expect(rows).toEqual([
      { id: addresses[0]!.id, is_primary: false },
      { id: second, is_primary: true },
    ]);
    await screenshot(page, 'api-docs-make-primary');
    expect(problems()).toEqual([]);
    await page.context().close();
  });

  it('lets a visitor paste a token instead', async () => {
    const page = await freshPage(browser);
    const problems = await watch(page);
    await page.goto(`${server.url}/api/docs`);
    expect(await tryIt(page, 'polls_question_list')).toMatch(/^401 /);
    await page.getByLabel('Token for “Try it”').fill(key);
    expect(await tryIt(page, 'polls_question_list')).toMatch(/^200 OK\n\{\n {2}"count": 1/);
    expect(problems()).toEqual([]);
    await page.context().close();
  });
});
