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
import {
  clickAndWait,
  createTestUser,
  DAY_MS,
  expectFitsWindow,
  listedNames,
  seedQuestions,
  signedIn,
  todayUtc,
} from './admin-helpers.js';

const resultCount = (page: Page) => page.locator('#result-count').textContent();
const filterLink = (page: Page, name: string) =>
  page.getByRole('complementary').getByRole('link', { name, exact: true });

// The question changelist: search, date filters, sortable headers and pagination.
describe('the admin changelist in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let as: (username: string) => Promise<Page>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    as = signedIn(browser, server);
    await createTestUser(server.db.db, 'root', { superuser: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('search, filters and sorting', () => {
    const today = todayUtc();
    // Capitalised alike, so that the C and en_US collations sort them the same way.
    const seeds = [
      { text: 'Alpha apples', pubDate: new Date(today.getTime() + 60_000) },
      { text: 'Beta bananas', pubDate: new Date(today.getTime() - 3 * DAY_MS) },
      { text: 'Avocado alpha', pubDate: new Date(today.getTime() - 5 * DAY_MS) },
      { text: 'Gamma grapes', pubDate: new Date(today.getTime() - 20 * DAY_MS) },
      { text: 'Delta dates', pubDate: new Date(today.getTime() - 400 * DAY_MS) },
    ];
    let page: Page;

    beforeAll(async () => {
      await seedQuestions(server.db, seeds);
      page = await as('root');
    });
    afterAll(() => page?.context().close());

    it('lists every question, newest first, with the total', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      expect(await listedNames(page)).toEqual([
        'Alpha apples',
        'Beta bananas',
        'Avocado alpha',
        'Gamma grapes',
        'Delta dates',
      ]);
      expect(await resultCount(page)).toBe('5 questions');
      expect(await page.locator('tbody tr').first().locator('td.field-pubDate').textContent()).toMatch(
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/,
      );
      await expectFitsWindow(page);
      await screenshot(page, 'admin-changelist');
    });

    it('searches case-insensitively from the search box, and filters within the search', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      await page.getByRole('searchbox', { name: 'Search questions' }).fill('ALPHA');
      await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
      expect(new URL(page.url()).searchParams.get('q')).toBe('ALPHA');
      expect(await listedNames(page)).toEqual(['Alpha apples', 'Avocado alpha']);
      expect(await resultCount(page)).toBe('2 results (5 total)');

      // The filter links keep the search.
      await clickAndWait(page, filterLink(page, 'Today'));
      expect(new URL(page.url()).searchParams.get('q')).toBe('ALPHA');
      expect(await listedNames(page)).toEqual(['Alpha apples']);
      expect(await page.getByRole('searchbox', { name: 'Search questions' }).inputValue()).toBe('ALPHA');
      expect(await filterLink(page, 'Today').getAttribute('aria-current')).toBe('true');
      await screenshot(page, 'admin-changelist-filtered');

      // And a new search keeps the filter.
      await page.getByRole('searchbox', { name: 'Search questions' }).fill('apples');
      await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
      expect(await filterLink(page, 'Today').getAttribute('aria-current')).toBe('true');
      expect(await listedNames(page)).toEqual(['Alpha apples']);

      await clickAndWait(page, page.getByRole('link', { name: '✖ Clear all filters' }));
      expect(await listedNames(page)).toEqual(['Alpha apples']);
      expect(await filterLink(page, 'Any date').getAttribute('aria-current')).toBe('true');
    });

    it('filters by publication date: the past 7 days, today, and back to any date', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      await clickAndWait(page, filterLink(page, 'Past 7 days'));
      expect(await listedNames(page)).toEqual(['Alpha apples', 'Beta bananas', 'Avocado alpha']);
      expect(await resultCount(page)).toBe('3 results (5 total)');
      await clickAndWait(page, filterLink(page, 'Today'));
      expect(await listedNames(page)).toEqual(['Alpha apples']);
      await clickAndWait(page, filterLink(page, 'Any date'));
      expect(await listedNames(page)).toHaveLength(5);
    });

    it('sorts by a clicked column header, and reverses on the second click', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      const header = (name: string) => page.getByRole('columnheader', { name: new RegExp(`^${name}`) });

      await clickAndWait(page, header('Question text').getByRole('link').first());
      const ascending = ['Alpha apples', 'Avocado alpha', 'Beta bananas', 'Delta dates', 'Gamma grapes'];
      expect(await listedNames(page)).toEqual(ascending);
      expect(await header('Question text').getAttribute('aria-sort')).toBe('ascending');

      await clickAndWait(page, header('Question text').getByRole('link').first());
      expect(await listedNames(page)).toEqual([...ascending].reverse());
      expect(await header('Question text').getAttribute('aria-sort')).toBe('descending');

      await clickAndWait(page, header('Date published').getByRole('link').first());
      const oldestFirst = ['Delta dates', 'Gamma grapes', 'Avocado alpha', 'Beta bananas', 'Alpha apples'];
      expect(await listedNames(page)).toEqual(oldestFirst);
      await clickAndWait(page, header('Date published').getByRole('link').first());
      expect(await listedNames(page)).toEqual([...oldestFirst].reverse());

      // Sorting is kept when searching.
      await page.getByRole('searchbox', { name: 'Search questions' }).fill('a');
      await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
      expect(new URL(page.url()).searchParams.get('o')).toBe('-pubDate,-questionText');
    });
  });

  describe('pagination over 250 questions', () => {
    const today = todayUtc();
    const pad = (n: number) => String(n).padStart(3, '0');
    let page: Page;

    beforeAll(async () => {
      await server.db.query('DELETE FROM polls_question');
      // Question 1 is the newest. 1–220 fall within the past 7 days, 221–250 two months ago;
      // odd and even numbers are searchable words.
      await seedQuestions(
        server.db,
        Array.from({ length: 250 }, (_, i) => ({
          text: `Paged ${pad(i + 1)} ${(i + 1) % 2 ? 'odd' : 'even'}`,
          pubDate: new Date(
            i < 220 ? today.getTime() - (i + 1) * 60_000 : today.getTime() - 60 * DAY_MS - i * 60_000,
          ),
        })),
      );
      page = await as('root');
    });
    afterAll(() => page?.context().close());

    it('shows 100 rows a page with the total, and every question exactly once over the pages', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      expect(await resultCount(page)).toBe('250 questions');
      expect(await page.locator('.paginator-count').textContent()).toBe('250 questions, page 1 of 3');
      const first = await listedNames(page);
      expect(first).toHaveLength(100);
      expect(first[0]).toBe('Paged 001 odd');

      const pager = page.getByRole('navigation', { name: 'Pages' });
      await clickAndWait(page, pager.getByRole('link', { name: 'Page 2' }));
      expect(new URL(page.url()).searchParams.get('p')).toBe('2');
      const second = await listedNames(page);
      expect(second).toHaveLength(100);
      expect(await pager.locator('[aria-current=page]').textContent()).toBe('2');

      // The last page, from the pager.
      await clickAndWait(page, pager.getByRole('link', { name: 'Page 3' }));
      const third = await listedNames(page);
      expect(third).toHaveLength(50);
      expect(third.at(-1)).toBe('Paged 250 even');
      expect(await page.locator('.paginator-count').textContent()).toBe('250 questions, page 3 of 3');
      await screenshot(page, 'admin-changelist-last-page');

      const all = [...first, ...second, ...third];
      expect(new Set(all).size).toBe(250);
      expect([...all].sort()).toEqual(
        Array.from({ length: 250 }, (_, i) => expect.stringMatching(`^Paged ${pad(i + 1)} `)),
      );

      await clickAndWait(page, pager.getByRole('link', { name: 'Page 1' }));
      expect(await listedNames(page)).toEqual(first);
    });

    it('keeps the search and the filter while paging', async () => {
      await page.goto(`${server.url}/admin/polls/question/`);
      await page.getByRole('searchbox', { name: 'Search questions' }).fill('even');
      await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
      expect(await resultCount(page)).toBe('125 results (250 total)');
      await clickAndWait(page, filterLink(page, 'Past 7 days'));
      // Even numbers up to 220.
      expect(await resultCount(page)).toBe('110 results (250 total)');
      const first = await listedNames(page);
      expect(first).toHaveLength(100);

      await clickAndWait(
        page,
        page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Page 2' }),
      );
      const url = new URL(page.url());
      expect(url.searchParams.get('q')).toBe('even');
      expect(url.searchParams.get('pubDate__gte')).not.toBeNull();
      expect(await resultCount(page)).toBe('110 results (250 total)');
      expect(await page.getByRole('searchbox', { name: 'Search questions' }).inputValue()).toBe('even');
      expect(await filterLink(page, 'Past 7 days').getAttribute('aria-current')).toBe('true');
      const second = await listedNames(page);
      expect(second).toHaveLength(10);
      expect(second.at(-1)).toBe('Paged 220 even');
      expect(new Set([...first, ...second]).size).toBe(110);
      expect([...first, ...second].every((name) => name.endsWith(' even'))).toBe(true);

      // A sort click starts again on page 1, keeping search and filter.
      await clickAndWait(
        page,
        page
          .getByRole('columnheader', { name: /^Question text/ })
          .getByRole('link')
          .first(),
      );
      const sorted = new URL(page.url());
      expect(sorted.searchParams.get('p')).toBeNull();
      expect(sorted.searchParams.get('q')).toBe('even');
      expect(await listedNames(page).then((names) => names[0])).toBe('Paged 002 even');
    });

    it('keeps the changelist filters through an edit and back', async () => {
      await page.goto(`${server.url}/admin/polls/question/?q=even&p=2`);
      await clickAndWait(page, page.getByRole('link', { name: 'Paged 202 even' }));
      expect(new URL(page.url()).searchParams.get('_changelist_filters')).toBe('q=even&p=2');
      await page.getByLabel('Question text').fill('Paged 202 even, edited');
      await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
      const back = new URL(page.url());
      expect(back.pathname).toBe('/admin/polls/question/');
      expect(back.searchParams.get('q')).toBe('even');
      expect(back.searchParams.get('p')).toBe('2');
      expect(await page.getByRole('status').textContent()).toContain('was changed successfully');
    });
  });
});
