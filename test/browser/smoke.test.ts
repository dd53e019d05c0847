import { existsSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromium,
  launchBrowser,
  screenshot,
  startTestServer,
  type TestServer,
} from '../../src/core/testing/browser.js';
import { needs } from '../../src/core/testing/tools.js';

// Proves the browser-test infrastructure: Debian's Chromium drives the real server, the CSP
// lets the framework's own stylesheet through, and Secure cookies stick on http://localhost.
describe('the welcome page in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const messages: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    page = await browser.newPage();
    page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    // Scripts run in the page are strings: the project's TypeScript has no DOM types.
    await page.addInitScript(
      "window.cspViolations = []; document.addEventListener('securitypolicyviolation', " +
        "(e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
    );
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('renders the page with its stylesheet, and the CSP blocks nothing', async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(await page.title()).toBe('Slipway');
    expect(await page.locator('h1').textContent()).toBe('Slipway is running');
    await expect(page.locator('li', { hasText: 'Polls' }).count()).resolves.toBe(1);

    // slipway.css sets body { max-width: 46rem }; without it the body would be unconstrained.
    const maxWidth = await page.evaluate('getComputedStyle(document.body).maxWidth');
    expect(maxWidth).toBe('736px');
    expect(await page.evaluate('window.cspViolations')).toEqual([]);
    expect(messages.filter((line) => /Refused to|Content Security Policy|pageerror/i.test(line))).toEqual([]);
  });

  it('sets no cookie on a page without a form', async () => {
    expect(await page.context().cookies(server.url)).toEqual([]);
  });

  it('keeps the Secure, HttpOnly CSRF cookie of a page with a form over http://localhost', async () => {
    await page.goto(`${server.url}/admin/login/`);
    const cookies = await page.context().cookies(server.url);
    const csrf = cookies.find((c) => c.name === 'csrftoken');
    expect(csrf).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(csrf?.value).toMatch(/^[\w-]{43}$/);
    await page.goto(`${server.url}/`);
  });

  it('saves a screenshot under artifacts/screenshots', async () => {
    const path = await screenshot(page, 'welcome');
    expect(path).toMatch(/artifacts\/screenshots\/welcome\.png$/);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(1000);
  });
});
