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
  expectFitsWindow,
  scalar,
  seedChoices,
  seedQuestions,
  signedIn,
  WAIT_MS,
} from './admin-helpers.js';

/** The inline cell inputs are labelled "Choice text (choice 2)", "Votes (choice 2)". */
const choiceText = (page: Page, row: number) =>
  page.getByLabel(`Choice text (choice ${row})`, { exact: true });
const votes = (page: Page, row: number) => page.getByLabel(`Votes (choice ${row})`, { exact: true });

// The add and change forms: inlines, validation, and what a view-only user gets.
describe('admin add and change forms in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let as: (username: string) => Promise<Page>;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    as = signedIn(browser, server);
    await createTestUser(server.db.db, 'root', { superuser: true });
    await createTestUser(server.db.db, 'viewer', { perms: ['polls.view_question', 'polls.view_choice'] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('creates a question with three choices filled into the blank inline rows', async () => {
    const page = await as('root');
    await page.goto(`${server.url}/admin/polls/question/`);
    await page.getByRole('link', { name: 'Add question' }).first().click();
    await page.waitForURL(`${server.url}/admin/polls/question/add/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Add question');
    // Django's TabularInline default: three blank rows, and no fourth.
    expect(await choiceText(page, 3).count()).toBe(1);
    expect(await choiceText(page, 4).count()).toBe(0);

    await page.getByLabel('Question text').fill('Which editor do you use?');
    await page.getByLabel('Date published').fill('2026-03-01T09:30');
    const answers = ['Vim', 'Emacs', 'Something else'];
    for (const [i, text] of answers.entries()) await choiceText(page, i + 1).fill(text);
    await votes(page, 2).fill('4');
    await expectFitsWindow(page);
    await screenshot(page, 'admin-add-form-with-inlines');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(`${server.url}/admin/polls/question/`);
    expect(await page.getByRole('status').textContent()).toBe(
      'The question “Which editor do you use?” was added successfully.',
    );
    expect(await page.getByRole('link', { name: 'Which editor do you use?' }).count()).toBe(1);
    await page.context().close();

    const questions = await server.db.query<{ id: number; pub_date: Date }>(
      'SELECT id, pub_date FROM polls_question',
    );
    expect(questions).toHaveLength(1);
    expect(new Date(questions[0]!.pub_date).toISOString()).toBe('2026-03-01T09:30:00.000Z');
    const choices = await server.db.query<{ choice_text: string; votes: number; question_id: number }>(
      'SELECT choice_text, votes, question_id FROM polls_choice ORDER BY id',
    );
    expect(choices).toEqual([
      { choice_text: 'Vim', votes: 0, question_id: questions[0]!.id },
      { choice_text: 'Emacs', votes: 4, question_id: questions[0]!.id },
      { choice_text: 'Something else', votes: 0, question_id: questions[0]!.id },
    ]);
  });

  it('shows each error next to its field and keeps everything typed, inline rows included', async () => {
    const before = await scalar(server.db, 'SELECT count(*) FROM polls_question');
    const page = await as('root');
    await page.goto(`${server.url}/admin/polls/question/add/`);
    // The question text is left empty; the date is typed, and so are two inline rows.
    await page.getByLabel('Date published').fill('2026-04-02T08:15');
    await choiceText(page, 1).fill('Kept one');
    await votes(page, 1).fill('12');
    await choiceText(page, 3).fill('Kept three');
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));

    expect(new URL(page.url()).pathname).toBe('/admin/polls/question/add/');
    expect(await page.getByRole('alert').first().textContent()).toContain('Please correct the error below.');
    const text = page.getByLabel('Question text');
    expect(await text.getAttribute('aria-invalid')).toBe('true');
    // The message is tied to the input (aria-describedby) and sits in the same form row.
    const describedBy = (await text.getAttribute('aria-describedby'))!;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('This field is required.');
    expect(await page.locator('.form-row.field-questionText .errorlist').textContent()).toBe(
      'This field is required.',
    );
    expect(await page.getByLabel('Date published').inputValue()).toBe('2026-04-02T08:15');
    expect(await choiceText(page, 1).inputValue()).toBe('Kept one');
    expect(await votes(page, 1).inputValue()).toBe('12');
    expect(await choiceText(page, 2).inputValue()).toBe('');
    expect(await choiceText(page, 3).inputValue()).toBe('Kept three');
    await screenshot(page, 'admin-form-errors');

    // A date the browser's picker would never produce (typed into a plain text input).
    await text.fill('Now with a text');
    await page.evaluate(
      "{ const el = document.getElementById('id_pubDate'); el.type = 'text'; el.value = '2026-02-30 25:00'; }",
    );
    await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
    expect(await page.locator('.form-row.field-pubDate .errorlist').textContent()).toBe(
      'Enter a valid date/time.',
    );
    expect(await page.locator('.form-row.field-questionText .errorlist').count()).toBe(0);
    expect(await page.getByLabel('Question text').inputValue()).toBe('Now with a text');
    // Sent back as typed; Chromium then empties a datetime-local input holding an impossible value.
    expect(await page.getByLabel('Date published').getAttribute('value')).toBe('2026-02-30 25:00');
    expect(await choiceText(page, 3).inputValue()).toBe('Kept three');
    await page.context().close();
    expect(await scalar(server.db, 'SELECT count(*) FROM polls_question')).toBe(before);
  });

  it('saves an edit with "Save and continue editing" and stays on the form', async () => {
    const [id] = await seedQuestions(server.db, [{ text: 'Tabs or spaces?', pubDate: new Date() }]);
    await seedChoices(server.db, id!, ['Tabs', 'Spaces']);
    const page = await as('root');
    await page.goto(`${server.url}/admin/polls/question/${id}/change/`);
    expect(await choiceText(page, 1).inputValue()).toBe('Tabs');
    await choiceText(page, 2).fill('Spaces, four of them');
    await page.getByRole('button', { name: 'Save and continue editing' }).click();
    await page.waitForURL(`${server.url}/admin/polls/question/${id}/change/`);
    expect(await page.getByRole('status').textContent()).toContain('You may edit it again below.');
    expect(await choiceText(page, 2).inputValue()).toBe('Spaces, four of them');
    await page.context().close();
  });

  describe('for a staff user who may only view questions', () => {
    let id: number;

    beforeAll(async () => {
      [id] = (await seedQuestions(server.db, [
        { text: 'Read me, do not edit me', pubDate: new Date('2026-01-15T12:00:00Z') },
      ])) as [number];
      await seedChoices(server.db, id, ['Only choice']);
    });

    it('shows the values as text, with no inputs and no Save button', async () => {
      const page = await as('viewer');
      await page.goto(`${server.url}/admin/polls/question/`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Select question to view');
      expect(await page.getByRole('link', { name: 'Add question' }).count()).toBe(0);
      await page.getByRole('link', { name: 'Read me, do not edit me' }).click();
      await page.waitForURL(`${server.url}/admin/polls/question/${id}/change/`);

      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('View question');
      expect(await page.getByRole('button', { name: /Save/ }).count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Delete' }).count()).toBe(0);
      expect(await page.getByRole('textbox').count()).toBe(0);
      expect(await page.locator('main input:not([type=hidden]), main textarea, main select').count()).toBe(0);
      expect(await page.locator('.field-questionText .readonly').textContent()).toBe(
        'Read me, do not edit me',
      );
      expect(await page.locator('.field-pubDate .readonly').textContent()).toBe('2026-01-15 12:00 UTC');
      expect(await page.locator('#choice_set-group').textContent()).toContain('Only choice');
      expect(await page.getByRole('link', { name: 'Close' }).count()).toBe(1);
      await screenshot(page, 'admin-view-readonly');
      await page.context().close();
    });

    it('answers 403 to a forged POST made from the page, and changes nothing', async () => {
      const page = await as('viewer');
      await page.goto(`${server.url}/admin/polls/question/${id}/change/`);
      // The page's own CSRF token, so only the permission check can refuse the request.
      const token = await page.locator('input[name=csrf_token]').first().inputValue();
      const forge = (url: string, fields: Record<string, string>) =>
        page.evaluate(
          `fetch(${JSON.stringify(url)}, { method: 'POST', body: new URLSearchParams(${JSON.stringify({
            csrf_token: token,
            ...fields,
          })}) }).then(async (r) => ({ status: r.status, text: await r.text() }))`,
        ) as Promise<{ status: number; text: string }>;
      const form = {
        questionText: 'Hacked',
        pubDate: '2020-01-01T00:00',
        'choice_set-TOTAL_FORMS': '1',
        'choice_set-INITIAL_FORMS': '0',
        'choice_set-0-choiceText': 'Injected',
        'choice_set-0-votes': '0',
      };
      const change = await forge(`/admin/polls/question/${id}/change/`, form);
      expect(change.status).toBe(403);
      expect(change.text).toContain('You do not have permission to change questions.');
      const add = await forge('/admin/polls/question/add/', form);
      expect(add.status).toBe(403);
      expect(add.text).toContain('You do not have permission to add questions.');
      const remove = await forge(`/admin/polls/question/${id}/delete/`, { post: 'yes' });
      expect(remove.status).toBe(403);
      expect(remove.text).toContain('You do not have permission to delete questions.');
      const bulk = await forge('/admin/polls/question/', {
        action: 'delete_selected',
        _selected_action: String(id),
        post: 'yes',
      });
      expect(bulk.status).toBe(403);
      expect(bulk.text).toContain('You may not run “delete_selected” on questions.');

      // The same through Playwright's request API (the context's cookies, the cookie's token).
      const csrf = (await page.context().cookies(server.url)).find((c) => c.name === 'csrftoken')!.value;
      const direct = await page.request.post(`${server.url}/admin/polls/question/${id}/change/`, {
        form: { ...form, csrf_token: csrf },
        maxRedirects: 0,
        timeout: WAIT_MS,
      });
      expect(direct.status()).toBe(403);
      expect(await direct.text()).toContain('You do not have permission to change questions.');
      await page.context().close();

      const [row] = await server.db.query<{ question_text: string }>(
        'SELECT question_text FROM polls_question WHERE id = $1',
        [id],
      );
      expect(row?.question_text).toBe('Read me, do not edit me');
      expect(
        await scalar(server.db, `SELECT count(*) FROM polls_question WHERE question_text = 'Hacked'`),
      ).toBe(0);
      expect(
        await scalar(server.db, `SELECT count(*) FROM polls_choice WHERE choice_text = 'Injected'`),
      ).toBe(0);
      expect(await scalar(server.db, 'SELECT count(*) FROM polls_choice WHERE question_id = $1', [id])).toBe(
        1,
      );
    });
  });
});
