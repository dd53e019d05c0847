import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, hashToken } from '../../src/core/auth/sessions.js';
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
  cookieValue,
  createTestUser,
  expectInert,
  freshPage,
  listedNames,
  logIn,
  pageStatus,
  scalar,
  seedQuestions,
  signedIn,
  TEST_PASSWORD,
  WAIT_MS,
  XSS_PAYLOAD,
  XSS_PAYLOAD_2,
} from './admin-helpers.js';

// The security rules of the admin as a browser meets them: CSRF, escaping, SQL metacharacters,
// session fixation and login throttling.
describe('admin security in Chromium', needs(chromium), () => {
  let server: TestServer;
  let browser: Browser;
  let as: ReturnType<typeof signedIn>;

  beforeAll(async () => {
    // LOG_LEVEL error: the throttling test's expected warning would clutter the output.
    [server, browser] = await Promise.all([
      startTestServer({ env: { LOG_LEVEL: 'error' } }),
      launchBrowser(),
    ]);
    as = signedIn(browser, server);
    await createTestUser(server.db.db, 'root', { superuser: true });
    await createTestUser(server.db.db, 'victim', { superuser: true });
    await createTestUser(server.db.db, 'target', { superuser: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe('CSRF', () => {
    const questions = (text: string) =>
      scalar(server.db, 'SELECT count(*) FROM polls_question WHERE question_text = $1', [text]);

    async function fillAddForm(page: Page, text: string) {
      await page.goto(`${server.url}/admin/polls/question/add/`);
      await page.getByLabel('Question text').fill(text);
      await page.getByLabel('Date published').fill('2026-01-01T00:00');
    }

    it('answers a form submitted without its token with a 403 page that says why', async () => {
      const page = await as('root');
      await fillAddForm(page, 'Posted without a token');
      await page.evaluate("document.querySelector('#question_form input[name=csrf_token]').remove()");
      await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
      expect(await pageStatus(page)).toBe(403);
      expect(await page.locator('body').textContent()).toContain(
        'CSRF verification failed: the form has no CSRF token.',
      );
      await screenshot(page, 'admin-csrf-403');
      expect(await questions('Posted without a token')).toBe(0);
      await page.context().close();
    });

    it('refuses a wrong token, and a right token sent from another site', async () => {
      const page = await as('root');
      await fillAddForm(page, 'Posted with a wrong token');
      await page.evaluate(
        "document.querySelector('#question_form input[name=csrf_token]').value = 'A'.repeat(43)",
      );
      await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
      expect(await pageStatus(page)).toBe(403);
      expect(await page.locator('body').textContent()).toContain('the CSRF token is wrong or expired');

      const token = await cookieValue(page.context(), server.url, 'csrftoken');
      const form = {
        questionText: 'Posted from elsewhere',
        pubDate: '2026-01-01T00:00',
        'choice_set-TOTAL_FORMS': '0',
        'choice_set-INITIAL_FORMS': '0',
      };
      const noToken = await page.request.post(`${server.url}/admin/polls/question/add/`, {
        form,
        maxRedirects: 0,
        timeout: WAIT_MS,
      });
      expect(noToken.status()).toBe(403);
      expect(await noToken.text()).toContain('the form has no CSRF token');
      const crossSite = await page.request.post(`${server.url}/admin/polls/question/add/`, {
        form: { ...form, csrf_token: token! },
        headers: { origin: 'https://evil.example' },
        maxRedirects: 0,
        timeout: WAIT_MS,
      });
      expect(crossSite.status()).toBe(403);
      expect(await crossSite.text()).toContain('the request came from another site');
      // The same request from this site goes through, so the refusals above were the CSRF check.
      const sameSite = await page.request.post(`${server.url}/admin/polls/question/add/`, {
        form: { ...form, csrf_token: token! },
        headers: { origin: server.url },
        maxRedirects: 0,
        timeout: WAIT_MS,
      });
      expect(sameSite.status()).toBe(303);
      await page.context().close();
      expect(await questions('Posted with a wrong token')).toBe(0);
      expect(await questions('Posted from elsewhere')).toBe(1);
    });

    it('guards the login and logout forms too', async () => {
      const page = await freshPage(browser);
      await page.goto(`${server.url}/admin/login/`);
      await page.getByLabel('Username').fill('root');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.evaluate("document.querySelector('#login-form input[name=csrf_token]').remove()");
      await clickAndWait(page, page.getByRole('button', { name: 'Log in' }));
      expect(await pageStatus(page)).toBe(403);
      expect(await cookieValue(page.context(), server.url, 'sessionid')).toBeUndefined();

      await logIn(page, server, 'root');
      await page.evaluate(
        'document.querySelector(\'form[action="/admin/logout/"] input[name=csrf_token]\').remove()',
      );
      await clickAndWait(page, page.getByRole('button', { name: 'Log out' }));
      expect(await pageStatus(page)).toBe(403);
      await page.goto(`${server.url}/admin/`);
      expect(new URL(page.url()).pathname).toBe('/admin/');
      await page.context().close();
    });
  });

  describe('stored markup', () => {
    let page: Page;
    let questionUrl: string;

    beforeAll(async () => {
      // No CSP in this context: only the escaping stands between the payload and the page.
      page = await as('root', { bypassCSP: true });
      page.on('dialog', (dialog) => {
        throw new Error(`a dialog opened: ${dialog.message()}`);
      });
    });
    afterAll(() => page?.context().close());

    it('is saved through the form and shown as text in the flash and the changelist', async () => {
      await page.goto(`${server.url}/admin/polls/question/add/`);
      await page.getByLabel('Question text').fill(XSS_PAYLOAD);
      await page.getByLabel('Date published').fill('2026-02-01T00:00');
      await page.getByLabel('Choice text (choice 1)', { exact: true }).fill(XSS_PAYLOAD_2);
      await clickAndWait(page, page.getByRole('button', { name: 'Save and continue editing' }));
      questionUrl = page.url();
      expect(await page.getByRole('status').textContent()).toContain(
        `The question “${XSS_PAYLOAD}” was added`,
      );
      await expectInert(page);
      expect(
        await scalar(server.db, 'SELECT count(*) FROM polls_question WHERE question_text = $1', [
          XSS_PAYLOAD,
        ]),
      ).toBe(1);
      expect(
        await scalar(server.db, 'SELECT count(*) FROM polls_choice WHERE choice_text = $1', [XSS_PAYLOAD_2]),
      ).toBe(1);

      await page.goto(`${server.url}/admin/polls/question/`);
      expect(await listedNames(page)).toContain(XSS_PAYLOAD);
      expect(await page.getByRole('checkbox', { name: `Select ${XSS_PAYLOAD}` }).count()).toBe(1);
      await expectInert(page);
      await screenshot(page, 'admin-xss-changelist');
    });

    it('stays inert on the change form, in the inline, and when the form comes back with errors', async () => {
      await page.goto(questionUrl);
      await expectInert(page);
      expect(await page.getByLabel('Question text').inputValue()).toBe(XSS_PAYLOAD);
      expect(await page.getByLabel('Choice text (choice 1)', { exact: true }).inputValue()).toBe(
        XSS_PAYLOAD_2,
      );
      expect(await page.locator('.subtitle').textContent()).toBe(XSS_PAYLOAD);
      expect(await page.getByRole('navigation', { name: 'Breadcrumbs' }).textContent()).toContain(
        XSS_PAYLOAD,
      );

      await page.getByLabel('Date published').fill('');
      await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
      expect(await page.locator('.form-row.field-pubDate .errorlist').textContent()).toBe(
        'This field is required.',
      );
      await expectInert(page);
      expect(await page.getByLabel('Question text').inputValue()).toBe(XSS_PAYLOAD);
      expect(await page.getByLabel('Choice text (choice 1)', { exact: true }).inputValue()).toBe(
        XSS_PAYLOAD_2,
      );
    });

    it('stays inert on the history, delete and index pages, and on the choices pages', async () => {
      const base = questionUrl.replace(/change\/$/, '');
      await page.goto(`${base}history/`);
      await expectInert(page);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
        `Change history: ${XSS_PAYLOAD}`,
      );
      expect(await page.getByRole('table').textContent()).toContain(`Added choice “${XSS_PAYLOAD_2}”.`);

      await page.goto(`${base}delete/`);
      await expectInert(page);
      expect(await page.locator('.delete-list').textContent()).toContain(`Question: ${XSS_PAYLOAD}`);
      expect(await page.locator('.delete-list').textContent()).toContain(`Choice: ${XSS_PAYLOAD_2}`);

      await page.goto(`${server.url}/admin/`);
      await expectInert(page);
      expect(await page.getByRole('region', { name: 'Recent actions' }).textContent()).toContain(XSS_PAYLOAD);

      // A choice's own pages show the question by name: in the list and in the picker.
      await page.goto(`${server.url}/admin/polls/choice/`);
      await expectInert(page);
      expect(await listedNames(page)).toContain(XSS_PAYLOAD_2);
      expect(await page.locator('#result_list td.field-questionId').first().textContent()).toBe(XSS_PAYLOAD);
      await clickAndWait(page, page.getByRole('link', { name: XSS_PAYLOAD_2 }));
      await expectInert(page);
      expect(await page.getByRole('combobox').inputValue()).toBe(XSS_PAYLOAD);

      // Searching for it echoes it into the search box, as a value.
      await page.goto(`${server.url}/admin/polls/question/`);
      await page.getByRole('searchbox', { name: 'Search questions' }).fill(XSS_PAYLOAD);
      await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
      await expectInert(page);
      expect(await page.getByRole('searchbox', { name: 'Search questions' }).inputValue()).toBe(XSS_PAYLOAD);
      expect(await listedNames(page)).toEqual([XSS_PAYLOAD]);

      // And the bulk delete confirmation lists it.
      await page.getByRole('checkbox', { name: `Select ${XSS_PAYLOAD}` }).check();
      await page.getByLabel('Action:').selectOption({ label: 'Delete selected questions' });
      await clickAndWait(page, page.getByRole('button', { name: 'Go' }));
      await expectInert(page);
      expect(await page.locator('.delete-list').textContent()).toContain(`Question: ${XSS_PAYLOAD}`);
    });
  });

  describe('SQL metacharacters', () => {
    const texts = [
      '100% sure',
      '100 percent sure',
      'snake_case',
      'snakeXcase',
      "O'Reilly asks",
      'back\\slash',
      'backslash',
      "Little Bobby '; DROP TABLE polls_question;--",
    ];
    let page: Page;

    beforeAll(async () => {
      await server.db.query('DELETE FROM polls_question');
      await seedQuestions(
        server.db,
        texts.map((text, i) => ({ text, pubDate: new Date(Date.UTC(2026, 0, 1 + i)) })),
      );
      page = await as('root');
    });
    afterAll(() => page?.context().close());

    it.each(['%', '_', "'", '\\', '%_', "'; DROP TABLE polls_question;--", "' OR '1'='1"])(
      'searches for %s literally',
      async (term) => {
        await page.goto(`${server.url}/admin/polls/question/`);
        await page.getByRole('searchbox', { name: 'Search questions' }).fill(term);
        await clickAndWait(page, page.getByRole('button', { name: 'Search' }));
        expect(await pageStatus(page)).toBe(200);
        // Each word must appear in the text, as typed (case aside): no wildcard, no injection.
        const words = term.toLowerCase().split(/\s+/).filter(Boolean);
        const expected = texts.filter((t) => words.every((w) => t.toLowerCase().includes(w)));
        expect((await listedNames(page)).sort()).toEqual(expected.sort());
        expect(await page.getByRole('searchbox', { name: 'Search questions' }).inputValue()).toBe(term);
      },
    );

    it('ignores filter, sort and page values that carry SQL, and answers 200', async () => {
      const cases: [string, string | undefined][] = [
        ["pubDate__gte=2026-01-01' OR 1=1;--", 'pubDate__gte'],
        ["pubDate__lt=2026-01-09'); DROP TABLE polls_question;--", 'pubDate__lt'],
        ['o=questionText;DROP TABLE polls_question', undefined],
        ["o=-pubDate'--", undefined],
        ["p=1' OR '1'='1", undefined],
        ['q=x&pubDate__gte=%27%3B--', 'pubDate__gte'],
      ];
      for (const [query, ignored] of cases) {
        const response = await page.goto(`${server.url}/admin/polls/question/?${query}`);
        expect(response?.status(), query).toBe(200);
        const note = page.locator('.errornote');
        if (ignored)
          expect(await note.textContent(), query).toBe(`Ignored invalid filter values: ${ignored}.`);
        else expect(await note.count(), query).toBe(0);
      }
      // A bad filter value changes nothing: every question is listed.
      await page.goto(`${server.url}/admin/polls/question/?pubDate__gte=x'`);
      expect(await listedNames(page)).toHaveLength(texts.length);

      // A boolean filter on another model; and a parameter the choices list has no filter for.
      expect((await page.goto(`${server.url}/admin/auth/user/?isStaff__exact=1' OR '1'='1`))?.status()).toBe(
        200,
      );
      expect(await page.locator('.errornote').textContent()).toBe(
        'Ignored invalid filter values: isStaff__exact.',
      );
      expect(await listedNames(page)).toEqual(['root', 'target', 'victim']);
      expect(
        (await page.goto(`${server.url}/admin/polls/choice/?questionId__id__exact=1 OR 1=1`))?.status(),
      ).toBe(200);
    });

    it('leaves the table in place with every row', async () => {
      expect(
        await scalar(server.db, "SELECT count(*) FROM pg_tables WHERE tablename = 'polls_question'"),
      ).toBe(1);
      expect(await scalar(server.db, 'SELECT count(*) FROM polls_question')).toBe(texts.length);
    });
  });

  describe('sessions', () => {
    it('gives a new session id on login, and the id planted before it is dead', async () => {
      // An attacker's own anonymous session, planted in the victim's browser.
      const planted = (await createSession(server.db.db, { userId: null, maxAgeMs: 3_600_000 })).token;
      const page = await freshPage(browser);
      await page.context().addCookies([
        {
          name: 'sessionid',
          value: planted,
          url: server.url,
          secure: true,
          httpOnly: true,
          sameSite: 'Lax',
        },
      ]);
      await page.goto(`${server.url}/admin/login/`);
      const csrfBefore = await cookieValue(page.context(), server.url, 'csrftoken');
      await page.getByLabel('Username').fill('victim');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await clickAndWait(page, page.getByRole('button', { name: 'Log in' }));
      expect(new URL(page.url()).pathname).toBe('/admin/');

      const after = await cookieValue(page.context(), server.url, 'sessionid');
      expect(after).toMatch(/^[\w-]{43}$/);
      expect(after).not.toBe(planted);
      expect(await cookieValue(page.context(), server.url, 'csrftoken')).not.toBe(csrfBefore);
      expect(
        await scalar(server.db, 'SELECT count(*) FROM auth_session WHERE key_hash = $1', [
          hashToken(planted),
        ]),
      ).toBe(0);

      // The attacker, holding the planted id, is not signed in as the victim.
      const attacker = await browser.newContext();
      await attacker.addCookies([
        { name: 'sessionid', value: planted, url: server.url, secure: true, httpOnly: true, sameSite: 'Lax' },
      ]);
      const attackerPage = await attacker.newPage();
      await attackerPage.goto(`${server.url}/admin/`);
      expect(new URL(attackerPage.url()).pathname).toBe('/admin/login/');
      await attacker.close();
      await page.context().close();
    });

    it('throttles logins after 5 failures, even with the right password', async () => {
      const page = await freshPage(browser);
      // Each failure shows the form again, ready for the next attempt.
      await page.goto(`${server.url}/admin/login/`);
      for (let attempt = 1; attempt <= 5; attempt++) {
        await page.getByLabel('Username').fill('target');
        await page.getByLabel('Password').fill(`wrong-password-${attempt}`);
        await clickAndWait(page, page.getByRole('button', { name: 'Log in' }));
        expect(await pageStatus(page), `attempt ${attempt}`).toBe(200);
        expect(await page.getByRole('alert').textContent()).toContain(
          'Please enter the correct username and password',
        );
      }
      await page.getByLabel('Username').fill('target');
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await clickAndWait(page, page.getByRole('button', { name: 'Log in' }));
      expect(await pageStatus(page)).toBe(429);
      expect(await page.getByRole('alert').textContent()).toMatch(
        /^Too many failed login attempts\. Try again in \d+ minute\(s\)\.$/,
      );
      expect(await cookieValue(page.context(), server.url, 'sessionid')).toBeUndefined();
      await screenshot(page, 'admin-login-throttled');
      expect(
        await scalar(
          server.db,
          "SELECT count(*) FROM auth_login_attempt WHERE username = 'target' AND NOT succeeded",
        ),
      ).toBeGreaterThanOrEqual(5);
      expect(
        await scalar(
          server.db,
          "SELECT count(*) FROM auth_login_attempt WHERE username = 'target' AND succeeded",
        ),
      ).toBe(0);
      await page.context().close();

      // The lock is on that username: another account still signs in from the same address.
      const other = await logIn(await freshPage(browser), server, 'root');
      expect(new URL(other.url()).pathname).toBe('/admin/');
      await other.context().close();
    });
  });
});
