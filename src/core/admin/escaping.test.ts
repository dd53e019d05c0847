import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location } from './testing.js';

const XSS = `<script>alert("x")</script>'"&`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;';

let t: TestApp;
let browser: AdminBrowser;
let questionId: number;
let userId: number;

/** No raw payload anywhere, and the escaped one where expected. */
function expectInert(body: string): void {
  expect(body).not.toContain('<script>alert');
  expect(body).not.toMatch(/<script(?! src="\/static\/admin\/admin\.js" defer>)/);
  expect(body).toContain(ESCAPED);
}

beforeAll(async () => {
  t = await buildTestApp();
  await createTestUser(t.database.db, 'admin', { superuser: true });
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
  // Through the admin itself, so the history holds the payload too.
  const res = await browser.post('/admin/polls/question/add/', {
    questionText: XSS,
    pubDate: '2026-01-01T00:00',
    'choice_set-TOTAL_FORMS': 1,
    'choice_set-0-choiceText': `${XSS} choice`,
    'choice_set-0-votes': '0',
    _continue: '1',
  });
  questionId = Number(location(res).split('/')[4]);
  const user = await browser.post('/admin/auth/user/add/', {
    username: 'evil',
    email: 'a@b.co',
    password1: 'a-long-unusual-passphrase',
    password2: 'a-long-unusual-passphrase',
    _continue: '1',
  });
  userId = Number(location(user).split('/')[4]);
  await t.database.query(`UPDATE auth_user SET email = $1 WHERE id = $2`, [XSS, userId]);
  await t.database.query(`INSERT INTO auth_group (name) VALUES ($1)`, [XSS]);
});
afterAll(() => t.close());

describe('stored markup renders inert', () => {
  it.each([
    ['the changelist', () => '/admin/polls/question/'],
    ['the change form', () => `/admin/polls/question/${questionId}/change/`],
    ['the history', () => `/admin/polls/question/${questionId}/history/`],
    ['the delete confirmation', () => `/admin/polls/question/${questionId}/delete/`],
    ['the choice changelist', () => '/admin/polls/choice/'],
    ['the user list', () => '/admin/auth/user/'],
    ['the user form (email, group names)', () => `/admin/auth/user/${userId}/change/`],
    ['the group list', () => '/admin/auth/group/'],
    ['the index (recent actions)', () => '/admin/'],
  ])('in %s', async (_where, url) => {
    const res = await browser.get(url());
    expect(res.statusCode).toBe(200);
    expectInert(res.body);
  });

  it('in the flash message after a save, and in the bulk delete confirmation', async () => {
    await browser.post(`/admin/polls/question/${questionId}/change/`, {
      questionText: XSS,
      pubDate: '2026-01-02T00:00',
      'choice_set-TOTAL_FORMS': 0,
    });
    expectInert((await browser.get('/admin/polls/question/')).body);
    const confirm = await browser.post('/admin/polls/question/', {
      action: 'delete_selected',
      _selected_action: [questionId],
    });
    expectInert(confirm.body);
  });

  it('in a form shown again with errors, and in search and filter echoes', async () => {
    const res = await browser.post('/admin/polls/question/add/', {
      questionText: XSS,
      pubDate: 'bad',
      'choice_set-TOTAL_FORMS': 0,
    });
    expectInert(res.body);
    const search = await browser.get(`/admin/polls/question/?q=${encodeURIComponent(XSS)}`);
    expect(search.body).toContain(`value="${ESCAPED}"`);
    expect(search.body).not.toContain('<script>alert');
    const filter = await browser.get(
      `/admin/polls/question/?${encodeURIComponent('"><script>')}=1&pubDate__gte=${encodeURIComponent(XSS)}`,
    );
    expect(filter.body).not.toContain('"><script>');
  });

  it('is served with a Content-Security-Policy that forbids inline scripts', async () => {
    const res = await browser.get('/admin/');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).not.toMatch(/<script>|style="|<style/);
  });
});
