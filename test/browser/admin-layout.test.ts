import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoContacts } from '../../src/apps/contacts/demo.js';
import {
  chromium,
  launchBrowser,
  screenshot,
  startTestServer,
  type TestServer,
} from '../../src/core/testing/browser.js';
import { needs } from '../../src/core/testing/tools.js';
import { createTestUser, expectFitsWindow, signedIn } from './admin-helpers.js';

/** Where an element's box ends on the right, and the right edge of the box that clips it. */
async function rightEdges(page: Page, selector: string): Promise<{ right: number; clip: number }> {
  return (await page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    const wrap = el.closest('.table-wrap') ?? document.documentElement;
    return { right: el.getBoundingClientRect().right, clip: wrap.getBoundingClientRect().right };
  })()`)) as { right: number; clip: number };
}

// Wide inline tables and changelists stay inside the page: the table scrolls in its own box, the
// page never sideways, and the header bar spans the whole window.
describe('admin layout of wide tables in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let as: (username: string, options?: { viewport: { width: number; height: number } }) => Promise<Page>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    as = signedIn(browser, server);
    await createTestUser(server.db.db, 'root', { superuser: true });
    // Real names and streets ("Universitätstrasse 6", "Analytical Engines Ltd"), as QA saw them.
    await seedDemoContacts(server.db.db);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const width of [1200, 390])
    it(`fits the person add form with its inlines into a ${width}px window`, async () => {
      const page = await as('root', { viewport: { width, height: 900 } });
      await page.goto(`${server.url}/admin/contacts/person/add/`);
      await expectFitsWindow(page);
      const header = (await page.locator('header.site-header').boundingBox())!;
      expect(header.width).toBe(width);
      // The inline fits its column; its table scrolls inside it when it is wider.
      const group = (await page.locator('#address_set-group').boundingBox())!;
      expect(group.x + group.width).toBeLessThanOrEqual(width);
      if (width >= 1200) {
        // At desktop width every column of the addresses shows without scrolling.
        const last = await rightEdges(page, '#address_set-group thead th:last-child');
        expect(last.right).toBeLessThanOrEqual(last.clip);
      }
      await screenshot(page, `admin-person-add-${width}`);
      await page.context().close();
    });

  it('shows every column of the address list at 1200px, foreign keys aligned as text', async () => {
    const page = await as('root', { viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/admin/contacts/address/`);
    await expectFitsWindow(page);
    const primary = await rightEdges(page, '#result_list thead th.column-isPrimary');
    expect(primary.right).toBeLessThanOrEqual(primary.clip);
    const align = await page.evaluate(
      `[...document.querySelectorAll('#result_list tbody td.field-personId, #result_list tbody td.field-companyId')].map((td) => getComputedStyle(td).textAlign)`,
    );
    expect(align).not.toHaveLength(0);
    expect(new Set(align as string[])).toEqual(new Set(['left']));
    await screenshot(page, 'admin-address-list-1200');
    await page.context().close();
  });
});
