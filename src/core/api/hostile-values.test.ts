import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminBrowser } from '../admin/testing.js';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';
import { type ApiClient, superuserClients } from './testing.js';

// Values a column cannot take are refused with a 4xx naming the field, whichever way they come:
// API bodies, admin forms, filters and search; a row deleted while a save runs is 404 or 409.
let t: TestApp;
let browser: AdminBrowser;
let api: ApiClient;
const Q = '/api/v1/polls/question/';
const count = async (table: string) =>
  Number((await t.database.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

beforeAll(async () => {
  t = await buildTestApp();
  ({ browser, api } = await superuserClients(t.app, t.database.db));
});
afterAll(() => t.close());

describe('integers past the column', () => {
  it.each([2147483648, 2 ** 53 + 1, 2 ** 63, 1e308])('refuses userId %s for a token with 422', async (n) => {
    const before = await count('api_token');
    const res = await api.request('POST', '/api/v1/api/token/', undefined, `{"userId":${n}}`);
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors[0].field).toBe('userId');
    expect(await count('api_token')).toBe(before);
  });

  it('refuses a choice with 2147483648 votes, naming the nested field', async () => {
    const res = await api.post(Q, {
      questionText: 'Big?',
      pubDate: '2026-01-01T00:00:00Z',
      choices: [{ choiceText: 'Yes', votes: 2147483648 }],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'choices[0].votes' })]);
  });
});

describe('NUL bytes', () => {
  it('refuses them in bodies and token names, naming the field', async () => {
    const res = await api.post(Q, { questionText: 'a\u0000b', pubDate: '2026-01-01T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors).toEqual([
      { field: 'questionText', message: 'Null characters are not allowed.' },
    ]);
    const token = await api.post('/api/v1/api/token/', { name: 'a\u0000b' });
    expect(token.statusCode).toBe(422);
    expect(token.json().errors[0]).toEqual({ field: 'name', message: 'Null characters are not allowed.' });
  });

  it('answers 400 naming search in the API, and an empty changelist in the admin', async () => {
    for (const q of ['%00', 'a%00b']) {
      const res = await api.get(`${Q}?search=${q}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors).toEqual([{ field: 'search', message: 'Null characters are not allowed.' }]);
      const page = await browser.get(`/admin/polls/question/?q=${q}`);
      expect(page.statusCode).toBe(200);
    }
  });

  it('finds no user for a username with NUL (admin token form, login)', async () => {
    const form = await browser.post('/admin/api/token/add/', { username: 'a\u0000b', name: 'x' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('There is no user with this username.');
    const login = await t.app.inject({
      method: 'POST',
      url: '/admin/login/',
      headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'username=a%00b&password=x',
    });
    expect(login.statusCode).toBeLessThan(500);
  });
});

describe('dates the database cannot hold', () => {
  it.each(['0000-01-01', '2026-02-30', '10000-01-01'])(
    'refuses pubDate__gte=%s in the API (400)',
    async (d) => {
      const res = await api.get(`${Q}?pubDate__gte=${d}`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors[0].field).toBe('pubDate__gte');
    },
  );

  it('ignores them in the admin filters (200), on dates and timestamps', async () => {
    for (const url of [
      '/admin/polls/question/?pubDate__gte=0000-01-01',
      '/admin/contacts/person/?dateOfBirth__gte=2026-02-30',
      '/admin/contacts/person/?dateOfBirth__lt=0000-01-01',
      '/admin/contacts/company/?createdAt__gte=0000-01-01',
    ])
      expect((await browser.get(url)).statusCode, url).toBe(200);
  });

  it('refuses year 0 in a body once in UTC', async () => {
    const res = await api.post(Q, { questionText: 'Old?', pubDate: '0001-01-01T00:00:00+01:00' });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors[0].field).toBe('pubDate');
  });
});

describe('strict query parameters', () => {
  it('names an unknown parameter and lists the accepted ones', async () => {
    const res = await api.get('/api/v1/contacts/address/?isPrimary=true');
    expect(res.statusCode).toBe(400);
    const [error] = res.json().errors;
    expect(error.field).toBe('isPrimary');
    expect(error.message).toMatch(/^Unknown query parameter; accepted: page, page_size, .*isPrimary__exact/);
    const item = await api.get(`${Q}1/?format=json`);
    expect(item.statusCode).toBe(400);
    expect(item.json().errors[0]).toEqual({
      field: 'format',
      message: 'Unknown query parameter; this endpoint takes none.',
    });
  });

  it('reports every invalid parameter at once', async () => {
    const res = await api.get(`${Q}?page=-1&ordering=nonsense&bogus=1`);
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['bogus', 'ordering', 'page']);
  });
});

describe('a row deleted while it is saved', () => {
  // A trigger that skips the UPDATE makes it find no row, as when a concurrent request deleted
  // the row between the read and the write (the race is exercised on PostgreSQL in races.test.ts).
  beforeAll(async () => {
    await t.database.query(
      `CREATE FUNCTION test_vanish() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql`,
    );
    await t.database.query(
      `CREATE TRIGGER test_vanish BEFORE UPDATE ON polls_choice FOR EACH ROW WHEN (NEW.choice_text = 'vanish') EXECUTE FUNCTION test_vanish()`,
    );
  });

  it('answers 404 for the object and 409 for a child, and writes nothing', async () => {
    const created = await api.post(Q, {
      questionText: 'Race?',
      pubDate: '2026-01-01T00:00:00Z',
      choices: [{ choiceText: 'A' }],
    });
    const question = created.json();
    const choiceId = question.choices[0].id;

    const own = await api.patch(`/api/v1/polls/choice/${choiceId}/`, { choiceText: 'vanish' });
    expect(own.statusCode, own.body).toBe(404);
    expect(own.headers['content-type']).toContain('application/problem+json');
    expect(own.json().detail).toBe(
      'This choice was deleted by someone else meanwhile, so nothing was saved.',
    );

    const nested = await api.patch(`${Q}${question.id}/`, {
      questionText: 'Changed?',
      choices: [{ id: choiceId, choiceText: 'vanish' }],
    });
    expect(nested.statusCode, nested.body).toBe(409);
    expect(nested.json().errors[0].field).toBe('choices[0]');
    const after = await api.get(`${Q}${question.id}/`);
    expect(after.json()).toMatchObject({ questionText: 'Race?', choices: [{ choiceText: 'A' }] });
  });
});
