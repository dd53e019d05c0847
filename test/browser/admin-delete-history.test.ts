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
  scalar,
  seedChoices,
  seedQuestions,
  signedIn,
} from './admin-helpers.js';

const questionsNamed = (server: TestServer, pattern: string) =>
  scalar(server.db, 'SELECT count(*) FROM polls_question WHERE question_text LIKE $1', [pattern]);

// Deleting (one object with its cascade, or a selection) and the history the admin keeps.
describe('admin delete and history in Chromium', needs(chromium), () => {
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

  describe('bulk delete', () => {
    let ids: number[];

    beforeAll(async () => {
      const now = Date.now();
      ids = await seedQuestions(
        server.db,
        [1, 2, 3, 4, 5].map((n) => ({ text: `Bulk ${n}`, pubDate: new Date(now - n * DAY_MS) })),
      );
      await seedChoices(server.db, ids[1]!, ['Bulk 2 choice']);
    });

    async function selectAndAskToDelete(page: Page) {
      await page.goto(`${server.url}/admin/polls/question/`);
      for (const name of ['Bulk 2', 'Bulk 3', 'Bulk 5'])
        await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
      expect(await page.locator('.action-counter').textContent()).toBe('3 of 5 selected');
      await page.getByLabel('Action:').selectOption({ label: 'Delete selected questions' });
      await clickAndWait(page, page.getByRole('button', { name: 'Go' }));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Are you sure?');
      expect(await page.getByRole('main').textContent()).toContain(
        'Are you sure you want to delete the selected questions?',
      );
    }

    it('lists the ticked questions on a confirmation page, and "No" keeps them', async () => {
      const page = await as('root');
      await selectAndAskToDelete(page);
      const top = page.locator('.delete-list > ul > li');
      expect(await top.locator('> a').allTextContents()).toEqual(['Bulk 2', 'Bulk 3', 'Bulk 5']);
      for (const text of await top.allTextContents()) expect(text).toMatch(/^Question: Bulk \d/);
      expect(await page.locator('.delete-list').textContent()).toContain('Choice: Bulk 2 choice');
      expect(await page.locator('.delete-summary').innerText()).toBe('Questions: 3\nChoices: 1');
      await screenshot(page, 'admin-bulk-delete-confirmation');

      await clickAndWait(page, page.getByRole('link', { name: 'No, take me back' }));
      expect(new URL(page.url()).pathname).toBe('/admin/polls/question/');
      expect(await listedNames(page)).toEqual(['Bulk 1', 'Bulk 2', 'Bulk 3', 'Bulk 4', 'Bulk 5']);
      expect(await questionsNamed(server, 'Bulk %')).toBe(5);
      await page.context().close();
    });

    it('deletes the ticked questions, and only them, once confirmed', async () => {
      const page = await as('root');
      await selectAndAskToDelete(page);
      await clickAndWait(page, page.getByRole('button', { name: 'Yes, I’m sure' }));
      expect(new URL(page.url()).pathname).toBe('/admin/polls/question/');
      expect(await page.getByRole('status').textContent()).toBe('Successfully deleted 3 questions.');
      expect(await listedNames(page)).toEqual(['Bulk 1', 'Bulk 4']);
      await page.context().close();

      const left = await server.db.query<{ id: number }>(
        `SELECT id FROM polls_question WHERE question_text LIKE 'Bulk %' ORDER BY id`,
      );
      expect(left.map((r) => r.id)).toEqual([ids[0], ids[3]]);
      expect(
        await scalar(server.db, 'SELECT count(*) FROM polls_choice WHERE question_id = $1', [ids[1]]),
      ).toBe(0);
    });

    it('asks to select something first when nothing is ticked', async () => {
      const page = await as('root');
      await page.goto(`${server.url}/admin/polls/question/`);
      await page.getByLabel('Action:').selectOption({ label: 'Delete selected questions' });
      await clickAndWait(page, page.getByRole('button', { name: 'Go' }));
      expect(await page.getByRole('status').textContent()).toContain('Items must be selected');
      expect(await questionsNamed(server, 'Bulk %')).toBe(2);
      await page.context().close();
    });
  });

  describe('deleting one question', () => {
    let id: number;

    beforeAll(async () => {
      [id] = (await seedQuestions(server.db, [{ text: 'Doomed question', pubDate: new Date() }])) as [number];
      await seedChoices(server.db, id, [
        'First doomed choice',
        'Second doomed choice',
        'Third doomed choice',
      ]);
    });

    it('lists its choices as deleted with it, and deletes them all once confirmed', async () => {
      const page = await as('root');
      await page.goto(`${server.url}/admin/polls/question/${id}/change/`);
      await clickAndWait(page, page.getByRole('link', { name: 'Delete', exact: true }));
      expect(new URL(page.url()).pathname).toBe(`/admin/polls/question/${id}/delete/`);
      expect(await page.getByRole('main').textContent()).toContain(
        'Are you sure you want to delete the question “Doomed question”?',
      );
      expect(await page.locator('.delete-summary').innerText()).toBe('Questions: 1\nChoices: 3');
      const tree = page.locator('.delete-list');
      // The choices hang under their question, each linking to its own page.
      const nested = tree.locator('li li');
      expect(await nested.allTextContents()).toEqual([
        'Choice: First doomed choice',
        'Choice: Second doomed choice',
        'Choice: Third doomed choice',
      ]);
      expect(await nested.getByRole('link').first().getAttribute('href')).toMatch(
        /^\/admin\/polls\/choice\/\d+\/change\/$/,
      );
      await expectFitsWindow(page);
      await screenshot(page, 'admin-delete-cascade');

      await clickAndWait(page, page.getByRole('button', { name: 'Yes, I’m sure' }));
      expect(new URL(page.url()).pathname).toBe('/admin/polls/question/');
      expect(await page.getByRole('status').textContent()).toBe(
        'The question “Doomed question” was deleted successfully.',
      );
      await page.context().close();
      expect(await scalar(server.db, 'SELECT count(*) FROM polls_question WHERE id = $1', [id])).toBe(0);
      expect(await scalar(server.db, 'SELECT count(*) FROM polls_choice WHERE question_id = $1', [id])).toBe(
        0,
      );
    });
  });

  describe('history', () => {
    it('lists the add and the change, with the user and the fields changed', async () => {
      const page = await as('root');
      await page.goto(`${server.url}/admin/polls/question/add/`);
      await page.getByLabel('Question text').fill('Chronicled question');
      await page.getByLabel('Date published').fill('2026-05-01T10:00');
      await page.getByLabel('Choice text (choice 1)', { exact: true }).fill('Early');
      await page.getByLabel('Choice text (choice 2)', { exact: true }).fill('Late');
      await clickAndWait(page, page.getByRole('button', { name: 'Save and continue editing' }));
      const changeUrl = page.url();
      expect(new URL(changeUrl).pathname).toMatch(/^\/admin\/polls\/question\/\d+\/change\/$/);

      await page.getByLabel('Question text').fill('Chronicled question, reworded');
      await page.getByLabel('Choice text (choice 2)', { exact: true }).fill('Very late');
      await page.getByLabel('Choice text (choice 3)', { exact: true }).fill('Never');
      await page.getByRole('checkbox', { name: 'Delete choice 1' }).check();
      await clickAndWait(page, page.getByRole('button', { name: 'Save and continue editing' }));
      expect(page.url()).toBe(changeUrl);

      await clickAndWait(page, page.getByRole('link', { name: 'History' }));
      expect(new URL(page.url()).pathname).toBe(new URL(changeUrl).pathname.replace('/change/', '/history/'));
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        'Change history: Chronicled question, reworded',
      );
      const rows = page.getByRole('table').locator('tbody tr');
      expect(await rows.count()).toBe(2);
      const cells = async (i: number) => rows.nth(i).locator('th, td').allTextContents();
      const [addedAt, addedBy, added] = await cells(0);
      expect(addedAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
      expect(addedBy).toBe('root');
      expect(added).toContain('Added');
      expect(added).toContain('Added choice “Early”.');
      expect(added).toContain('Added choice “Late”.');
      const [, changedBy, changed] = await cells(1);
      expect(changedBy).toBe('root');
      expect(changed).toContain('Changed Question text.');
      expect(changed).toContain('Changed Choice text for choice “Very late”.');
      expect(changed).toContain('Added choice “Never”.');
      expect(changed).toContain('Deleted choice “Early”.');
      await expectFitsWindow(page);
      await screenshot(page, 'admin-history');

      // The index lists them among the user's recent actions.
      await page.goto(`${server.url}/admin/`);
      const recent = page.getByRole('region', { name: 'Recent actions' });
      expect(await recent.getByRole('link', { name: 'Chronicled question, reworded' }).count()).toBe(1);
      await page.context().close();
    });
  });
});
