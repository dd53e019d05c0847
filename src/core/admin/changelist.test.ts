import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { AdminBrowser, createTestUser, location } from './testing.js';

let t: TestApp;
let browser: AdminBrowser;
const DAY = 86_400_000;

/** Question texts in the changelist body, in order. */
function texts(body: string): string[] {
  return [...body.matchAll(/<th scope="row" class="field-questionText"><a href="[^"]*">([^<]*)<\/a>/g)].map(
    (m) => m[1]!,
  );
}

beforeAll(async () => {
  t = await buildTestApp();
  await createTestUser(t.database.db, 'admin', { superuser: true });
  // 250 questions "Question 001"… dated one hour apart going back from an hour ago, plus a few
  // with SQL metacharacters and one in the future.
  await t.database.exec(`
    INSERT INTO polls_question (question_text, pub_date)
    SELECT 'Question ' || lpad(g::text, 3, '0'), now() - (g || ' hours')::interval FROM generate_series(1, 250) g;
    INSERT INTO polls_question (question_text, pub_date) VALUES
      ('Discount 50% off', now() - interval '400 days'),
      ('snake_case name', now() - interval '400 days'),
      ('It''s a quote', now() - interval '400 days'),
      ('back\\slash', now() - interval '400 days'),
      ('semi; -- colon', now() - interval '400 days'),
      ('From the future', now() + interval '3 days');`);
  browser = new AdminBrowser(t.app);
  await browser.login('admin');
});
afterAll(() => t.close());

describe('the changelist', () => {
  it('shows the registered columns, including the computed one, newest first', async () => {
    const res = await browser.get('/admin/polls/question/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Select question to change</h1>');
    expect(res.body).toContain('<a href="?o=questionText">Question text</a>');
    expect(res.body).toContain('<a href="?o=pubDate">Date published</a>');
    expect(res.body).toContain(
      '<th scope="col" class="column-wasPublishedRecently">Published recently?</th>',
    );
    expect(texts(res.body).slice(0, 3)).toEqual(['From the future', 'Question 001', 'Question 002']);
    // Published recently: the future question is not, the one an hour old is.
    const rows = res.body.split('<tr>').slice(2);
    expect(rows[0]).toContain('bool-no');
    expect(rows[1]).toContain('bool-yes');
    expect(res.body).toContain('256 questions');
  });

  it('pages through the rows, 100 a page, with page links and a stable order', async () => {
    const first = await browser.get('/admin/polls/question/');
    expect(texts(first.body)).toHaveLength(100);
    expect(first.body).toContain('<span class="this-page" aria-current="page">1</span>');
    expect(first.body).toContain('<a href="?p=3" aria-label="Page 3">3</a>');
    const third = await browser.get('/admin/polls/question/?p=3');
    const rows = texts(third.body);
    expect(rows).toHaveLength(56);
    expect(rows[0]).toBe('Question 200');
    expect(third.body).toContain('256 questions, page 3 of 3');
    const all = [
      ...texts(first.body),
      ...texts((await browser.get('/admin/polls/question/?p=2')).body),
      ...rows,
    ];
    expect(new Set(all).size).toBe(256);
    // Out of range or garbage pages show a real page, never an error.
    expect(texts((await browser.get('/admin/polls/question/?p=99')).body)[0]).toBe('Question 200');
    expect((await browser.get('/admin/polls/question/?p=abc')).statusCode).toBe(200);
  });

  it('sorts by a clicked column and toggles the direction', async () => {
    const asc = await browser.get('/admin/polls/question/?o=questionText');
    expect(texts(asc.body).slice(0, 2)).toEqual(['Discount 50% off', 'From the future']);
    expect(asc.body).toContain('aria-sort="ascending"');
    expect(asc.body).toContain('<a href="?o=-questionText">Question text');
    const desc = await browser.get('/admin/polls/question/?o=-questionText');
    expect(texts(desc.body)[0]).toBe('snake_case name');
    expect(desc.body).toContain('aria-sort="descending"');
    const byDate = await browser.get('/admin/polls/question/?o=pubDate');
    expect(texts(byDate.body).slice(0, 1)).toEqual(['Discount 50% off']);
  });

  it('ignores sorting by columns that are not sortable', async () => {
    const res = await browser.get(
      '/admin/polls/question/?o=wasPublishedRecently,-id;DROP TABLE polls_question',
    );
    expect(res.statusCode).toBe(200);
    expect(texts(res.body)[0]).toBe('From the future');
  });

  it('searches case-insensitively and counts the matches against the total', async () => {
    const res = await browser.get('/admin/polls/question/?q=qUeStIoN%2024');
    const expected = [
      '024',
      '124',
      '224',
      '240',
      '241',
      '242',
      '243',
      '244',
      '245',
      '246',
      '247',
      '248',
      '249',
    ];
    expect(texts(res.body)).toEqual(expected.map((n) => `Question ${n}`));
    expect(res.body).toContain('13 results (<a href="/admin/polls/question/">256 total</a>)');
    expect(res.body).toContain('id="searchbar" value="qUeStIoN 24"');
  });

  it.each([
    ['%', ['Discount 50% off']],
    ['_', ['snake_case name']],
    ["'", ['It&#39;s a quote']],
    ['\\', ['back\\slash']],
    [';--', []],
    ['; --', ['semi; -- colon']],
    ["' OR 1=1 --", []],
  ])('treats %s in the search as a plain character', async (q, expected) => {
    const res = await browser.get(`/admin/polls/question/?q=${encodeURIComponent(q)}`);
    expect(res.statusCode).toBe(200);
    expect(texts(res.body)).toEqual(expected);
    expect(
      (await t.database.query<{ n: number }>('SELECT count(*)::int AS n FROM polls_question'))[0]!.n,
    ).toBe(256);
  });

  it('filters by date ranges from the sidebar', async () => {
    const page = await browser.get('/admin/polls/question/');
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + DAY).toISOString().slice(0, 10);
    expect(page.body).toContain(`<a href="?pubDate__gte=${today}&amp;pubDate__lt=${tomorrow}">Today</a>`);
    const week = new Date(Date.now() - 7 * DAY).toISOString().slice(0, 10);
    const res = await browser.get(`/admin/polls/question/?pubDate__gte=${week}&pubDate__lt=${tomorrow}`);
    const rows = texts(res.body);
    expect(rows).not.toContain('Discount 50% off');
    expect(rows).not.toContain('From the future');
    expect(rows[0]).toBe('Question 001');
    // Everything from midnight (UTC) seven days ago: between 168 and 192 hourly questions.
    const n = Number(/(\d+) results/.exec(res.body)?.[1]);
    expect(n).toBeGreaterThanOrEqual(168);
    expect(n).toBeLessThanOrEqual(192);
    expect(res.body).not.toContain('aria-current="true">Any date');
    expect(res.body).toMatch(
      /<li class="selected"><a href="\?pubDate__gte=[^"]+" aria-current="true">Past 7 days<\/a><\/li>/,
    );
    expect(res.body).toContain('✖ Clear all filters');
  });

  it('reports malformed filter values instead of failing', async () => {
    const res = await browser.get("/admin/polls/question/?pubDate__gte=2024-01-01';DROP TABLE x;--");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Ignored invalid filter values: pubDate__gte.');
    expect(res.body).toContain('256 questions');
  });

  it('filters booleans on users, combined with a search', async () => {
    await createTestUser(t.database.db, 'plain-member', { staff: false });
    const staff = await browser.get('/admin/auth/user/?isStaff__exact=1');
    expect(staff.body).toContain('>admin</a>');
    expect(staff.body).not.toContain('>plain-member</a>');
    const members = await browser.get('/admin/auth/user/?isStaff__exact=0&q=PLAIN');
    expect(members.body).toContain('>plain-member</a>');
    expect(members.body).toContain('1 result (<a href="/admin/auth/user/">2 total</a>)');
    const bad = await browser.get('/admin/auth/user/?isStaff__exact=maybe');
    expect(bad.body).toContain('Ignored invalid filter values: isStaff__exact.');
  });

  it('keeps the search, filters and sort in page links, object links and after a save', async () => {
    const res = await browser.get('/admin/polls/question/?q=Question&o=questionText');
    expect(res.body).toContain('<a href="?q=Question&amp;o=questionText&amp;p=2" aria-label="Page 2">2</a>');
    const link = /<th scope="row" class="field-questionText"><a href="([^"]+)">Question 001</.exec(
      res.body,
    )![1]!;
    expect(link).toBe(
      '/admin/polls/question/250/change/?_changelist_filters=q%3DQuestion%26o%3DquestionText'.replace(
        '250',
        link.split('/')[4]!,
      ),
    );
    const form = await browser.get(link.replaceAll('&amp;', '&'));
    expect(form.body).toContain(
      '<input type="hidden" name="_changelist_filters" value="q=Question&amp;o=questionText">',
    );
    const id = link.split('/')[4]!;
    const saved = await browser.post(`/admin/polls/question/${id}/change/`, {
      questionText: 'Question 001 edited',
      pubDate: '2026-01-01T10:00',
      'choice_set-TOTAL_FORMS': 0,
      'choice_set-INITIAL_FORMS': 0,
      _changelist_filters: 'q=Question&o=questionText',
      _save: 1,
    });
    expect(saved.statusCode).toBe(303);
    expect(location(saved)).toBe('/admin/polls/question/?q=Question&o=questionText');
  });
});
