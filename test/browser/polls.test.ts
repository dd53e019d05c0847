import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuestion, votesOf } from '../../src/apps/polls/testing.js';
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
  expectFitsWindow,
  expectInert,
  pageStatus,
  WAIT_MS,
  XSS_PAYLOAD,
} from './admin-helpers.js';

// The public polls pages as a visitor uses them: no login, no JavaScript needed, and the CSP
// (no inline code) blocks nothing of ours.
describe('the polls pages in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let colour: { id: number; choiceIds: number[] };
  let pets: { id: number; choiceIds: number[] };

  /** A page in a fresh context that records CSP violations and page errors. */
  async function open(
    options: BrowserContextOptions = {},
  ): Promise<{ page: Page; problems: () => Promise<string[]> }> {
    const context = await browser.newContext(options);
    context.setDefaultTimeout(WAIT_MS);
    context.setDefaultNavigationTimeout(WAIT_MS);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (m) => {
      if (/Refused to|Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
    return { page, problems: async () => errors };
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const db = server.db.db;
    pets = await createQuestion(db, 'Cats or dogs?', -3, ['Cats', 'Dogs', 'Both']);
    colour = await createQuestion(db, "What's your favourite colour?", -1, ['Red', 'Green', 'Blue']);
    await createQuestion(db, 'A scheduled question', 10, ['Soon']);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens /polls/, clicks a question, picks a choice by its label, votes and sees the count', async () => {
    const { page, problems } = await open({ viewport: { width: 1024, height: 720 } });
    await page.goto(`${server.url}/polls/`);
    expect(await pageStatus(page)).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Latest polls');
    const links = page.locator('.poll-link');
    expect(await links.allTextContents()).toEqual(["What's your favourite colour?", 'Cats or dogs?']);
    expect(await page.getByText('A scheduled question').count()).toBe(0);
    // polls.css is applied: the header is a flex row.
    expect(
      await page.evaluate("getComputedStyle(document.querySelector('.site-header-inner')).display"),
    ).toBe('flex');
    await screenshot(page, 'polls-index');

    await clickAndWait(page, page.getByRole('link', { name: "What's your favourite colour?" }));
    expect(new URL(page.url()).pathname).toBe(`/polls/${colour.id}/`);
    const group = page.getByRole('group', { name: "What's your favourite colour?" });
    expect(await group.getByRole('radio').count()).toBe(3);
    await screenshot(page, 'polls-detail');

    await page.getByText('Green', { exact: true }).click(); // the label, not the radio itself
    expect(await page.getByLabel('Green').isChecked()).toBe(true);
    await Promise.all([
      page.waitForURL(`${server.url}/polls/${colour.id}/results/`),
      page.getByRole('button', { name: 'Vote' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe("What's your favourite colour?");
    const green = page.locator('.result', { hasText: 'Green' });
    expect((await green.locator('.result-votes').textContent())?.replace(/\s+/g, ' ')).toBe('1 vote (100%)');
    expect(await page.locator('.total').textContent()).toBe('Total: 1 vote');
    await screenshot(page, 'polls-results');
    expect(await votesOf(server.db.db, colour.id)).toEqual([0, 1, 0]);

    await clickAndWait(page, page.getByRole('link', { name: 'Vote again?' }));
    expect(new URL(page.url()).pathname).toBe(`/polls/${colour.id}/`);
    await clickAndWait(page, page.getByRole('link', { name: 'All polls' }).first());
    expect(new URL(page.url()).pathname).toBe('/polls/');
    expect(await problems()).toEqual([]);
  });

  it('keeps a vote without a choice in the browser (required radios), and the server says why otherwise', async () => {
    const { page, problems } = await open();
    await page.goto(`${server.url}/polls/${pets.id}/`);
    await page.getByRole('button', { name: 'Vote' }).click();
    expect(new URL(page.url()).pathname).toBe(`/polls/${pets.id}/`);
    expect(await page.evaluate("document.querySelector('input[name=choice]').validity.valueMissing")).toBe(
      true,
    );

    // A browser without constraint validation posts anyway: the server re-renders with 400.
    await page.evaluate("document.querySelector('form.vote-form').noValidate = true");
    await clickAndWait(page, page.getByRole('button', { name: 'Vote' }));
    expect(await pageStatus(page)).toBe(400);
    expect(await page.getByRole('alert').textContent()).toBe("You didn't select a choice.");
    expect(await page.getByRole('group', { name: 'Cats or dogs?' }).getAttribute('aria-describedby')).toBe(
      'vote-error',
    );
    await screenshot(page, 'polls-detail-error');
    expect(await votesOf(server.db.db, pets.id)).toEqual([0, 0, 0]);
    expect(await problems()).toEqual([]);
  });

  it('votes with JavaScript disabled', async () => {
    const { page } = await open({ javaScriptEnabled: false });
    await page.goto(`${server.url}/polls/${pets.id}/`);
    await page.getByLabel('Dogs').check();
    await Promise.all([
      page.waitForURL(`${server.url}/polls/${pets.id}/results/`),
      page.getByRole('button', { name: 'Vote' }).click(),
    ]);
    expect(await votesOf(server.db.db, pets.id)).toEqual([0, 1, 0]);
  });

  it("fits a phone's screen", async () => {
    const { page } = await open({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    for (const path of ['/polls/', `/polls/${colour.id}/`, `/polls/${colour.id}/results/`]) {
      await page.goto(`${server.url}${path}`);
      await expectFitsWindow(page);
    }
    await page.goto(`${server.url}/polls/${colour.id}/`);
    await screenshot(page, 'polls-detail-mobile');
  });

  it('answers 404 for the scheduled question', async () => {
    const { page } = await open();
    const [scheduled] = await server.db.query<{ id: number }>(
      `SELECT id FROM polls_question WHERE question_text = 'A scheduled question'`,
    );
    const response = await page.goto(`${server.url}/polls/${scheduled!.id}/`);
    expect(response?.status()).toBe(404);
    expect(await page.getByText('A scheduled question').count()).toBe(0);
  });

  it('renders stored markup inert even with the CSP bypassed', async () => {
    const evil = await createQuestion(server.db.db, XSS_PAYLOAD, -0.5, [`${XSS_PAYLOAD} choice`]);
    const { page } = await open({ bypassCSP: true });
    for (const path of ['/polls/', `/polls/${evil.id}/`, `/polls/${evil.id}/results/`]) {
      await page.goto(`${server.url}${path}`);
      await expectInert(page);
    }
    expect(await page.locator('.result-text').textContent()).toBe(`${XSS_PAYLOAD} choice`);
  });
});
